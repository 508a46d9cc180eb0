import type { PackStored } from '../../src-shared/api/agent.js';
import type { PeerBackups, PeerBackupsStored, PeerCustomerSync, PeerReplicaParams, PeerReplicaSummary } from '../../src-shared/api/peer.js';
import type { Principal } from '../auth.js';
import { UNREPORTED, type Clients } from '../clients.js';
import type { CustomerRow } from '../customers.js';
import type { ChunkIndex } from '../dataplane/chunk-index.js';
import type { PackUpload } from '../dataplane/pack-verifier.js';
import { badRequest, conflict, nameTaken, notFound } from '../errors.js';
import { assertAdmin, type Resellers } from '../resellers.js';
import type { Settings } from '../settings.js';
import { nameKey, type Store } from '../store.js';
import type { CopyReceiver, CopyScope } from './copy-receiver.js';

/** Who the replica's own deletions are by, in its deleted report. */
const deletedBy = (serverName: string) => `replication from ${serverName}`;

/**
 * The replication server's side of the peer API (src-shared/api/peer.ts): it keeps read-only copies of
 * other servers' customers, each keyed by (source server id, source customer id) and holding the source's
 * ids, so an agent's `--backup ID` and its token work on both. Every call is an administrator's of this
 * server; each is one transaction (a pack: written, then indexed), so a copy is never half-applied.
 */
export class Replicas {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly chunks: ChunkIndex,
    private readonly clients: Clients,
    private readonly resellers: Resellers,
    private readonly copies: CopyReceiver,
  ) {}

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
  storePack(principal: Principal, key: PeerReplicaParams, scheduleId: string, upload: PackUpload): Promise<PackStored> {
    return this.copies.storePack(this.scope(this.replica(principal, key)), scheduleId, upload);
  }

  /** Commits backups of the copy (a backup only once every chunk it uses is here), and its reports and deleted report entries since the last run. */
  storeBackups(principal: Principal, key: PeerReplicaParams, input: PeerBackups): PeerBackupsStored {
    return this.copies.storeBackups(this.scope(this.replica(principal, key)), input);
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

  private scope(customer: CustomerRow): CopyScope {
    return {
      owner: customer.id,
      resellerId: customer.reseller_id,
      customerId: customer.id,
      schedule: (scheduleId, field) => {
        const found = this.store.get('SELECT 1 FROM schedules s JOIN clients c ON c.id = s.client_id WHERE s.id = ? AND c.customer_id = ?', scheduleId, customer.id);
        if (!found) throw badRequest(field, `${field}: schedule ${scheduleId} is not one of this replica's schedules; send the customer first.`);
      },
    };
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
      this.clients.purgeSchedules(by, row, this.copies.syncSchedules(client.id, client.schedules), UNREPORTED);
    });
  }
}
