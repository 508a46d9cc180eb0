import type { PackStored } from '../../src-shared/api/agent.js';
import type { PeerBackups, PeerBackupsStored, PeerCustomerSync, PeerReplicaParams, PeerReplicaSummary } from '../../src-shared/api/peer.js';
import type { Principal } from '../auth.js';
import { UNREPORTED, type Clients } from '../clients.js';
import type { CustomerRow } from '../customers.js';
import type { ChunkIndex } from '../dataplane/chunk-index.js';
import { Manifests } from '../dataplane/manifests.js';
import type { PackUpload, PackVerifier } from '../dataplane/pack-verifier.js';
import { ApiError, badRequest, conflict, nameTaken, notFound } from '../errors.js';
import { assertAdmin, type Resellers } from '../resellers.js';
import type { Settings } from '../settings.js';
import { nameKey, type Store } from '../store.js';

/** Who the replica's own deletions are by, in its deleted report. */
const deletedBy = (serverName: string) => `replication from ${serverName}`;

/**
 * The replication server's side of the peer API (src-shared/api/peer.ts): it keeps read-only copies of
 * other servers' customers, each keyed by (source server id, source customer id) and holding the source's
 * ids, so an agent's `--backup ID` and its token work on both. Every call is an administrator's of this
 * server; each is one transaction (a pack: written, then indexed), so a copy is never half-applied.
 */
