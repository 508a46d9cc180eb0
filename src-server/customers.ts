import type { List, ListQuery } from '../src-shared/api/common.js';
import { CUSTOMER_LIST, type Customer, type CustomerCreate, type CustomerPatch, type DeletionPreview, type ReplicationMode } from '../src-shared/api/customers.js';
import type { AuditLog } from './audit.js';
import type { Principal } from './auth.js';
import { conflict, fieldConflict, nameTaken, notFound, replicaReadOnly } from './errors.js';
import type { McalPool } from './mcal.js';
import type { Resellers } from './resellers.js';
import { bool, listSource, nameKey, newId, nowIso, type Store } from './store.js';

export interface CustomerRow {
  id: string;
  reseller_id: string;
  name: string;
  name_key: string;
  email: string;
  mcals_allotted: number | null;
  mcals_used: number;
  space_allotted: number | null;
  space_used: number;
  client_count: number;
  auto_authorization: number;
  active: number;
  replication_mode: string;
  invoicing_enabled: number;
  created_at: string;
  /** Set on a replica: the server it is copied from. */
  replica_server_id: string | null;
  replica_server_name: string | null;
}

export const toCustomer = (r: CustomerRow): Customer => ({
  id: r.id,
  resellerId: r.reseller_id,
  name: r.name,
  email: r.email,
  mcalsAllotted: r.mcals_allotted,
  mcalsUsed: r.mcals_used,
  spaceAllotted: r.space_allotted,
  spaceUsed: r.space_used,
  autoAuthorization: bool(r.auto_authorization),
  active: bool(r.active),
  clientCount: r.client_count,
  createdAt: r.created_at,
  replication: { mode: r.replication_mode as ReplicationMode },
  invoicing: { enabled: bool(r.invoicing_enabled) },
  replicaOf: r.replica_server_id ? { serverId: r.replica_server_id, serverName: r.replica_server_name ?? '' } : null,
});

/** Refuses a management change to a replica (REPLICA_READ_ONLY): it changes only through its source. */
export function assertWritable(row: Pick<CustomerRow, 'name' | 'replica_server_id' | 'replica_server_name'>): void {
  if (row.replica_server_id) throw replicaReadOnly(row.name, row.replica_server_name ?? 'its source server');
}

export const CUSTOMER_ROWS = listSource(CUSTOMER_LIST, {
  select: '*',
  from: 'customers',
  sort: {
    id: 'id',
    resellerId: 'reseller_id',
    name: 'name_key',
    email: 'email',
    mcalsAllotted: 'mcals_allotted',
    mcalsUsed: 'mcals_used',
    spaceAllotted: 'space_allotted',
    spaceUsed: 'space_used',
    autoAuthorization: 'auto_authorization',
    active: 'active',
    clientCount: 'client_count',
    createdAt: 'created_at',
  },
  search: { name: 'name_key' },
  tieBreak: 'id',
});

/** Deletes one client with its data (Clients.purge); given, not imported, since clients belong to customers. */
export type PurgeClient = (actor: string, clientId: string, reason: string) => unknown;

