import type { RetentionPolicy, RetentionPreview } from '../../src-shared/api/retention.js';
import type { ClientRow } from '../client-rows.js';
import { ownerOf } from '../dataplane/chunk-index.js';
import { Manifests } from '../dataplane/manifests.js';
import type { ScheduledTask } from '../scheduler.js';
import type { RetentionConfig } from './config.js';
import type { RetentionDeps } from './index.js';
import { planPrune } from './prune-plan.js';

/** Who the deleted report names for backups a prune removed, and why. */
const PRUNED_BY = 'retention';

export interface PruneResult {
  removed: number;
  bytesFreed: number;
}

/**
 * Removes the backups a schedule's policy no longer keeps, and frees what only they used (API.md
 * Retention). The whole prune of a schedule (whole manifests for kept backups whose chain it cuts, the
 * chunk references, the backups, the deleted report, clearing `prune_due`) is one transaction: a crash
 * leaves the schedule as before, still due, and maintenance prunes it again. Packs are compacted after it.
 */
export class Pruner {
  private readonly manifests: Manifests;
  /** Prunes run one at a time: each rereads what the one before it changed. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: RetentionDeps,
    private readonly config: RetentionConfig,
  ) {
    this.manifests = new Manifests(deps.store);
  }

  /** What pruning with `policy` would do now, writing nothing (the console's preview). */
  preview(scheduleId: string, policy: RetentionPolicy): RetentionPreview {
    const plan = planPrune(this.deps.store, this.manifests, scheduleId, policy);
    return { kept: plan.kept, removed: plan.removed.length, bytesFreed: plan.bytesFreed };
  }

  /** Prunes one schedule under its effective policy, unless a backup of it runs (then it stays due). */
  prune(scheduleId: string): PruneResult {
    const { store, chunks } = this.deps;
    const done = store.write(() => {
      const client = store.get<ClientRow & { schedule_name: string }>(
        'SELECT c.*, s.name AS schedule_name FROM schedules s JOIN clients c ON c.id = s.client_id WHERE s.id = ?',
        scheduleId,
      );
      if (!client) return null;
      if (store.get("SELECT 1 FROM backup_reports WHERE schedule_id = ? AND status = 'running'", scheduleId)) return null;
      const plan = planPrune(store, this.manifests, scheduleId, this.config.effective(scheduleId));
      // Kept backups are made whole before the backups their chain runs through are deleted.
      for (const [id, entries] of plan.rebase) this.manifests.rebase(id, entries);
      const owner = ownerOf(client);
      const packs = chunks.forget(owner, scheduleId, plan.dropped);
      store.run('DELETE FROM backups WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(plan.removed.map((b) => b.id)));
      const record = this.deps.clients.deletedReport(client, PRUNED_BY, 'retention');
      for (const b of plan.removed) record({ kind: 'backup', scheduleId, scheduleName: client.schedule_name, bytes: b.bytes });
      store.run('UPDATE schedules SET prune_due = 0 WHERE id = ?', scheduleId);
      return { owner, packs, result: { removed: plan.removed.length, bytesFreed: plan.bytesFreed } };
    });
    if (!done) return { removed: 0, bytesFreed: 0 };
    chunks.compactLater(done.owner, done.packs);
    return done.result;
  }

  /**
   * Prunes a schedule after one of its backups committed (not in the commit's transaction: the agent's
   * answer does not wait for it). On failure the schedule stays due and maintenance prunes it later.
   */
  afterCommit(scheduleId: string, onError: (err: unknown) => void): void {
    this.queue = this.queue.then(() => this.prune(scheduleId)).catch(onError);
  }

  /** Resolves once the queued prunes have run. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** The maintenance part: every schedule a commit or a policy change left due, one by one. */
  task(): ScheduledTask {
    const { store } = this.deps;
    return {
      name: 'retention',
      due: () => store.get('SELECT 1 FROM schedules WHERE prune_due = 1 LIMIT 1') !== undefined,
      run: async () => {
        await this.idle();
        let backupsPruned = 0;
        let bytesFreed = 0;
        for (const { id } of store.all<{ id: string }>('SELECT id FROM schedules WHERE prune_due = 1')) {
          const result = this.prune(id);
          backupsPruned += result.removed;
          bytesFreed += result.bytesFreed;
        }
        return { backupsPruned, bytesFreed };
      },
    };
  }
}
