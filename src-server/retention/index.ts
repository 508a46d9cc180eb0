import type { AuditLog } from '../audit.js';
import type { Clients } from '../clients.js';
import type { Backups } from '../dataplane/backups.js';
import type { ChunkIndex } from '../dataplane/chunk-index.js';
import type { ScheduledTask } from '../scheduler.js';
import type { Schedules } from '../schedules.js';
import type { Settings } from '../settings.js';
import type { Store } from '../store.js';
import { RetentionConfig } from './config.js';
import { Pruner } from './pruner.js';

export interface RetentionDeps {
  readonly store: Store;
  readonly settings: Settings;
  readonly audit: AuditLog;
  readonly clients: Clients;
  readonly schedules: Schedules;
  readonly chunks: ChunkIndex;
  readonly backups: Backups;
}

/**
 * Retention and backup versions (API.md): the policies (`config.ts`: the server default and each
 * schedule's own), which backups a policy keeps (`policy.ts`, restic's `forget --keep-*`), and pruning
 * the rest (`pruner.ts`: after each commit and in maintenance, freeing what no kept backup uses).
 */
export class Retention {
  readonly config: RetentionConfig;
  readonly pruner: Pruner;

  constructor(deps: RetentionDeps) {
    this.config = new RetentionConfig(deps);
    this.pruner = new Pruner(deps, this.config);
  }

  /** The maintenance part: schedules whose prune is due (a commit or a policy change since their last). */
  task(): ScheduledTask {
    return this.pruner.task();
  }
}
