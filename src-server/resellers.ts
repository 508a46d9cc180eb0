import type { List, ListQuery } from '../src-shared/api/common.js';
import { RESELLER_LIST, type Reseller, type ResellerCreate, type ResellerPatch } from '../src-shared/api/resellers.js';
import type { AuditLog } from './audit.js';
import { hashPassword, type Auth, type Principal } from './auth.js';
import { ApiError, conflict, forbidden, nameTaken, notFound } from './errors.js';
import type { Settings } from './settings.js';
import { clampedSum, listSource, nameKey, newId, nowIso, type Store } from './store.js';

export const DEFAULT_RESELLER_ID = 'default';

interface ResellerRow {
  id: string;
  name: string;
  email: string;
  builtin: number;
  created_at: string;
  customer_count: number;
  mcals_allotted: number;
  mcals_used: number;
  space_allotted: number;
  space_used: number;
}

const toReseller = (r: ResellerRow): Reseller => ({
  id: r.id,
  name: r.name,
  email: r.email,
  customerCount: r.customer_count,
  mcalsAllotted: r.mcals_allotted,
  mcalsUsed: r.mcals_used,
  spaceAllotted: r.space_allotted,
  spaceUsed: r.space_used,
  createdAt: r.created_at,
});

// Totals over a reseller's customers: resellers are few, so an aggregate per listed row is cheap. A sum is
// clamped (API.md), so no number of customers at the largest allotment can break these views.
const total = (column: string) => `(SELECT ${clampedSum(column)} FROM customers c WHERE c.reseller_id = r.id) AS ${column}`;
const SELECT = `r.id, r.name, r.email, r.builtin, r.created_at, r.name_key,
  (SELECT count(*) FROM customers c WHERE c.reseller_id = r.id) AS customer_count,
  ${['mcals_allotted', 'mcals_used', 'space_allotted', 'space_used'].map(total).join(',\n  ')}`;

export const RESELLER_ROWS = listSource(RESELLER_LIST, {
  select: SELECT,
  from: 'resellers r',
  sort: {
    name: 'r.name_key',
    email: 'r.email',
    customerCount: 'customer_count',
    mcalsAllotted: 'mcals_allotted',
    mcalsUsed: 'mcals_used',
    spaceAllotted: 'space_allotted',
    spaceUsed: 'space_used',
    createdAt: 'r.created_at',
  },
  search: { name: 'r.name_key' },
  tieBreak: 'r.id',
});

export class Resellers {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly auth: Auth,
    private readonly settings: Settings,
  ) {}

  /** A reseller may only reach its own reseller; for it every other one does not exist. */
  assertVisible(principal: Principal, id: string): void {
    if (principal.role === 'reseller' && principal.resellerId !== id) throw notFound('Reseller');
    if (!this.store.get('SELECT 1 FROM resellers WHERE id = ?', id)) throw notFound('Reseller');
  }

  list(principal: Principal, query: ListQuery): List<Reseller> {
    assertAdmin(principal);
    return this.store.list<ResellerRow, Reseller>(
      { ...RESELLER_ROWS, where: '1', params: [] },
      query,
      toReseller,
    );
  }

  get(principal: Principal, id: string): Reseller {
    this.assertVisible(principal, id);
    return toReseller(this.store.get<ResellerRow>(`SELECT ${SELECT} FROM resellers r WHERE r.id = ?`, id)!);
  }

  /**
   * The reseller a replica sits under (API.md): the one of that name, created without a login when missing;
   * `default` without reseller management. Call inside `store.write`.
   */
  forReplica(name: string): string {
    if (!this.settings.get('resellerManagement')) return DEFAULT_RESELLER_ID;
    const found = this.store.get<{ id: string }>('SELECT id FROM resellers WHERE name_key = ?', nameKey(name));
    if (found) return found.id;
    const id = newId('rsl');
    this.store.run('INSERT INTO resellers (id, name, name_key, created_at) VALUES (?, ?, ?, ?)', id, name.trim(), nameKey(name), nowIso());
    return id;
  }

  async create(principal: Principal, input: ResellerCreate): Promise<Reseller> {
    assertAdmin(principal);
    if (!this.settings.get('resellerManagement')) {
      throw new ApiError('FEATURE_UNAVAILABLE', 'Reseller management is off on this server; turn it on in the server settings first.');
    }
    const passwordHash = await hashPassword(input.password);
    return this.store.write(() => {
      const name = input.name.trim();
      this.assertNameFree(name);
      const id = newId('rsl');
      this.store.run('INSERT INTO resellers (id, name, name_key, email, created_at) VALUES (?, ?, ?, ?, ?)', id, name, nameKey(name), input.email ?? '', nowIso());
      this.auth.createUser(name, passwordHash, 'reseller', id);
      const created = this.get(principal, id);
      this.audit.record(principal, { action: 'reseller.create', objectType: 'reseller', objectId: id, objectName: name, resellerId: id, after: { ...created, password: true } });
      return created;
    });
  }

  async update(principal: Principal, id: string, patch: ResellerPatch): Promise<Reseller> {
    assertAdmin(principal);
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    return this.store.write(() => {
      const before = this.get(principal, id);
      const name = patch.name?.trim() ?? before.name;
      if (nameKey(name) !== nameKey(before.name)) this.assertNameFree(name);
      this.store.run('UPDATE resellers SET name = ?, name_key = ?, email = ? WHERE id = ?', name, nameKey(name), patch.email ?? before.email, id);
      // The reseller's login is its name (API.md), so a rename renames the login too.
      this.store.run('UPDATE users SET username = ?, username_key = ? WHERE reseller_id = ?', name, nameKey(name), id);
      if (passwordHash) {
        this.store.run('UPDATE users SET password_hash = ? WHERE reseller_id = ?', passwordHash, id);
        this.store.run('DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE reseller_id = ?)', id);
      }
      const after = this.get(principal, id);
      this.audit.record(principal, {
        action: 'reseller.update',
        objectType: 'reseller',
        objectId: id,
        objectName: name,
        resellerId: id,
        before,
        after: passwordHash ? { ...after, password: true } : after,
      });
      return after;
    });
  }

  delete(principal: Principal, id: string): void {
    assertAdmin(principal);
    this.store.write(() => {
      const before = this.get(principal, id);
      if (id === DEFAULT_RESELLER_ID) throw conflict('The built-in reseller "default" cannot be deleted.');
      if (before.customerCount > 0) {
        throw conflict(`Reseller "${before.name}" still has ${before.customerCount} customers; delete or move them first.`, { customerCount: before.customerCount });
      }
      this.store.run('DELETE FROM resellers WHERE id = ?', id);
      this.audit.record(principal, { action: 'reseller.delete', objectType: 'reseller', objectId: id, objectName: before.name, resellerId: id, before });
    });
  }

  /** Reseller names double as usernames, so they must not collide with any login either. */
  private assertNameFree(name: string): void {
    const key = nameKey(name);
    if (this.store.get('SELECT 1 FROM resellers WHERE name_key = ? UNION SELECT 1 FROM users WHERE username_key = ?', key, key)) {
      throw nameTaken(`name: a reseller or user named "${name}" already exists; choose another name.`);
    }
  }
}

export function assertAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw forbidden('Only the server administrator can do this.');
}