export class Replicas {
  private readonly manifests: Manifests;

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly chunks: ChunkIndex,
    private readonly clients: Clients,
    private readonly resellers: Resellers,
    private readonly verifier: PackVerifier,
  ) {
    this.manifests = new Manifests(store);
  }

  /** Creates or updates the copy with the source's clients and schedules; removes what the source no longer has (its deleted report entries follow). */
  sync(principal: Principal, key: PeerReplicaParams, input: PeerCustomerSync): PeerReplicaSummary {
    assertAdmin(principal);
    if (key.serverId === this.settings.get('serverId')) throw conflict('A server cannot replicate to itself: configure another server as its replication server.');
    return this.store.write(() => {
      const existing = this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', key.customerId);
      if (existing && existing.replica_server_id !== key.serverId) {
        throw conflict(`Customer id ${key.customerId} exists on this server and is not a replica of server ${key.serverId}.`);
      }
      const clash = this.store.get<CustomerRow>('SELECT * FROM customers WHERE name_key = ? AND id <> ?', nameKey(input.customer.name), key.customerId);
      if (clash) {
        throw nameTaken(
          clash.replica_server_id
            ? `name: "${clash.name}" is already a replica of ${clash.replica_server_name} here; two sources never share one copy. Rename one of the customers.`
            : `name: a customer named "${clash.name}" already exists on this replication server; rename one of them.`,
        );
      }
      const resellerId = this.resellers.forReplica(input.resellerName);
      const c = input.customer;
      if (existing) {
        this.store.run(
          `UPDATE customers SET reseller_id = ?, name = ?, name_key = ?, email = ?, mcals_allotted = ?, space_allotted = ?, auto_authorization = ?, active = ?, replica_server_name = ? WHERE id = ?`,
          resellerId, c.name, nameKey(c.name), c.email, c.mcalsAllotted, c.spaceAllotted, c.autoAuthorization ? 1 : 0, c.active ? 1 : 0, input.serverName, key.customerId,
        );
      } else {
        this.store.run(
          `INSERT INTO customers (id, reseller_id, name, name_key, email, mcals_allotted, space_allotted, auto_authorization, active, replication_mode, created_at, replica_server_id, replica_server_name)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'off', ?, ?, ?)`,
          key.customerId, resellerId, c.name, nameKey(c.name), c.email, c.mcalsAllotted, c.spaceAllotted, c.autoAuthorization ? 1 : 0, c.active ? 1 : 0, c.createdAt, key.serverId, input.serverName,
        );
      }
      this.syncClients(key.customerId, input);
      const backups = this.store
        .all<{ id: string }>('SELECT b.id FROM backups b JOIN schedules s ON s.id = b.schedule_id JOIN clients cl ON cl.id = s.client_id WHERE cl.customer_id = ?', key.customerId)
        .map((r) => r.id);
      return { customerId: key.customerId, backups };
    });
  }

  missing(principal: Principal, key: PeerReplicaParams, hashes: readonly string[]): string[] {
    return this.chunks.missing(this.replica(principal, key).id, hashes);
  }

  /** Stores chunks of the copy, each checked against its name, counted against one of its schedules. */
  async storePack(principal: Principal, key: PeerReplicaParams, scheduleId: string, upload: PackUpload): Promise<PackStored> {
    const customer = this.replica(principal, key);
    this.schedule(customer.id, scheduleId, 'schedule');
    const pack = await this.verifier.verify(upload);
    try {
      return await this.chunks.add(customer.id, scheduleId, pack.chunks);
    } finally {
      pack.release();
    }
  }

  receivePack(...args: Parameters<PackVerifier['receive']>): Promise<PackUpload> {
    return this.verifier.receive(...args);
  }

  /** Commits backups of the copy (a backup only once every chunk it uses is here), and its reports and deleted report entries since the last run. */
  storeBackups(principal: Principal, key: PeerReplicaParams, input: PeerBackups): PeerBackupsStored {
    const customer = this.replica(principal, key);
    return this.store.write(() => {
      let stored = 0;
      input.backups.forEach((b, i) => {
        this.schedule(customer.id, b.scheduleId, `backups[${i}].scheduleId`);
        if (this.store.get('SELECT 1 FROM backups WHERE id = ?', b.id)) return;
        this.store.run('INSERT INTO backups (id, schedule_id, created_at, files, bytes) VALUES (?, ?, ?, ?, ?)', b.id, b.scheduleId, b.createdAt, b.files, b.bytes);
        const uses = this.manifests.saveStored(b.id, { baseId: b.manifest.baseId, depth: b.manifest.depth, entries: Buffer.from(b.manifest.entries, 'base64') });
        const absent = this.chunks.reference(b.scheduleId, customer.id, uses);
        if (absent.length) throw new ApiError('CONFLICT', `This server lacks ${absent.length} chunks backup ${b.id} uses; send them, then the backup again.`, { missing: absent.slice(0, 1000) });
        stored++;
      });
      input.backupReports.forEach((r, i) => {
        this.schedule(customer.id, r.scheduleId, `backupReports[${i}].scheduleId`);
        this.store.run(
          `INSERT INTO backup_reports (id, schedule_id, started_at, finished_at, status, files_scanned, files_uploaded, bytes_scanned, bytes_uploaded, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status, files_scanned = excluded.files_scanned, files_uploaded = excluded.files_uploaded,
             bytes_scanned = excluded.bytes_scanned, bytes_uploaded = excluded.bytes_uploaded, error = excluded.error`,
          r.id, r.scheduleId, r.startedAt, r.finishedAt, r.status, r.filesScanned, r.filesUploaded, r.bytesScanned, r.bytesUploaded, r.error,
        );
      });
      input.restoreReports.forEach((r, i) => {
        this.schedule(customer.id, r.scheduleId, `restoreReports[${i}].scheduleId`);
        this.store.run(
          `INSERT INTO restore_reports (id, schedule_id, started_at, finished_at, status, files, bytes, target, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status, files = excluded.files, bytes = excluded.bytes, error = excluded.error`,
          r.id, r.scheduleId, r.startedAt, r.finishedAt, r.status, r.files, r.bytes, r.target, r.error,
        );
      });
      for (const d of input.deleted) {
        this.store.run(
          `INSERT OR IGNORE INTO deleted_reports (id, reseller_id, customer_id, client_id, schedule_id, deleted_at, deleted_by, kind, client_name, schedule_name, bytes, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          d.id, customer.reseller_id, customer.id, d.clientId, d.scheduleId, d.deletedAt, d.deletedBy, d.kind, d.clientName, d.scheduleName, d.bytes, d.reason,
        );
      }
      return { backups: stored };
    });
  }

  /** The source deleted the customer: the copy goes, its clients and backups recorded in this server's deleted report. */
  remove(principal: Principal, key: PeerReplicaParams): void {
    assertAdmin(principal);
    this.store.write(() => {
      const customer = this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ? AND replica_server_id = ?', key.customerId, key.serverId);
      if (!customer) return;
      const by = deletedBy(customer.replica_server_name ?? key.serverId);
      for (const c of this.store.all<{ id: string }>('SELECT id FROM clients WHERE customer_id = ?', customer.id)) this.clients.purge(by, c.id, 'customer deleted at its source server');
      this.store.run('DELETE FROM customers WHERE id = ?', customer.id);
    });
  }

  private replica(principal: Principal, key: PeerReplicaParams): CustomerRow {
    assertAdmin(principal);
    const row = this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ? AND replica_server_id = ?', key.customerId, key.serverId);
    if (!row) throw notFound('Replica');
    return row;
  }

  private schedule(customerId: string, scheduleId: string, field: string): void {
    const found = this.store.get('SELECT 1 FROM schedules s JOIN clients c ON c.id = s.client_id WHERE s.id = ? AND c.customer_id = ?', scheduleId, customerId);
    if (!found) throw badRequest(field, `${field}: schedule ${scheduleId} is not one of this replica's schedules; send the customer first.`);
  }

  /** The copy's clients and schedules become the source's: upserted by id, the others removed with their data. */
  private syncClients(customerId: string, input: PeerCustomerSync): void {
    const by = deletedBy(input.serverName);
    const keep = new Set(input.clients.map((c) => c.id));
    for (const gone of this.store.all<{ id: string }>('SELECT id FROM clients WHERE customer_id = ?', customerId).filter((c) => !keep.has(c.id))) {
      this.clients.purge(by, gone.id, UNREPORTED);
    }
    input.clients.forEach((client, i) => {
      const owner = this.store.get<{ customer_id: string | null }>('SELECT customer_id FROM clients WHERE id = ?', client.id);
      if (owner && owner.customer_id !== customerId) throw conflict(`clients[${i}]: client id ${client.id} belongs to another customer on this server.`, { field: `clients[${i}].id` });
      if (owner) {
        this.store.run(
          'UPDATE clients SET name = ?, hostname = ?, os = ?, status = ?, agent_token_hash = ?, last_backup_at = ?, last_backup_status = ? WHERE id = ?',
          client.name, client.hostname, client.os, client.status, client.agentTokenHash, client.lastBackupAt, client.lastBackupStatus, client.id,
        );
      } else {
        // A replica's clients consume none of this server's MCALs (API.md).
        this.store.run(
          `INSERT INTO clients (id, customer_id, name, hostname, os, status, agent_token_hash, last_backup_at, last_backup_status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          client.id, customerId, client.name, client.hostname, client.os, client.status, client.agentTokenHash, client.lastBackupAt, client.lastBackupStatus, client.createdAt,
        );
        this.store.run('UPDATE customers SET client_count = client_count + 1 WHERE id = ?', customerId);
      }
      const row = this.clients.rowById(client.id);
      const keepSchedules = new Set(client.schedules.map((s) => s.id));
      const goneSchedules = this.store.all<{ id: string }>('SELECT id FROM schedules WHERE client_id = ?', client.id).map((s) => s.id).filter((id) => !keepSchedules.has(id));
      this.clients.purgeSchedules(by, row, goneSchedules, UNREPORTED);
      for (const s of client.schedules) {
        this.store.run(
          `INSERT INTO schedules (id, client_id, name, sources, frequency, enabled, last_run_at, last_status, next_run_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, sources = excluded.sources, frequency = excluded.frequency, enabled = excluded.enabled,
             last_run_at = excluded.last_run_at, last_status = excluded.last_status, next_run_at = excluded.next_run_at WHERE schedules.client_id = excluded.client_id`,
          s.id, client.id, s.name, JSON.stringify(s.sources), JSON.stringify(s.frequency), s.enabled ? 1 : 0, s.lastRunAt, s.lastStatus, s.nextRunAt, s.createdAt,
        );
      }
    });
  }
}
