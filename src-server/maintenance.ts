import type { MaintenanceSummary } from '../src-shared/api/jobs.js';
import type { Auth } from './auth.js';
import type { Clients } from './clients.js';
import { STALE_RUN_MS, type Backups } from './dataplane/backups.js';
import type { ChunkIndex } from './dataplane/chunk-index.js';
import type { Jobs } from './jobs.js';
import type { Settings } from './settings.js';
import { nowIso, type Store } from './store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What the scheduler runs periodically and `POST /maintenance/run` runs now. Trial clients past their
 * period are refused at backup time by the policy check; here their data is deleted once the delete
 * period after expiry has passed.
 */
export class Maintenance {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly clients: Clients,
    private readonly auth: Auth,
    private readonly jobs: Jobs,
    private readonly backups: Backups,
    private readonly chunks: ChunkIndex,
  ) {}

  /** Runs every task, recorded as a `maintenance` job so its outcome is visible like any other job's. */
  async run(now = Date.now()): Promise<MaintenanceSummary> {
    const jobId = this.jobs.create('maintenance', null);
    this.jobs.progress(jobId, { status: 'running' });
    try {
      const summary = this.runTasks(now);
      await this.chunks.idle();
      for (const p of this.chunks.untidyPacks()) await this.chunks.compact(p.owner, [p.packId]);
      this.jobs.progress(jobId, { status: 'done', done: summary.trialClientsDeleted, total: summary.trialClientsDeleted, bytes: summary.bytesFreed });
      return summary;
    } catch (err) {
      this.jobs.progress(jobId, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  private runTasks(now: number): MaintenanceSummary {
    const { deleteAfterDays } = this.settings.get('trial');
    const nowText = nowIso(now);
    const expired = this.store.get<{ n: number }>('SELECT count(*) AS n FROM clients WHERE trial = 1 AND trial_expires_at <= ?', nowText)!.n;
    const doomed = this.store.all<{ id: string }>(
      'SELECT id FROM clients WHERE trial = 1 AND trial_expires_at <= ?',
      nowIso(now - deleteAfterDays * DAY_MS),
    );
    let bytesFreed = 0;
    for (const { id } of doomed) {
      bytesFreed += this.store.write(() => this.clients.purge('maintenance', id, 'trial-expired'));
    }
    const staleRunsClosed = this.backups.closeStaleRuns(now);
    bytesFreed += this.chunks.collectOrphans(nowIso(now - STALE_RUN_MS));
    return {
      ranAt: nowText,
      staleRunsClosed,
      trialClientsExpired: expired,
      trialClientsDeleted: doomed.length,
      bytesFreed,
      sessionsPurged: this.auth.purgeExpiredSessions(),
    };
  }
}
