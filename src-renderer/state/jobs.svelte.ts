import type { Bridge, Events } from '../../src-shared/bridge.js';
import type { Customer } from '../../src-shared/api/customers.js';
import { errorMessage } from '../lib/errors.js';
import type { NoticesState } from './notices.svelte.js';
import { JOB_POLL_MS, ServerJob } from './server-job.svelte.js';

export type JobProgress = Events['job.progress'];

/** A finished job's bar stays this long, so the user sees it complete. */
const LINGER_MS = 4000;

/**
 * Background work and its progress on the status line, by job id: what the console runs (making a customer
 * available offline, reported by `job.progress` events) and the servers' jobs it follows (a replication run).
 */
export class JobsState {
  running = $state<Record<string, JobProgress>>({});
  /** Server jobs followed this session, by `serverId:jobId`: a page that opens again finds its run here. */
  followed = $state.raw<Record<string, ServerJob>>({});
  /** How often a followed server job is asked for its progress. */
  pollMs = JOB_POLL_MS;
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

  /**
   * Follows a server job by asking `jobs.get` until it is over: its bar on the status line, a notice when it
   * ends. Following the same job again returns the same follower. A job that was already over when following
   * began (the last run of a page opened later) is shown where asked, but not announced.
   */
  follow(serverId: string, jobId: string, label: string): ServerJob {
    const key = `${serverId}:${jobId}`;
    const known = this.followed[key];
    if (known) return known;
    const job = new ServerJob(this.#bridge, serverId, jobId, label, {
      intervalMs: this.pollMs,
      onupdate: (j, first) => {
        if (first && j.status !== 'queued' && j.status !== 'running') return;
        const status = j.status === 'done' || j.status === 'failed' ? j.status : 'running';
        this.progress({ jobId: key, label, done: j.progress.done, total: j.progress.total, status, error: j.error });
      },
    });
    this.followed = { ...this.followed, [key]: job };
    void job.follow();
    return job;
  }

  /** Stops following every server job (the console closes). */
  dispose(): void {
    for (const job of Object.values(this.followed)) job.stop();
  }
}
