import type { AuditLog } from '../audit.js';
import type { Clients } from '../clients.js';
import type { Customers } from '../customers.js';
import type { ChunkIndex } from '../dataplane/chunk-index.js';
import type { Jobs } from '../jobs.js';
import type { McalPool } from '../mcal.js';
import type { Replication } from '../replication/index.js';
import type { Resellers } from '../resellers.js';
import type { Settings } from '../settings.js';
import type { Store } from '../store.js';
import { SeedMigrations } from './migrations.js';
import { SeedTargets } from './target.js';

/** Seed backup migration (API.md), both sides: as a source, the migrations it runs; as a target, the clients arriving. */
export class SeedMigration {
  readonly runs: SeedMigrations;
  readonly targets: SeedTargets;

  constructor(deps: { store: Store; settings: Settings; audit: AuditLog; pool: McalPool; customers: Customers; clients: Clients; resellers: Resellers; chunks: ChunkIndex; jobs: Jobs; replication: Replication }) {
    const { store, settings, audit, clients, chunks } = deps;
    this.runs = new SeedMigrations(store, settings, audit, clients, chunks, deps.jobs);
    this.targets = new SeedTargets(store, settings, audit, deps.pool, deps.customers, clients, deps.resellers, chunks, deps.replication.copies);
  }
}
