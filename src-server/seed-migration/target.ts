import type { PackStored } from '../../src-shared/api/agent.js';
import type { PeerBackups, PeerBackupsStored, PeerSeed, PeerSeedCommit, PeerSeedParams, PeerSeedSummary } from '../../src-shared/api/peer.js';
import type { AuditLog } from '../audit.js';
import type { Principal } from '../auth.js';
import { UNREPORTED, type Clients } from '../clients.js';
import { COLUMNS, toClient, type ClientRow } from '../client-rows.js';
import type { CustomerRow, Customers } from '../customers.js';
import { ownerOf, type ChunkIndex } from '../dataplane/chunk-index.js';
import type { PackUpload } from '../dataplane/pack-verifier.js';
import { badRequest, conflict, fieldConflict, notFound } from '../errors.js';
import type { McalPool } from '../mcal.js';
import type { CopyReceiver, CopyScope } from '../replication/copy-receiver.js';
import { assertAdmin, type Resellers } from '../resellers.js';
import type { Settings } from '../settings.js';
import type { ScheduledTask } from '../scheduler.js';
import { nameKey, nowIso, type Store } from '../store.js';

const deletedBy = (serverName: string) => `seed migration from ${serverName}`;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A seeded client its source has not taken up for this long was given up: what arrived of it goes. */
const ABANDONED_DAYS = 14;

/**
 * The target's side of a seed migration (src-shared/api/peer.ts): clients arriving from another server,
 * one at a time. Until its source hands it over, a client sits here hidden (`incoming_from`): listed
 * nowhere, counted in no total, its agent token unknown. The hand-over makes it this server's at once:
 * authorized (its MCAL taken), counted, its agent's own token valid. Every call is an administrator's of
 * this server and one transaction.
 */
