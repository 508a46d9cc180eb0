import type { AgentRegister, AgentRegistered } from '../src-shared/api/agent.js';
import type { Client, ClientCreate, ClientCreated, ClientPatch } from '../src-shared/api/clients.js';
import type { List, ListQuery } from '../src-shared/api/common.js';
import type { AuditLog } from './audit.js';
import { hashToken, newToken, type Principal } from './auth.js';
import { assertWritable, type CustomerRow, type Customers } from './customers.js';
import { ownerOf, type ChunkIndex } from './dataplane/chunk-index.js';
import { ApiError, badRequest, conflict, nameTaken, notFound, replicaReadOnly } from './errors.js';
import type { McalPool } from './mcal.js';
import { assertAdmin } from './resellers.js';
import type { Settings } from './settings.js';
import { CLIENT_ROWS, COLUMNS, toClient, type ClientRow } from './client-rows.js';
import { nameKey, newId, nowIso, type Store } from './store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Adds one entry to the deleted report. */
type DeletedRecorder = (what: { kind: 'client' | 'schedule' | 'backup'; scheduleId: string | null; scheduleName: string | null; bytes: number }) => void;

/**
 * Why something is deleted, for the deleted report; `UNREPORTED` when a replica applies its source's
 * deletion, whose entries arrive with the source's own deleted report.
 */
export const UNREPORTED = Symbol('unreported');
type Reason = string | typeof UNREPORTED;

