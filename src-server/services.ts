import path from 'node:path';
import { AuditLog } from './audit.js';
import { Backups } from './dataplane/backups.js';
import { ChunkIndex } from './dataplane/chunk-index.js';
import { PackFiles } from './dataplane/pack-files.js';
import { PackVerifier } from './dataplane/pack-verifier.js';
import { BackupPolicy } from './dataplane/policy.js';
import { Auth } from './auth.js';
import { Clients } from './clients.js';
import { Customers } from './customers.js';
import type { Db } from './db/database.js';
import { Invoicing } from './invoicing/index.js';
import { Jobs } from './jobs.js';
import { expiredSessions, orphanChunks, packCompaction, staleRuns, trialExpiry } from './maintenance.js';
import { McalPool } from './mcal.js';
import { Replication } from './replication/index.js';
import { Resellers } from './resellers.js';
import { Retention } from './retention/index.js';
import { SeedMigration } from './seed-migration/index.js';
import { Scheduler } from './scheduler.js';
import { ServerConfig } from './server-config.js';
import { Schedules } from './schedules.js';
import { Settings } from './settings.js';
import { Store } from './store.js';

/** Wiring only: every domain service of the server on one database. Routes call these; nothing else touches SQL. */
export class Services {
  readonly store: Store;
  readonly settings: Settings;
  readonly server: ServerConfig;
  readonly audit: AuditLog;
  readonly auth: Auth;
  readonly pool: McalPool;
  readonly resellers: Resellers;
  readonly customers: Customers;
  readonly clients: Clients;
  readonly schedules: Schedules;
  readonly jobs: Jobs;
  readonly chunks: ChunkIndex;
  readonly backups: Backups;
  readonly replication: Replication;
  readonly seedMigration: SeedMigration;
  readonly invoicing: Invoicing;
  readonly retention: Retention;
  /** The scheduled tasks: a new periodic feature adds its task to this list, in the order it must run. */
  readonly maintenance: Scheduler;

  constructor(db: Db, dataDir: string) {
    this.store = new Store(db);
    this.chunks = new ChunkIndex(this.store, new PackFiles(path.join(dataDir, 'chunks')));
    this.settings = new Settings(this.store);
    this.audit = new AuditLog(this.store);
    this.auth = new Auth(this.store);
    this.pool = new McalPool(this.store, this.settings);
    this.server = new ServerConfig(this.store, this.settings, this.audit, this.pool);
    this.resellers = new Resellers(this.store, this.audit, this.auth, this.settings);
    this.customers = new Customers(this.store, this.audit, this.pool, this.resellers, (actor, id, reason) => this.clients.purge(actor, id, reason));
    this.clients = new Clients(this.store, this.audit, this.pool, this.settings, this.customers, this.chunks);
    const verifier = new PackVerifier();
    this.backups = new Backups(this.store, this.chunks, new BackupPolicy(this.pool, this.settings), verifier);
    this.schedules = new Schedules(this.store, this.audit, this.clients, this.customers);
    this.jobs = new Jobs(this.store);
    this.replication = new Replication({ ...this, verifier, dataDir });
    this.seedMigration = new SeedMigration(this);
    this.invoicing = new Invoicing(this);
    this.retention = new Retention(this);
    this.maintenance = new Scheduler(this.jobs, [
      trialExpiry(this.store, this.settings, this.clients),
      staleRuns(this.backups),
      this.retention.task(),
      orphanChunks(this.chunks),
      expiredSessions(this.auth),
      packCompaction(this.chunks),
      this.replication.runs.task(),
      this.seedMigration.targets.task(),
      ...this.invoicing.tasks(),
    ]);
  }
}