export class SeedTargets {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly audit: AuditLog,
    private readonly pool: McalPool,
    private readonly customers: Customers,
    private readonly clients: Clients,
    private readonly resellers: Resellers,
    private readonly chunks: ChunkIndex,
    private readonly copies: CopyReceiver,
  ) {}

  /**
   * Takes in (or updates) the client and its schedules, creating its customer when missing; refused with
   * MCAL_EXHAUSTED, nothing written, when the customer could not take its MCAL. Answers the backups held.
   */
  seed(principal: Principal, key: PeerSeedParams, input: PeerSeed): PeerSeedSummary {
    assertAdmin(principal);
    if (key.serverId === this.settings.get('serverId')) throw conflict('A server cannot seed clients to itself: choose another target server.');
    if (input.client.id !== key.clientId) throw badRequest('client.id', `client.id: ${input.client.id} is not the client of the path (${key.clientId}).`);
    return this.store.write(() => {
      let existing = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, key.clientId);
      // Already handed over: a rerun after the source stopped between the hand-over and marking it moved.
      if (existing && !existing.incoming_from && existing.status !== 'moved') return { committed: true, backups: [] };
      if (existing?.incoming_from && existing.incoming_from !== key.serverId) throw conflict(`Client id ${key.clientId} is being seeded here from another server.`);
      const customer = input.customer ? this.customerFor(principal, input) : null;
      const customerId = customer?.id ?? null;
      if (customer && this.store.get('SELECT 1 FROM clients WHERE customer_id = ? AND lower(name) = lower(?) AND id <> ? AND incoming_from IS NULL', customer.id, input.client.name, key.clientId)) {
        throw fieldConflict('client.name', `Customer "${customer.name}" here already has a client named "${input.client.name}"; rename one of them first.`);
      }
      if (existing && existing.customer_id !== customerId) {
        // Seeded before into another customer (a rerun with another target customer): that copy goes.
        this.clients.purge(deletedBy(input.serverName), existing.id, UNREPORTED);
        existing = undefined;
      }
      const c = input.client;
      if (existing) {
        this.store.run(
          `UPDATE clients SET name = ?, hostname = ?, os = ?, status = 'pending', trial = ?, trial_expires_at = ?, mcal_consumed = 0, last_backup_at = ?, last_backup_status = ?,
             moved_to = NULL, agent_token_hash = NULL, incoming_from = ?, incoming_at = ? WHERE id = ?`,
          c.name, c.hostname, c.os, c.trial ? 1 : 0, c.trialExpiresAt, c.lastBackupAt, c.lastBackupStatus, key.serverId, nowIso(), c.id,
        );
      } else {
        this.store.run(
          `INSERT INTO clients (id, customer_id, name, hostname, os, status, trial, trial_expires_at, last_backup_at, last_backup_status, created_at, incoming_from, incoming_at)
           VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
          c.id, customerId, c.name, c.hostname, c.os, c.trial ? 1 : 0, c.trialExpiresAt, c.lastBackupAt, c.lastBackupStatus, c.createdAt, key.serverId, nowIso(),
        );
      }
      const row = this.clients.rowById(c.id);
      this.clients.purgeSchedules(deletedBy(input.serverName), row, this.copies.syncSchedules(c.id, c.schedules), UNREPORTED);
      const backups = this.store.all<{ id: string }>('SELECT b.id FROM backups b JOIN schedules s ON s.id = b.schedule_id WHERE s.client_id = ?', c.id).map((r) => r.id);
      return { committed: false, backups };
    });
  }

  missing(principal: Principal, key: PeerSeedParams, hashes: readonly string[]): string[] {
    return this.chunks.missing(ownerOf(this.incoming(principal, key)), hashes);
  }

  storePack(principal: Principal, key: PeerSeedParams, scheduleId: string, upload: PackUpload): Promise<PackStored> {
    return this.copies.storePack(this.scope(this.incoming(principal, key)), scheduleId, upload);
  }

  storeBackups(principal: Principal, key: PeerSeedParams, input: PeerBackups): PeerBackupsStored {
    return this.copies.storeBackups(this.scope(this.incoming(principal, key)), input);
  }

  /** The hand-over: the client becomes this server's, authorized and counted. Again after it went through: nothing changes. */
  commit(principal: Principal, key: PeerSeedParams, input: PeerSeedCommit): void {
    assertAdmin(principal);
    this.store.write(() => {
      const row = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, key.clientId);
      if (row && !row.incoming_from && row.status !== 'moved') return;
      if (!row || row.incoming_from !== key.serverId) throw notFound('Seeded client');
      const consumes = row.customer_id !== null && !row.trial;
      if (row.customer_id) {
        const customer = this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', row.customer_id)!;
        if (consumes) this.pool.assertCanConsume(customer);
        this.store.run(
          'UPDATE customers SET client_count = client_count + 1, mcals_used = mcals_used + ?, space_used = space_used + ? WHERE id = ?',
          consumes ? 1 : 0, row.space_used, customer.id,
        );
      }
      this.store.run("UPDATE clients SET status = 'authorized', mcal_consumed = ?, agent_token_hash = ?, incoming_from = NULL WHERE id = ?", consumes ? 1 : 0, input.agentTokenHash, row.id);
      const after = toClient(this.clients.rowById(row.id));
      const resellerId = row.customer_id ? this.store.get<{ reseller_id: string }>('SELECT reseller_id FROM customers WHERE id = ?', row.customer_id)!.reseller_id : null;
      this.audit.record(principal, { action: 'client.seed', objectType: 'client', objectId: row.id, objectName: row.name, resellerId, after });
    });
  }

  /** The source gave up on the client (its hand-over was refused): what arrived of it goes. */
  discard(principal: Principal, key: PeerSeedParams): void {
    assertAdmin(principal);
    this.store.write(() => {
      const row = this.store.get<{ incoming_from: string | null }>('SELECT incoming_from FROM clients WHERE id = ?', key.clientId);
      if (row?.incoming_from === key.serverId) this.clients.purge('seed migration', key.clientId, UNREPORTED);
    });
  }

  /**
   * The scheduled task: a client whose source has not taken it up for ABANDONED_DAYS (a migration given up)
   * goes, with what arrived of it; a resume after that sends it again in full.
   */
  task(): ScheduledTask {
    return {
      name: 'seed-leftovers',
      due: () => true,
      run: (now) => {
        const abandoned = this.store.all<{ id: string }>('SELECT id FROM clients WHERE incoming_from IS NOT NULL AND incoming_at < ?', nowIso(now - ABANDONED_DAYS * DAY_MS));
        let bytesFreed = 0;
        for (const { id } of abandoned) bytesFreed += this.store.write(() => this.clients.purge('maintenance', id, UNREPORTED));
        return { bytesFreed };
      },
    };
  }

  /** The customer the client joins: the one of that name, or a new one (under the reseller of the source's name). */
  private customerFor(principal: Principal, input: PeerSeed): CustomerRow {
    const wanted = input.customer!;
    const found = this.store.get<CustomerRow>('SELECT * FROM customers WHERE name_key = ?', nameKey(wanted.name));
    if (found?.replica_server_id) {
      throw fieldConflict('targetCustomerName', `"${found.name}" here is a read-only replica of ${found.replica_server_name ?? 'another server'}'s customer; seed into another customer (give targetCustomerName).`);
    }
    if (!input.client.trial) {
      this.pool.assertCanConsume(found ?? { name: wanted.name, mcals_allotted: null, mcals_used: 0 });
    }
    if (found) return found;
    const resellerId = this.resellers.forReplica(input.resellerName);
    const created = this.customers.create(principal, resellerId, { name: wanted.name, email: wanted.email, autoAuthorization: wanted.autoAuthorization, active: wanted.active });
    return this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', created.id)!;
  }

  /** A client being seeded here from `key.serverId`. */
  private incoming(principal: Principal, key: PeerSeedParams): ClientRow {
    assertAdmin(principal);
    const row = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ? AND incoming_from = ?`, key.clientId, key.serverId);
    if (!row) throw notFound('Seeded client');
    return row;
  }

  private scope(row: ClientRow): CopyScope {
    return {
      owner: ownerOf(row),
      resellerId: row.customer_id ? (this.store.get<{ reseller_id: string }>('SELECT reseller_id FROM customers WHERE id = ?', row.customer_id)?.reseller_id ?? null) : null,
      customerId: row.customer_id,
      schedule: (scheduleId, field) => {
        if (!this.store.get('SELECT 1 FROM schedules WHERE id = ? AND client_id = ?', scheduleId, row.id)) {
          throw badRequest(field, `${field}: schedule ${scheduleId} is not one of the seeded client's schedules; send the client first.`);
        }
      },
    };
  }
}