export class Clients {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly pool: McalPool,
    private readonly settings: Settings,
    private readonly customers: Customers,
    private readonly chunks: ChunkIndex,
  ) {}

  /** The client as `principal` may see it. Trial clients belong to no reseller: only the admin sees them. */
  row(principal: Principal, id: string): ClientRow {
    // A client still being seeded here from another server is not this server's yet.
    const row = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ? AND incoming_from IS NULL`, id);
    if (!row) throw notFound('Client');
    if (principal.role === 'reseller') {
      const owner = row.customer_id && this.store.get<{ reseller_id: string }>('SELECT reseller_id FROM customers WHERE id = ?', row.customer_id);
      if (!owner || owner.reseller_id !== principal.resellerId) throw notFound('Client');
    }
    return row;
  }

  /** A client by id, whoever asks (for the server's own work, such as keeping a replica). */
  rowById(id: string): ClientRow {
    const row = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, id);
    if (!row) throw notFound('Client');
    return row;
  }

  /**
   * The client, for a change: refused when it belongs to a replica (REPLICA_READ_ONLY), and when it has
   * moved to another server (409; only deleting it, which drops its redirect, is allowed).
   */
  writable(principal: Principal, id: string, change: 'change' | 'delete' = 'change'): ClientRow {
    const row = this.row(principal, id);
    if (row.status === 'moved' && change === 'change') throw conflict(`Client "${row.name}" has moved to another server; change it there (only deleting its redirect is possible here).`);
    const customer = row.customer_id ? this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', row.customer_id) : undefined;
    if (customer) assertWritable(customer);
    return row;
  }

  get(principal: Principal, id: string): Client {
    return toClient(this.row(principal, id));
  }

  list(principal: Principal, customerId: string, query: ListQuery): List<Client> {
    this.customers.row(principal, customerId);
    return this.store.list<ClientRow, Client>(
      { ...CLIENT_ROWS, where: 'customer_id = ? AND incoming_from IS NULL', params: [customerId] },
      query,
      toClient,
    );
  }

  /** Every client of the server, across customers (administrator only): the seed migration's picker. */
  listAll(principal: Principal, query: ListQuery): List<Client> {
    assertAdmin(principal);
    return this.store.list<ClientRow, Client>({ ...CLIENT_ROWS, where: 'incoming_from IS NULL', params: [] }, query, toClient);
  }

  listTrial(principal: Principal, query: ListQuery): List<Client> {
    assertAdmin(principal);
    return this.store.list<ClientRow, Client>(
      { ...CLIENT_ROWS, where: 'customer_id IS NULL AND trial = 1 AND incoming_from IS NULL', params: [] },
      query,
      toClient,
    );
  }

  /** "Add New Client": a pending client and the one-time key its agent registers with. */
  create(principal: Principal, customerId: string, input: ClientCreate): ClientCreated {
    return this.store.write(() => {
      const customer = this.customers.row(principal, customerId);
      assertWritable(customer);
      const registrationKey = newToken();
      const client = this.insert(customer, input.name, '', '', hashToken(registrationKey));
      this.audit.record(principal, { action: 'client.create', objectType: 'client', objectId: client.id, objectName: client.name, resellerId: customer.reseller_id, after: client });
      return { client, registrationKey };
    });
  }

  update(principal: Principal, id: string, patch: ClientPatch): Client {
    return this.store.write(() => {
      const row = this.writable(principal, id);
      if (row.customer_id) this.assertNameFree(row.customer_id, patch.name, id);
      this.store.run('UPDATE clients SET name = ? WHERE id = ?', patch.name.trim(), id);
      const after = this.get(principal, id);
      this.audit.record(principal, { action: 'client.update', objectType: 'client', objectId: id, objectName: after.name, resellerId: this.resellerOf(row), before: toClient(row), after });
      return after;
    });
  }

  authorize(principal: Principal, id: string): Client {
    return this.store.write(() => {
      const row = this.writable(principal, id);
      if (row.status === 'authorized') return toClient(row);
      const customer = this.customers.row(principal, row.customer_id!);
      this.pool.assertCanConsume(customer);
      this.consume(row.id, customer.id);
      const after = this.get(principal, id);
      this.audit.record(principal, { action: 'client.authorize', objectType: 'client', objectId: id, objectName: row.name, resellerId: customer.reseller_id, before: toClient(row), after });
      return after;
    });
  }

  delete(principal: Principal, id: string): void {
    this.store.write(() => {
      const row = this.writable(principal, id, 'delete');
      this.assertNoBackupRunning(row);
      this.purge(principal.username, id, 'client deleted');
      this.audit.record(principal, { action: 'client.delete', objectType: 'client', objectId: id, objectName: row.name, resellerId: this.resellerOf(row), before: toClient(row) });
    });
  }

  /**
   * Client Migration: a trial client to a paid customer, or a client from one customer to another.
   * The target must have room for the client's MCAL (when it holds or would hold one) and its data.
   */
  async migrate(principal: Principal, id: string, targetCustomerId: string): Promise<Client> {
    const check = () => {
      const row = this.writable(principal, id);
      if (row.customer_id === targetCustomerId) throw conflict(`Client "${row.name}" already belongs to that customer.`);
      this.assertNoBackupRunning(row);
      const target = this.customers.row(principal, targetCustomerId);
      assertWritable(target);
      this.assertNameFree(target.id, row.name);
      const consumes = row.status === 'authorized';
      if (consumes && !this.staysInPool(row, target)) this.pool.assertCanConsume(target);
      if (target.space_allotted !== null && target.space_used + row.space_used > target.space_allotted) {
        throw new ApiError('QUOTA_EXCEEDED', `Customer "${target.name}" has ${target.space_allotted - target.space_used} bytes of allotted space left; the client stores ${row.space_used}.`, {
          spaceFree: target.space_allotted - target.space_used,
          clientSpaceUsed: row.space_used,
        });
      }
      const scheduleIds = this.store.all<{ id: string }>('SELECT id FROM schedules WHERE client_id = ?', id).map((s) => s.id);
      return { row, target, consumes, scheduleIds };
    };
    // The client's data moves to the target's chunk store: copy what it lacks first (slow, outside the
    // transaction), then switch everything over at once, checking again in case anything changed meanwhile.
    const first = check();
    const from = ownerOf(first.row);
    const copied = await this.chunks.copyForSchedules(from, targetCustomerId, first.scheduleIds);
    try {
      return this.store.write(() => {
        const { row, target, consumes, scheduleIds } = check();
        const packs = this.chunks.release(from, new Set(scheduleIds));
        this.detach({ ...row, space_used: this.store.get<{ space_used: number }>('SELECT space_used FROM clients WHERE id = ?', id)!.space_used });
        this.store.run('UPDATE clients SET customer_id = ?, trial = 0, trial_expires_at = NULL, mcal_consumed = ? WHERE id = ?', target.id, consumes ? 1 : 0, id);
        this.store.run(
          'UPDATE customers SET client_count = client_count + 1, mcals_used = mcals_used + ?, space_used = space_used + (SELECT space_used FROM clients WHERE id = ?) WHERE id = ?',
          consumes ? 1 : 0,
          id,
          target.id,
        );
        this.chunks.adopt(target.id, copied, scheduleIds);
        this.chunks.compactLater(from, packs);
        const after = this.get(principal, id);
        this.audit.record(principal, { action: 'client.migrate', objectType: 'client', objectId: id, objectName: row.name, resellerId: target.reseller_id, before: toClient(row), after });
        return after;
      });
    } catch (err) {
      await this.chunks.discard(targetCustomerId, copied);
      throw err;
    }
  }

  /** POST /agent/register: a machine joins by registration key, by customer name, or as a trial. */
  register(input: AgentRegister): AgentRegistered {
    const modes = [input.key !== undefined, input.customer !== undefined, input.trial === true].filter(Boolean).length;
    if (modes !== 1) throw badRequest('key', 'Give exactly one of key, customer or trial.');
    const token = newToken();
    return this.store.write(() => {
      let client: Client;
      if (input.key !== undefined) {
        const row = this.store.get<ClientRow & { agent_token_hash: string | null }>(
          `SELECT ${COLUMNS}, agent_token_hash FROM clients WHERE registration_key_hash = ?`,
          hashToken(input.key),
        );
        if (!row) throw new ApiError('UNAUTHENTICATED', 'The registration key is not valid; copy it again from "Add New Client".');
        // The key proves an administrator added this machine, so it is authorized when an MCAL is free.
        const customer = this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', row.customer_id)!;
        if (row.status === 'pending' && this.pool.canConsume(customer)) this.consume(row.id, customer.id);
        this.store.run(
          'UPDATE clients SET hostname = ?, os = ?, registration_key_hash = NULL, agent_token_hash = ? WHERE id = ?',
          input.hostname ?? '',
          input.os ?? '',
          hashToken(token),
          row.id,
        );
        client = toClient(this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, row.id)!);
      } else if (input.customer !== undefined) {
        const customer = this.store.get<CustomerRow>('SELECT * FROM customers WHERE name_key = ?', nameKey(input.customer));
        if (!customer) throw notFound(`Customer "${input.customer}"`);
        if (customer.replica_server_id) throw replicaReadOnly(customer.name, customer.replica_server_name ?? 'its source server', 'agent');
        client = this.insert(customer, input.name, input.hostname ?? '', input.os ?? '', null, hashToken(token));
        if (customer.auto_authorization && this.pool.canConsume(customer)) {
          this.consume(client.id, customer.id);
          client = { ...client, status: 'authorized', mcalConsumed: true };
        }
      } else {
        const createdAt = Date.now();
        const id = newId('cli');
        this.store.run(
          `INSERT INTO clients (id, customer_id, name, hostname, os, status, trial, trial_expires_at, agent_token_hash, created_at)
           VALUES (?, NULL, ?, ?, ?, 'authorized', 1, ?, ?, ?)`,
          id,
          input.name.trim(),
          input.hostname ?? '',
          input.os ?? '',
          nowIso(createdAt + this.settings.get('trial').trialDays * DAY_MS),
          hashToken(token),
          nowIso(createdAt),
        );
        client = toClient(this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, id)!);
      }
      return { token, client };
    });
  }

  /** Where a moved client lives now (the 410 CLIENT_MOVED details), or null. */
  movedTo(clientId: string): Record<string, unknown> | null {
    const row = this.store.get<{ moved_to: string | null }>('SELECT moved_to FROM clients WHERE id = ?', clientId);
    return row?.moved_to ? (JSON.parse(row.moved_to) as Record<string, unknown>) : null;
  }

  /** The client an agent token belongs to, or null. */
  byAgentToken(token: string): ClientRow | null {
    return this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE agent_token_hash = ?`, hashToken(token)) ?? null;
  }

  /**
   * Removes a client with its schedules and backups, frees its MCAL and space, and records each removed
   * backup, schedule and the client itself in the deleted report. Call inside `store.write`.
   */
  purge(deletedBy: string, clientId: string, reason: Reason): number {
    const row = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, clientId)!;
    const record = this.deletedReport(row, deletedBy, reason);
    const schedules = this.store.all<{ id: string }>('SELECT id FROM schedules WHERE client_id = ?', clientId).map((s) => s.id);
    this.dropSchedules(row, schedules, record);
    record({ kind: 'client', scheduleId: null, scheduleName: null, bytes: row.space_used });
    // Dropping the schedules already took the bytes of freed chunks off the client and its customer; the rest goes now.
    this.detach({ ...row, space_used: this.store.get<{ space_used: number }>('SELECT space_used FROM clients WHERE id = ?', clientId)!.space_used });
    this.store.run('DELETE FROM clients WHERE id = ?', clientId);
    return row.space_used;
  }

  /** Removes schedules of the client `row` (see dropSchedules), as one deletion in the deleted report. Call inside `store.write`. */
  purgeSchedules(deletedBy: string, row: ClientRow, scheduleIds: readonly string[], reason: Reason): void {
    this.dropSchedules(row, scheduleIds, this.deletedReport(row, deletedBy, reason));
  }

  /**
   * Removes schedules of a client with their backups and reports, frees the chunks no other schedule of
   * the owner uses (the rest is counted against a schedule that uses them), and records each removed
   * backup and schedule.
   */
  private dropSchedules(row: ClientRow, scheduleIds: readonly string[], record: DeletedRecorder): void {
    const schedules = this.store.all<{ id: string; name: string; space_used: number }>(
      'SELECT id, name, space_used FROM schedules WHERE client_id = ? AND id IN (SELECT value FROM json_each(?))',
      row.id,
      JSON.stringify(scheduleIds),
    );
    const owner = ownerOf(row);
    const packs = this.chunks.release(owner, new Set(schedules.map((s) => s.id)));
    for (const s of schedules) {
      const backups = this.store.all<{ bytes: number }>('SELECT bytes FROM backups WHERE schedule_id = ? ORDER BY created_at', s.id);
      for (const b of backups) record({ kind: 'backup', scheduleId: s.id, scheduleName: s.name, bytes: b.bytes });
      record({ kind: 'schedule', scheduleId: s.id, scheduleName: s.name, bytes: s.space_used });
      for (const table of ['backups', 'backup_reports', 'restore_reports']) this.store.run(`DELETE FROM ${table} WHERE schedule_id = ?`, s.id);
      this.store.run('DELETE FROM schedules WHERE id = ?', s.id);
    }
    this.chunks.compactLater(owner, packs);
  }

  /** Records the entries of one deletion of (part of) a client in the deleted report: same time, same reseller. */
  deletedReport(row: ClientRow, deletedBy: string, reason: Reason): DeletedRecorder {
    if (reason === UNREPORTED) return () => {};
    const resellerId = this.resellerOf(row);
    const at = nowIso();
    return (what) =>
      this.store.run(
        `INSERT INTO deleted_reports (id, reseller_id, customer_id, client_id, schedule_id, deleted_at, deleted_by, kind, client_name, schedule_name, bytes, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        newId('del'),
        resellerId,
        row.customer_id,
        row.id,
        what.scheduleId,
        at,
        deletedBy,
        what.kind,
        row.name,
        what.scheduleName,
        what.bytes,
        reason,
      );
  }

  /** Takes a client's counts off its customer (MCAL, space, client count). */
  private detach(row: ClientRow): void {
    // A moved client, and one still being seeded here, count in no total.
    if (!row.customer_id || row.status === 'moved' || row.incoming_from) return;
    this.store.run(
      'UPDATE customers SET client_count = client_count - 1, mcals_used = mcals_used - ?, space_used = space_used - ? WHERE id = ?',
      row.mcal_consumed,
      row.space_used,
      row.customer_id,
    );
  }

  private consume(clientId: string, customerId: string): void {
    this.store.run("UPDATE clients SET status = 'authorized', mcal_consumed = 1 WHERE id = ?", clientId);
    this.store.run('UPDATE customers SET mcals_used = mcals_used + 1 WHERE id = ?', customerId);
  }

  /**
   * A client moving between two customers that both draw from the pool frees its MCAL as it takes the new
   * one, so the pool's balance does not change and needs no room.
   */
  private staysInPool(moving: ClientRow, target: CustomerRow): boolean {
    if (!moving.mcal_consumed || !moving.customer_id || target.mcals_allotted !== null) return false;
    return this.store.get<{ mcals_allotted: number | null }>('SELECT mcals_allotted FROM customers WHERE id = ?', moving.customer_id)!.mcals_allotted === null;
  }

  private insert(customer: CustomerRow, name: string, hostname: string, os: string, keyHash: string | null, tokenHash: string | null = null): Client {
    this.assertNameFree(customer.id, name);
    const id = newId('cli');
    this.store.run(
      `INSERT INTO clients (id, customer_id, name, hostname, os, status, registration_key_hash, agent_token_hash, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
      id,
      customer.id,
      name.trim(),
      hostname,
      os,
      keyHash,
      tokenHash,
      nowIso(),
    );
    this.store.run('UPDATE customers SET client_count = client_count + 1 WHERE id = ?', customer.id);
    return toClient(this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, id)!);
  }

  private assertNameFree(customerId: string, name: string, exceptId = ''): void {
    if (this.store.get('SELECT 1 FROM clients WHERE customer_id = ? AND lower(name) = lower(?) AND id <> ?', customerId, name.trim(), exceptId)) {
      throw nameTaken(`name: this customer already has a client named "${name.trim()}".`);
    }
  }

  private assertNoBackupRunning(row: ClientRow): void {
    const running = this.store.get(
      "SELECT 1 FROM backup_reports r JOIN schedules s ON s.id = r.schedule_id WHERE s.client_id = ? AND r.status = 'running' LIMIT 1",
      row.id,
    );
    if (running) throw conflict(`Client "${row.name}" has a backup running; wait for it to finish.`);
  }

  private resellerOf(row: ClientRow): string | null {
    return row.customer_id ? (this.store.get<{ reseller_id: string }>('SELECT reseller_id FROM customers WHERE id = ?', row.customer_id)?.reseller_id ?? null) : null;
  }
}
