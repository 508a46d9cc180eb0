import type { MaintenanceSummary } from '../src-shared/api/jobs.js';
import type { Jobs } from './jobs.js';
import { nowIso } from './store.js';

/** What one task did, as the counts of the maintenance summary it adds to (API.md: POST /maintenance/run). */
export type TaskReport = Partial<Omit<MaintenanceSummary, 'ranAt'>>;

/** Periodic work: replication, usage sampling, invoicing and pruning each add one of these (services.ts). */
export interface ScheduledTask {
  /** Also the kind of the job each run is recorded as. */
  readonly name: string;
  /** Whether the task has work at `now`; the scheduler asks at every run. */
  due(now: number): boolean;
  run(now: number): TaskReport | Promise<TaskReport>;
}

const EMPTY_SUMMARY = { staleRunsClosed: 0, trialClientsExpired: 0, trialClientsDeleted: 0, bytesFreed: 0, sessionsPurged: 0, replicationRunsStarted: 0, usageSamplesTaken: 0, invoicesIssued: 0, backupsPruned: 0 } satisfies Omit<MaintenanceSummary, 'ranAt'>;

/**
 * Runs the registered tasks that are due, in registration order: periodically (`--maintenance-interval`)
 * and through `POST /maintenance/run`. The whole run is a `maintenance` job and each task run a job of
 * the task's name, so every outcome, a failure included, is visible through `GET /jobs/:id`.
 */
export class Scheduler {
  constructor(
    private readonly jobs: Jobs,
    private readonly tasks: readonly ScheduledTask[],
  ) {}

  async run(now = Date.now()): Promise<MaintenanceSummary> {
    const summary: MaintenanceSummary = { ranAt: nowIso(now), ...EMPTY_SUMMARY };
    await this.recorded('maintenance', async () => {
      for (const task of this.tasks.filter((t) => t.due(now))) {
        const report = await this.recorded(task.name, () => task.run(now), (r) => ({ bytes: r.bytesFreed ?? 0 }));
        for (const [key, count] of Object.entries(report) as [keyof TaskReport, number][]) summary[key] += count;
      }
      return summary;
    }, (s) => ({ done: s.trialClientsDeleted, total: s.trialClientsDeleted, bytes: s.bytesFreed }));
    return summary;
  }

  /** Runs `work` as a job of `kind`: running, then done with the progress its result gives, or failed with its error. */
  private async recorded<T>(kind: string, work: () => T | Promise<T>, progress: (result: T) => { done?: number; total?: number; bytes?: number }): Promise<T> {
    const jobId = this.jobs.create(kind, null);
    this.jobs.progress(jobId, { status: 'running' });
    try {
      const result = await work();
      this.jobs.progress(jobId, { status: 'done', ...progress(result) });
      return result;
    } catch (err) {
      this.jobs.progress(jobId, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }
}