export class Customers {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly pool: McalPool,
    private readonly resellers: Resellers,
    private readonly purgeClient: PurgeClient,
  ) {}

  /** The customer as `principal` may see it: another reseller's customer does not exist for them. */
  row(principal: Principal, id: string): CustomerRow {
    const row = this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', id);
    if (!row || (principal.role === 'reseller' && row.reseller_id !== principal.resellerId)) throw notFound('Customer');
    return row;
  }

  get(principal: Principal, id: string): Customer {
    return toCustomer(this.row(principal, id));
  }

  list(principal: Principal, resellerId: string, query: ListQuery): List<Customer> {
    this.resellers.assertVisible(principal, resellerId);
    return this.store.list<CustomerRow, Customer>(
      { ...CUSTOMER_ROWS, where: 'reseller_id = ?', params: [resellerId] },
      query,
      toCustomer,
    );
  }

  create(principal: Principal, resellerId: string, input: CustomerCreate): Customer {
    this.resellers.assertVisible(principal, resellerId);
    return this.store.write(() => {
      this.assertNameFree(input.name);
      const mcalsAllotted = input.mcalsAllotted ?? null;
      this.pool.assertAllotment(null, mcalsAllotted);
      const id = newId('cus');
      this.store.run(
        `INSERT INTO customers (id, reseller_id, name, name_key, email, mcals_allotted, space_allotted, auto_authorization, active, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        resellerId,
        input.name.trim(),
        nameKey(input.name),
        input.email ?? '',
        mcalsAllotted,
        input.spaceAllotted ?? null,
        input.autoAuthorization === false ? 0 : 1,
        input.active === false ? 0 : 1,
        nowIso(),
      );
      const created = this.get(principal, id);
      this.audit.record(principal, { action: 'customer.create', objectType: 'customer', objectId: id, objectName: created.name, resellerId, after: created });
      return created;
    });
  }

  update(principal: Principal, id: string, patch: CustomerPatch): Customer {
    return this.store.write(() => {
      const row = this.row(principal, id);
      assertWritable(row);
      const before = toCustomer(row);
      if (patch.name !== undefined && nameKey(patch.name) !== row.name_key) this.assertNameFree(patch.name);
      if (patch.mcalsAllotted !== undefined) this.pool.assertAllotment(row, patch.mcalsAllotted);
      if (patch.spaceAllotted !== undefined && patch.spaceAllotted !== null && patch.spaceAllotted < row.space_used) {
        throw fieldConflict('spaceAllotted', `spaceAllotted: ${patch.spaceAllotted} bytes is less than the ${row.space_used} bytes this customer already stores.`, { spaceUsed: row.space_used });
      }
      const next = { ...before, ...patch, name: patch.name?.trim() ?? before.name };
      this.store.run(
        `UPDATE customers SET name = ?, name_key = ?, email = ?, mcals_allotted = ?, space_allotted = ?, auto_authorization = ?, active = ? WHERE id = ?`,
        next.name,
        nameKey(next.name),
        next.email,
        next.mcalsAllotted,
        next.spaceAllotted,
        next.autoAuthorization ? 1 : 0,
        next.active ? 1 : 0,
        id,
      );
      const after = this.get(principal, id);
      this.audit.record(principal, { action: 'customer.update', objectType: 'customer', objectId: id, objectName: after.name, resellerId: row.reseller_id, before, after });
      return after;
    });
  }

  deletionPreview(principal: Principal, id: string): DeletionPreview {
    const row = this.row(principal, id);
    const counts = this.store.get<{ schedules: number }>(
      'SELECT count(*) AS schedules FROM schedules s JOIN clients c ON c.id = s.client_id WHERE c.customer_id = ?',
      id,
    )!;
    return { clients: row.client_count, schedules: counts.schedules, bytes: row.space_used };
  }

  delete(principal: Principal, id: string): void {
    this.store.write(() => {
      const row = this.row(principal, id);
      // Deleting is the one change a replica allows, to an administrator (API.md).
      if (principal.role !== 'admin') assertWritable(row);
      const running = this.store.get(
        `SELECT 1 FROM backup_reports r JOIN schedules s ON s.id = r.schedule_id JOIN clients c ON c.id = s.client_id
         WHERE r.status = 'running' AND c.customer_id = ? LIMIT 1`,
        id,
      );
      if (running) throw conflict(`Customer "${row.name}" has a backup running; wait for it to finish, then delete the customer.`);
      const clientIds = this.store.all<{ id: string }>('SELECT id FROM clients WHERE customer_id = ?', id);
      for (const c of clientIds) this.purgeClient(principal.username, c.id, 'customer deleted');
      this.store.run('DELETE FROM customers WHERE id = ?', id);
      this.audit.record(principal, { action: 'customer.delete', objectType: 'customer', objectId: id, objectName: row.name, resellerId: row.reseller_id, before: toCustomer(row) });
    });
  }

  /** Customer names are unique case-insensitively across every reseller (API.md). */
  private assertNameFree(name: string): void {
    if (this.store.get('SELECT 1 FROM customers WHERE name_key = ?', nameKey(name))) {
      throw nameTaken(`name: a customer named "${name.trim()}" already exists on this server; choose another name.`);
    }
  }
}
