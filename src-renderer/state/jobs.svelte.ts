import type { Bridge, Events } from '../../src-shared/bridge.js';
import type { Customer } from '../../src-shared/api/customers.js';
import { errorMessage } from '../lib/errors.js';
import type { NoticesState } from './notices.svelte.js';

export type JobProgress = Events['job.progress'];

/** A finished job's bar stays this long, so the user sees it complete. */
const LINGER_MS = 4000;

/** Background work the console runs (making a customer available offline) and its progress, by job id. */
export class JobsState {
  running = $state<Record<string, JobProgress>>({});
  readonly #bridge: Bridge;
  readonly #notices: NoticesState;

  constructor(bridge: Bridge, notices: NoticesState) {
    this.#bridge = bridge;
    this.#notices = notices;
  }

  /** A `job.progress` event: the bar moves; the end is announced and the bar removed a moment later. */
  progress(p: JobProgress): void {
    this.running[p.jobId] = p;
    if (p.status === 'running') return;
    if (p.status === 'failed') this.#notices.notify(`${p.label} failed: ${p.error ?? 'unknown error'}`, 'error');
    else this.#notices.notify(`${p.label}: done.`);
    setTimeout(() => {
      delete this.running[p.jobId];
    }, LINGER_MS);
  }

  async makeAvailableOffline(serverId: string, customer: Customer): Promise<void> {
    try {
      const { jobId } = await this.#bridge.invoke('offline.makeAvailable', { serverId, customerId: customer.id });
      // The first progress event may come later (or already have come): show the bar at once.
      this.running[jobId] ??= { jobId, label: `Making ${customer.name} available offline`, done: 0, total: 0, status: 'running', error: null };
      this.#notices.notify(`Making ${customer.name} available offline… progress is shown at the bottom of the window.`);
    } catch (err) {
      this.#notices.notify(errorMessage(err, `Making ${customer.name} available offline`), 'error');
    }
  }
}
