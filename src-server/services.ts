import type { ServerInfo, ServerPatch } from '../src-shared/api/session.js';
import type { TrialSettings } from '../src-shared/api/trial.js';
import path from 'node:path';
import { AuditLog } from './audit.js';
import { Backups } from './dataplane/backups.js';
import { ChunkIndex } from './dataplane/chunk-index.js';
import { PackFiles } from './dataplane/pack-files.js';
import { BackupPolicy } from './dataplane/policy.js';
import { Auth, type Principal } from './auth.js';
import { Clients } from './clients.js';
import { Customers } from './customers.js';
import type { Db } from './db/database.js';
import { Jobs } from './jobs.js';
import { Maintenance } from './maintenance.js';
import { McalPool } from './mcal.js';
import { assertAdmin, Resellers } from './resellers.js';
import { Schedules } from './schedules.js';
import { Settings } from './settings.js';
import { Store } from './store.js';

export const SERVER_VERSION = '1.0.0';

/** Every domain service of the server, wired to one database. Routes call these; nothing else touches SQL. */
export class Services {
  readonly store: Store;
  readonly settings: Settings;
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
  readonly maintenance: Maintenance;

  constructor(db: Db, dataDir: string) {
    this.store = new Store(db);
    this.chunks = new ChunkIndex(this.store, new PackFiles(path.join(dataDir, 'chunks')));
    this.settings = new Settings(this.store);
    this.audit = new AuditLog(this.store);
    this.auth = new Auth(this.store);
    this.pool = new McalPool(this.store, this.settings);
    this.resellers = new Resellers(this.store, this.audit, this.auth, this.settings);
    this.customers = new Customers(this.store, this.audit, this.pool, this.resellers, (actor, id, reason) => this.clients.purge(actor, id, reason));
    this.clients = new Clients(this.store, this.audit, this.pool, this.settings, this.customers, this.chunks);
    this.backups = new Backups(this.store, this.chunks, new BackupPolicy(this.pool, this.settings));
    this.schedules = new Schedules(this.store, this.audit, this.clients, this.customers);
    this.jobs = new Jobs(this.store);
    this.maintenance = new Maintenance(this.store, this.settings, this.clients, this.auth, this.jobs, this.backups, this.chunks);
  }

  /**
   * Brings the chunk store in line with the database after an unclean stop: pack files the database
   * does not know (written just before a crash) are removed, and packs with dead bytes are compacted.
   */
  async tidyChunkStore(): Promise<void> {
    const known = new Set(this.store.all<{ key: string }>("SELECT owner || '/' || id AS key FROM packs").map((r) => r.key));
    this.chunks.packs.sweep((owner, packId) => known.has(`${owner}/${packId}`));
    for (const p of this.chunks.untidyPacks()) await this.chunks.compact(p.owner, [p.packId]);
  }

  serverInfo(): ServerInfo {
    const pool = this.pool.status();
    const onPremise = this.settings.get('deployment') === 'on-premise';
    return {
      name: this.settings.get('name'),
      version: SERVER_VERSION,
      deployment: this.settings.get('deployment'),
      resellerManagement: this.settings.get('resellerManagement'),
      mcalPool: { total: pool.total, allotted: pool.allotted, used: pool.used },
      features: { replication: onPremise, seedMigration: onPremise },
    };
  }

  updateServer(principal: Principal, patch: ServerPatch): ServerInfo {
    assertAdmin(principal);
    return this.store.write(() => {
      const before = this.serverInfo();
      if (patch.mcalPoolTotal !== undefined) {
        this.pool.assertPoolTotal(patch.mcalPoolTotal);
        this.settings.set('mcalPoolTotal', patch.mcalPoolTotal);
      }
      if (patch.name !== undefined) this.settings.set('name', patch.name.trim());
      if (patch.resellerManagement !== undefined) this.settings.set('resellerManagement', patch.resellerManagement);
      const after = this.serverInfo();
      this.audit.record(principal, { action: 'server.update', objectType: 'server', objectId: 'server', objectName: after.name, resellerId: null, before, after });
      return after;
    });
  }

  trialSettings(principal: Principal): TrialSettings {
    assertAdmin(principal);
    return this.settings.get('trial');
  }

  updateTrialSettings(principal: Principal, next: TrialSettings): TrialSettings {
    assertAdmin(principal);
    return this.store.write(() => {
      const before = this.settings.get('trial');
      this.settings.set('trial', next);
      this.audit.record(principal, { action: 'trial-settings.update', objectType: 'trial-settings', objectId: 'trial-settings', objectName: 'Trial Client Settings', resellerId: null, before: { ...before }, after: { ...next } });
      return next;
    });
  }
}
