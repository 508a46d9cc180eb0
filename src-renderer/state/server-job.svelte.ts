import type { Job } from '../../src-shared/api/jobs.js';
import type { Bridge } from '../../src-shared/bridge.js';
import { errorInfo, errorMessage } from '../lib/errors.js';

/** How often a running server job is asked for its progress. */
export const JOB_POLL_MS = 1000;
/** The rate is measured over the samples of this last stretch of time, so it follows speed changes. */
const RATE_WINDOW_MS = 5000;

export interface ServerJobOptions {
  intervalMs?: number;
  /** Called with every answer; `first` is the first one (a job that was already over when following began). */
  onupdate?: (job: Job, first: boolean) => void;
  now?: () => number;
}

/** A job is over once it is done or failed: nothing about it changes any more. */
export const jobOver = (job: Job | null): boolean => job?.status === 'done' || job?.status === 'failed';

/**
 * One job of a backup server (a replication run), followed by asking `jobs.get` until it is over: its
 * progress, and the rate at which its bytes travel. A failed poll (the server briefly unreachable) is
 * shown and the polling goes on; only a job the server no longer knows stops it.
 */
export class ServerJob {
  job = $state.raw<Job | null>(null);
  /** Why the last poll failed, while the job goes on without us seeing it. */
  pollError = $state<string | null>(null);
  /** Bytes per second: over the last few seconds while running, over the whole run once done. */
  rate = $state<number | null>(null);
  readonly serverId: string;
  readonly jobId: string;
  readonly label: string;
  readonly #bridge: Bridge;
  readonly #interval: number;
  readonly #now: () => number;
  readonly #onupdate: ((job: Job, first: boolean) => void) | undefined;
  #samples: { at: number; bytes: number }[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #finished: Promise<Job | null> | null = null;

  constructor(bridge: Bridge, serverId: string, jobId: string, label: string, options: ServerJobOptions = {}) {
    this.#bridge = bridge;
    this.serverId = serverId;
    this.jobId = jobId;
    this.label = label;
    this.#interval = options.intervalMs ?? JOB_POLL_MS;
    this.#now = options.now ?? (() => Date.now());
    this.#onupdate = options.onupdate;
  }

  get over(): boolean {
    return jobOver(this.job);
  }

  /** Starts following (once); resolves with the job when it is over, or null when following stopped first. */
  follow(): Promise<Job | null> {
    this.#finished ??= new Promise((resolve) => {
      const poll = async (first: boolean) => {
        this.#timer = null;
        if (this.#stopped) return resolve(this.job);
        try {
          const job = await this.#bridge.invoke('jobs.get', { serverId: this.serverId, id: this.jobId });
          this.pollError = null;
          this.#measure(job);
          this.job = job;
          this.#onupdate?.(job, first);
          if (jobOver(job)) return resolve(job);
        } catch (err) {
          if (errorInfo(err).code === 'NOT_FOUND') {
            this.pollError = errorMessage(err, 'Reading the progress');
            return resolve(null);
          }
          this.pollError = `${errorMessage(err, 'Reading the progress')} The job goes on on the server; trying again.`;
        }
        if (this.#stopped) return resolve(this.job);
        this.#timer = setTimeout(() => void poll(false), this.#interval);
      };
      void poll(true);
    });
    return this.#finished;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #measure(job: Job): void {
    if (jobOver(job) && job.finishedAt) {
      const seconds = (Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000;
      this.rate = seconds > 0 ? job.progress.bytes / seconds : null;
      return;
    }
    const at = this.#now();
    this.#samples = [...this.#samples.filter((s) => at - s.at <= RATE_WINDOW_MS), { at, bytes: job.progress.bytes }];
    const first = this.#samples[0]!;
    const seconds = (at - first.at) / 1000;
    if (seconds > 0) this.rate = Math.max(0, job.progress.bytes - first.bytes) / seconds;
  }
}
