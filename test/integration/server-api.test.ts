/**
 * The management API of the backup server, route by route (API.md): a real server process over HTTP on
 * 127.0.0.1 with the demo data set, shared by the whole file. Tests that change shared data create
 * their own objects or compute expectations from what the server reports, so their order matters little.
 * The last block restarts the server on an edited database to let time pass for the trial clients.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgentRegistered,
  AuditEntry,
  BackupReport,
  Client,
  ClientCreated,
  Customer,
  DeletedReport,
  DeletionPreview,
  Job,
  List,
  MaintenanceSummary,
  Reseller,
  RestoreReport,
  Schedule,
  ServerInfo,
  Session,
  TrialSettings,
} from '../../src-shared/api/index.js';
import { TestClient } from '../support/api-client.js';
import { ADMIN_PASSWORD, removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { ok, expectError } from '../support/api-assert.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const GIB = 1024 ** 3;
const DEMO_PASSWORD = 'reseller-demo';
const SERVER_ARGS = ['--demo', '--maintenance-interval', '0'];

let server: RunningServer;
let admin: TestClient;
let resellerIds: Record<string, string>;

const customersOf = async (resellerId: string, query = '') => ok(await admin.get<List<Customer>>(`/resellers/${resellerId}/customers?limit=1000${query}`));
const clientsOf = async (customerId: string) => ok(await admin.get<List<Client>>(`/customers/${customerId}/clients?limit=1000`)).items;
const schedulesOf = async (clientId: string) => ok(await admin.get<List<Schedule>>(`/clients/${clientId}/schedules?limit=1000`)).items;
const serverInfo = async () => ok(await admin.get<ServerInfo>('/server'));
const auditLog = async (query = '') => ok(await admin.get<List<AuditEntry>>(`/audit-log?limit=1000${query}`));
let uniqueCounter = 0;
const unique = (prefix: string) => `${prefix} ${process.pid}-${++uniqueCounter}`;

async function createCustomer(resellerId: string, body: Record<string, unknown> = {}): Promise<Customer> {
  return ok(await admin.post<Customer>(`/resellers/${resellerId}/customers`, { name: unique('Test Customer'), ...body }), 201);
}

/** A demo client that stores data and has schedules with backups, from the given reseller. */
async function clientWithData(resellerId: string, skip = 0): Promise<{ customer: Customer; client: Client }> {
  const customers = (await customersOf(resellerId, '&sort=-spaceUsed')).items.filter((c) => c.active);
  let seen = 0;
  for (const customer of customers) {
    for (const client of await clientsOf(customer.id)) {
      if (client.status === 'authorized' && client.spaceUsed > 0 && seen++ === skip) return { customer, client };
    }
  }
  throw new Error('the demo data has no client with data');
}

beforeAll(async () => {
  server = await startServer({ args: SERVER_ARGS });
  admin = await new TestClient(server.api).login();
  const resellers = ok(await admin.get<List<Reseller>>('/resellers?limit=1000'));
  resellerIds = Object.fromEntries(resellers.items.map((r) => [r.name, r.id]));
});

afterAll(async () => {
  if (server) {
    await server.stop();
    await removeDir(server.dataDir);
  }
});

describe('session', () => {
  it('signs the admin in with a 256-bit token that expires in the future', async () => {
    const session = ok(await new TestClient(server.api).post<Session>('/session', { username: 'admin', password: ADMIN_PASSWORD }));
    expect(session.role).toBe('admin');
    expect(session.resellerId).toBeNull();
    expect(Buffer.from(session.token, 'base64url').length).toBeGreaterThanOrEqual(32);
    const expires = Date.parse(session.expiresAt);
    expect(expires).toBeGreaterThan(Date.now() + 60 * 60 * 1000);
    expect(expires).toBeLessThan(Date.now() + 31 * DAY_MS);
  });

  it('signs a reseller in with its own reseller id', async () => {
    const session = ok(await new TestClient(server.api).post<Session>('/session', { username: 'Northwind IT', password: DEMO_PASSWORD }));
    expect(session.role).toBe('reseller');
    expect(session.resellerId).toBe(resellerIds['Northwind IT']);
  });

  it('refuses a wrong password and an unknown user alike with 401', async () => {
    const anon = new TestClient(server.api);
    expectError(await anon.post('/session', { username: 'Contoso Managed Services', password: 'wrong-password' }), 401, 'UNAUTHENTICATED');
    expectError(await anon.post('/session', { username: 'nobody-here', password: 'wrong-password' }), 401, 'UNAUTHENTICATED');
  });

  it('refuses management routes without a token or with an unknown token', async () => {
    expectError(await new TestClient(server.api).get('/server'), 401, 'UNAUTHENTICATED');
    expectError(await new TestClient(server.api, 'A'.repeat(43)).get('/server'), 401, 'UNAUTHENTICATED');
    expectError(await new TestClient(server.api).request('GET', '/customers/x', undefined, { authorization: 'Basic YWRtaW46eA==' }), 401, 'UNAUTHENTICATED');
  });

  it('DELETE /session invalidates that token only', async () => {
    const session = await new TestClient(server.api).login();
    ok(await session.get('/server'));
    const res = await session.delete('/session');
    expect(res.status).toBe(204);
    expectError(await session.get('/server'), 401, 'UNAUTHENTICATED');
    expectError(await session.delete('/session'), 401, 'UNAUTHENTICATED');
    ok(await admin.get('/server'));
  });

  it('locks a username out after 5 failures within 5 minutes, even with the right password', async () => {
    const name = unique('Lockout Probe');
    const password = 'the-right-password';
    ok(await admin.post('/resellers', { name, password }), 201);
    const anon = new TestClient(server.api);
    for (let i = 0; i < 5; i++) expectError(await anon.post('/session', { username: name, password: `wrong-${i}` }), 401, 'UNAUTHENTICATED');
    const locked = expectError(await anon.post('/session', { username: name, password }), 429, 'RATE_LIMITED');
    const retryAfter = locked.details?.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThan(200);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // The username is matched case-insensitively, so changing its case does not get around the lock.
    expectError(await anon.post('/session', { username: name.toUpperCase(), password }), 429, 'RATE_LIMITED');
    // Other users are not affected.
    await new TestClient(server.api).login();
  });

  it('does not lock out after 4 failures, and a success resets the count', async () => {
    const name = unique('Almost Locked');
    const password = 'the-right-password';
    ok(await admin.post('/resellers', { name, password }), 201);
    const anon = new TestClient(server.api);
    for (let i = 0; i < 4; i++) expectError(await anon.post('/session', { username: name, password: 'wrong-password' }), 401, 'UNAUTHENTICATED');
    ok(await anon.post('/session', { username: name, password }));
    for (let i = 0; i < 4; i++) expectError(await anon.post('/session', { username: name, password: 'wrong-password' }), 401, 'UNAUTHENTICATED');
    ok(await anon.post('/session', { username: name, password }));
  });
});

describe('server', () => {
  it('GET /server reports the deployment and an MCAL pool that adds up over all customers', async () => {
    const info = await serverInfo();
    expect(info).toMatchObject({ version: expect.any(String), deployment: 'on-premise', resellerManagement: true, features: { replication: true, seedMigration: true } });
    let allotted = 0;
    let used = 0;
    for (const id of Object.values(resellerIds)) {
      for (const c of (await customersOf(id)).items) {
        allotted += c.mcalsAllotted ?? 0;
        used += c.mcalsUsed;
      }
    }
    expect(info.mcalPool).toEqual({ total: 1000, allotted, used });
    expect(used).toBeGreaterThan(250);
  });

  it('PATCH /server renames the server and is audited with before and after', async () => {
    const before = await serverInfo();
    const after = ok(await admin.patch<ServerInfo>('/server', { name: '  Main Office Backup  ' }));
    expect(after.name).toBe('Main Office Backup');
    expect((await serverInfo()).name).toBe('Main Office Backup');
    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ actor: 'admin', role: 'admin', action: 'server.update', objectType: 'server' });
    expect(entry.before).toMatchObject({ name: before.name });
    expect(entry.after).toMatchObject({ name: 'Main Office Backup' });
  });

  it('PATCH /server changes the pool total, but not below what is allotted and used', async () => {
    const { mcalPool } = await serverInfo();
    expect(ok(await admin.patch<ServerInfo>('/server', { mcalPoolTotal: 1200 })).mcalPool.total).toBe(1200);
    expect((await serverInfo()).mcalPool.total).toBe(1200);
    expectError(await admin.patch('/server', { mcalPoolTotal: mcalPool.allotted - 1 }), 409, 'CONFLICT', /mcalPoolTotal/);
    expect((await serverInfo()).mcalPool.total).toBe(1200);
    ok(await admin.patch('/server', { mcalPoolTotal: 1000 }));
  });

  it('PATCH /server turns reseller management off, which stops new resellers', async () => {
    expect(ok(await admin.patch<ServerInfo>('/server', { resellerManagement: false })).resellerManagement).toBe(false);
    expectError(await admin.post('/resellers', { name: unique('No Management'), password: 'long-enough' }), 409, 'FEATURE_UNAVAILABLE');
    expect(ok(await admin.patch<ServerInfo>('/server', { resellerManagement: true })).resellerManagement).toBe(true);
    ok(await admin.post('/resellers', { name: unique('Management Back'), password: 'long-enough' }), 201);
  });
});

describe('resellers', () => {
  it('GET /resellers lists the built-in and demo resellers with totals over their customers', async () => {
    const list = ok(await admin.get<List<Reseller>>('/resellers?limit=1000'));
    expect(list.total).toBe(list.items.length);
    const names = list.items.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'Northwind IT', 'Contoso Managed Services', 'Fabrikam Cloud']));
    const fabrikam = list.items.find((r) => r.name === 'Fabrikam Cloud')!;
    const customers = (await customersOf(fabrikam.id)).items;
    expect(fabrikam).toMatchObject({
      email: 'billing@fabrikam.example',
      customerCount: customers.length,
      mcalsAllotted: customers.reduce((n, c) => n + (c.mcalsAllotted ?? 0), 0),
      mcalsUsed: customers.reduce((n, c) => n + c.mcalsUsed, 0),
      spaceAllotted: customers.reduce((n, c) => n + (c.spaceAllotted ?? 0), 0),
      spaceUsed: customers.reduce((n, c) => n + c.spaceUsed, 0),
    });
    expect(fabrikam.customerCount).toBeGreaterThanOrEqual(20);
  });

  it('GET /resellers sorts and filters', async () => {
    const byCount = ok(await admin.get<List<Reseller>>('/resellers?sort=-customerCount&limit=1000')).items;
    for (let i = 1; i < byCount.length; i++) expect(byCount[i - 1]!.customerCount).toBeGreaterThanOrEqual(byCount[i]!.customerCount);
    const filtered = ok(await admin.get<List<Reseller>>('/resellers?q=FABRIKAM'));
    expect(filtered.total).toBe(1);
    expect(filtered.items[0]!.name).toBe('Fabrikam Cloud');
  });

  it('POST /resellers creates a reseller with a login named like it; GET /resellers/:id reads it', async () => {
    const name = unique('Adventure Works');
    const created = ok(await admin.post<Reseller>('/resellers', { name, email: 'ops@adventure.example', password: 'adventure-pass' }), 201);
    expect(created).toMatchObject({ name, email: 'ops@adventure.example', customerCount: 0, mcalsAllotted: 0, mcalsUsed: 0, spaceAllotted: 0, spaceUsed: 0 });
    expect(ok(await admin.get<Reseller>(`/resellers/${created.id}`))).toEqual(created);
    const session = ok(await new TestClient(server.api).post<Session>('/session', { username: name.toLowerCase(), password: 'adventure-pass' }));
    expect(session).toMatchObject({ role: 'reseller', resellerId: created.id });
    expectError(await admin.get('/resellers/rsl_doesnotexist'), 404, 'NOT_FOUND');
  });

  it('refuses a reseller name that is taken (case-insensitively), also by the admin login', async () => {
    const before = ok(await admin.get<List<Reseller>>('/resellers')).total;
    expectError(await admin.post('/resellers', { name: 'NORTHWIND it', password: 'long-enough' }), 409, 'NAME_TAKEN', /name/);
    expectError(await admin.post('/resellers', { name: 'Admin', password: 'long-enough' }), 409, 'NAME_TAKEN', /name/);
    expect(ok(await admin.get<List<Reseller>>('/resellers')).total).toBe(before);
  });

  it('PATCH /resellers/:id renames the login with it and a new password ends its sessions', async () => {
    const name = unique('Rename Me');
    const created = ok(await admin.post<Reseller>('/resellers', { name, password: 'first-password' }), 201);
    const session = await new TestClient(server.api).login(name, 'first-password');
    const renamed = ok(await admin.patch<Reseller>(`/resellers/${created.id}`, { name: `${name} Renamed`, email: 'new@rename.example' }));
    expect(renamed).toMatchObject({ id: created.id, name: `${name} Renamed`, email: 'new@rename.example' });
    expectError(await new TestClient(server.api).post('/session', { username: name, password: 'first-password' }), 401, 'UNAUTHENTICATED');
    await new TestClient(server.api).login(`${name} Renamed`, 'first-password');
    ok(await session.get('/server')); // a rename alone keeps the sessions

    ok(await admin.patch(`/resellers/${created.id}`, { password: 'second-password' }));
    expectError(await session.get('/server'), 401, 'UNAUTHENTICATED');
    expectError(await new TestClient(server.api).post('/session', { username: `${name} Renamed`, password: 'first-password' }), 401, 'UNAUTHENTICATED');
    await new TestClient(server.api).login(`${name} Renamed`, 'second-password');

    const entries = (await auditLog(`&q=${encodeURIComponent(name)}`)).items.filter((e) => e.objectId === created.id);
    expect(entries.map((e) => e.action)).toEqual(['reseller.update', 'reseller.update', 'reseller.create']);
    expect(JSON.stringify(entries)).not.toMatch(/first-password|second-password/);
  });

  it('DELETE /resellers/:id refuses a reseller with customers and the built-in default reseller', async () => {
    const northwind = resellerIds['Northwind IT']!;
    const before = ok(await admin.get<Reseller>(`/resellers/${northwind}`));
    expectError(await admin.delete(`/resellers/${northwind}`), 409, 'CONFLICT', /customers/);
    expect(ok(await admin.get<Reseller>(`/resellers/${northwind}`)).customerCount).toBe(before.customerCount);
    expectError(await admin.delete('/resellers/default'), 409, 'CONFLICT', /default/);
    expect(ok(await admin.get<Reseller>('/resellers/default')).name).toBe('default');
  });

  it('DELETE /resellers/:id removes an empty reseller and its login', async () => {
    const name = unique('Short Lived');
    const created = ok(await admin.post<Reseller>('/resellers', { name, password: 'short-lived-pw' }), 201);
    const session = await new TestClient(server.api).login(name, 'short-lived-pw');
    expect((await admin.delete(`/resellers/${created.id}`)).status).toBe(204);
    expectError(await admin.get(`/resellers/${created.id}`), 404, 'NOT_FOUND');
    expectError(await session.get('/server'), 401, 'UNAUTHENTICATED');
    expectError(await new TestClient(server.api).post('/session', { username: name, password: 'short-lived-pw' }), 401, 'UNAUTHENTICATED');
    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ action: 'reseller.delete', objectId: created.id, objectName: name, after: null });
    expect(entry.before).toMatchObject({ name });
  });
});

describe('list conventions (on a demo reseller’s customers)', () => {
  type Field = keyof Customer;
  const SCALARS: Field[] = ['name', 'email', 'mcalsAllotted', 'mcalsUsed', 'spaceAllotted', 'spaceUsed', 'autoAuthorization', 'active', 'clientCount', 'createdAt'];
  /** How the API orders a field: names case-insensitively, null ("unlimited") above every number. */
  const key = (c: Customer, field: Field): string | number => {
    const v = c[field];
    if (field === 'name') return (v as string).toLowerCase();
    if (v === null) return Number.POSITIVE_INFINITY;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return v as string | number;
  };

  let all: Customer[];
  let rid: string;
  beforeAll(async () => {
    rid = resellerIds['Contoso Managed Services']!;
    all = (await customersOf(rid)).items;
  });

  it('returns every item with the total, sorted by name by default', async () => {
    const list = ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers`));
    expect(list.total).toBe(all.length);
    expect(list.total).toBeGreaterThanOrEqual(20);
    expect(list.items.map((c) => c.name)).toEqual([...all].sort((a, b) => (key(a, 'name') < key(b, 'name') ? -1 : 1)).map((c) => c.name));
  });

  it('pages with offset and limit: pages do not overlap and the total stays the full count', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < all.length; offset += 7) {
      const page = ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?offset=${offset}&limit=7`));
      expect(page.total).toBe(all.length);
      expect(page.items.length).toBe(Math.min(7, all.length - offset));
      seen.push(...page.items.map((c) => c.id));
    }
    expect(seen).toEqual(all.map((c) => c.id));
    const beyond = ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?offset=${all.length + 5}&limit=7`));
    expect(beyond).toEqual({ items: [], total: all.length });
  });

  it.each(SCALARS)('sorts by %s ascending and, with "-", descending', async (field) => {
    for (const descending of [false, true]) {
      const items = ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?limit=1000&sort=${descending ? '-' : ''}${field}`)).items;
      expect(items.length).toBe(all.length);
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [key(items[i - 1]!, field), key(items[i]!, field)];
        expect(descending ? a >= b : a <= b, `${field} ${descending ? 'desc' : 'asc'} at ${i}: ${a} then ${b}`).toBe(true);
      }
    }
  });

  it('filters with q by a case-insensitive substring of the name', async () => {
    const word = all[0]!.name.split(' ')[0]!;
    const expected = all.filter((c) => c.name.toLowerCase().includes(word.toLowerCase()));
    const list = ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?q=${encodeURIComponent(word.toUpperCase())}`));
    expect(list.total).toBe(expected.length);
    expect(list.items.map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());
    expect(ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?q=no-such-customer-xyz`))).toEqual({ items: [], total: 0 });
    // `%` and `_` are literal characters, not wildcards.
    expect(ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?q=%25`)).total).toBe(0);
  });

  it('accepts limit 1000 and refuses limit 1001, 0, a negative or absurd offset, an unknown sort field or parameter with 400', async () => {
    expect(ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?limit=1000`)).items.length).toBe(all.length);
    expectError(await admin.get(`/resellers/${rid}/customers?limit=1001`), 400, 'BAD_REQUEST', /limit/);
    expectError(await admin.get(`/resellers/${rid}/customers?limit=0`), 400, 'BAD_REQUEST', /limit/);
    expectError(await admin.get(`/resellers/${rid}/customers?limit=ten`), 400, 'BAD_REQUEST', /limit/);
    expectError(await admin.get(`/resellers/${rid}/customers?offset=-1`), 400, 'BAD_REQUEST', /offset/);
    expectError(await admin.get(`/resellers/${rid}/customers?offset=100000000000000000000`), 400, 'BAD_REQUEST', /offset/);
    expectError(await admin.get('/audit-log?offset=100000000000000000000'), 400, 'BAD_REQUEST', /offset/);
    expectError(await admin.get(`/resellers/${rid}/customers?sort=password`), 400, 'BAD_REQUEST', /sort/);
    expectError(await admin.get(`/resellers/${rid}/customers?page=2`), 400, 'BAD_REQUEST', /page/);
    expectError(await admin.get('/audit-log?limit=1001'), 400, 'BAD_REQUEST', /limit/);
    expectError(await admin.get('/resellers?limit=1001'), 400, 'BAD_REQUEST', /limit/);
  });
});

describe('customers', () => {
  it('POST /resellers/:rid/customers creates a customer with the documented defaults', async () => {
    const rid = resellerIds['Fabrikam Cloud']!;
    const count = ok(await admin.get<Reseller>(`/resellers/${rid}`)).customerCount;
    const name = unique('Tailspin Toys');
    const created = ok(await admin.post<Customer>(`/resellers/${rid}/customers`, { name: `  ${name}  ` }), 201);
    expect(created).toEqual({
      id: expect.any(String),
      resellerId: rid,
      name,
      email: '',
      mcalsAllotted: null,
      mcalsUsed: 0,
      spaceAllotted: null,
      spaceUsed: 0,
      autoAuthorization: true,
      active: true,
      clientCount: 0,
      createdAt: expect.any(String),
      replication: { mode: 'inherit' },
      invoicing: { enabled: false },
      replicaOf: null,
    });
    expect(Math.abs(Date.parse(created.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(ok(await admin.get<Customer>(`/customers/${created.id}`))).toEqual(created);
    expect(ok(await admin.get<Reseller>(`/resellers/${rid}`)).customerCount).toBe(count + 1);
    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ action: 'customer.create', objectType: 'customer', objectId: created.id, objectName: name, before: null });
    expect(entry.after).toMatchObject({ name, resellerId: rid });
  });

  it('POST takes every optional field', async () => {
    const created = await createCustomer('default', { email: 'it@wingtip.example', mcalsAllotted: 3, spaceAllotted: 50 * GIB, autoAuthorization: false, active: false });
    expect(created).toMatchObject({ email: 'it@wingtip.example', mcalsAllotted: 3, spaceAllotted: 50 * GIB, autoAuthorization: false, active: false });
    expect(ok(await admin.get<Customer>(`/customers/${created.id}`))).toEqual(created);
  });

  it('PATCH /customers/:id changes every field, including autoAuthorization and active, and audits before/after', async () => {
    const created = await createCustomer('default');
    const name = unique('Patched Customer');
    const patched = ok(
      await admin.patch<Customer>(`/customers/${created.id}`, { name, email: 'billing@patched.example', mcalsAllotted: 2, spaceAllotted: GIB, autoAuthorization: false, active: false }),
    );
    expect(patched).toEqual({ ...created, name, email: 'billing@patched.example', mcalsAllotted: 2, spaceAllotted: GIB, autoAuthorization: false, active: false });
    expect(ok(await admin.get<Customer>(`/customers/${created.id}`))).toEqual(patched);
    const reverted = ok(await admin.patch<Customer>(`/customers/${created.id}`, { mcalsAllotted: null, spaceAllotted: null, autoAuthorization: true, active: true }));
    expect(reverted).toMatchObject({ name, mcalsAllotted: null, spaceAllotted: null, autoAuthorization: true, active: true });
    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ action: 'customer.update', objectId: created.id });
    expect(entry.before).toMatchObject({ active: false, mcalsAllotted: 2 });
    expect(entry.after).toMatchObject({ active: true, mcalsAllotted: null });
  });

  it('keeps customer names unique across all resellers, case-insensitively (409 NAME_TAKEN)', async () => {
    const demoName = (await customersOf(resellerIds['Northwind IT']!)).items[0]!.name;
    const before = (await customersOf(resellerIds['Fabrikam Cloud']!)).total;
    expectError(await admin.post(`/resellers/${resellerIds['Fabrikam Cloud']}/customers`, { name: demoName.toUpperCase() }), 409, 'NAME_TAKEN', /name/);
    expectError(await admin.post('/resellers/default/customers', { name: ` ${demoName.toLowerCase()} ` }), 409, 'NAME_TAKEN', /name/);
    expect((await customersOf(resellerIds['Fabrikam Cloud']!)).total).toBe(before);

    // Unicode: another case and another normalization of the same name are the same name.
    const accented = unique('Ärztehaus Café');
    await createCustomer('default', { name: accented });
    expectError(await admin.post(`/resellers/${resellerIds['Contoso Managed Services']}/customers`, { name: accented.toLowerCase().normalize('NFD') }), 409, 'NAME_TAKEN');

    const mine = await createCustomer('default');
    expectError(await admin.patch(`/customers/${mine.id}`, { name: demoName.toLowerCase() }), 409, 'NAME_TAKEN', /name/);
    expect(ok(await admin.get<Customer>(`/customers/${mine.id}`)).name).toBe(mine.name);
    // Changing only the case of its own name is fine.
    expect(ok(await admin.patch<Customer>(`/customers/${mine.id}`, { name: mine.name.toUpperCase() })).name).toBe(mine.name.toUpperCase());
  });

  it('refuses a space allotment below the space already used (409) and keeps the old one', async () => {
    const { customer } = await clientWithData(resellerIds['Fabrikam Cloud']!);
    expectError(await admin.patch(`/customers/${customer.id}`, { spaceAllotted: customer.spaceUsed - 1 }), 409, 'CONFLICT', /spaceAllotted/);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).spaceAllotted).toBe(customer.spaceAllotted);
    expect(ok(await admin.patch<Customer>(`/customers/${customer.id}`, { spaceAllotted: customer.spaceUsed })).spaceAllotted).toBe(customer.spaceUsed);
    ok(await admin.patch(`/customers/${customer.id}`, { spaceAllotted: customer.spaceAllotted }));
  });

  it('answers 404 for a customer that does not exist, on every route', async () => {
    const id = 'cus_nonexistent';
    expectError(await admin.get(`/customers/${id}`), 404, 'NOT_FOUND');
    expectError(await admin.patch(`/customers/${id}`, { active: false }), 404, 'NOT_FOUND');
    expectError(await admin.delete(`/customers/${id}`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/customers/${id}/deletion-preview`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/customers/${id}/clients`), 404, 'NOT_FOUND');
    expectError(await admin.post(`/customers/${id}/clients`, { name: 'PC' }), 404, 'NOT_FOUND');
    expectError(await admin.get(`/customers/${id}/reports/deleted`), 404, 'NOT_FOUND');
    expectError(await admin.get('/resellers/rsl_nonexistent/customers'), 404, 'NOT_FOUND');
    expectError(await admin.post('/resellers/rsl_nonexistent/customers', { name: unique('Orphan') }), 404, 'NOT_FOUND');
  });

  it('GET /customers/:id/deletion-preview counts the clients, schedules and bytes that a delete removes', async () => {
    const { customer } = await clientWithData(resellerIds['Northwind IT']!);
    const clients = await clientsOf(customer.id);
    let schedules = 0;
    for (const c of clients) schedules += (await schedulesOf(c.id)).length;
    const preview = ok(await admin.get<DeletionPreview>(`/customers/${customer.id}/deletion-preview`));
    expect(preview).toEqual({ clients: clients.length, schedules, bytes: clients.reduce((n, c) => n + c.spaceUsed, 0) });
    expect(preview.bytes).toBe(customer.spaceUsed);
    expect(preview.schedules).toBeGreaterThan(0);
  });

  it('DELETE /customers/:id removes its clients and data, frees MCALs and space, and records every client, schedule and backup', async () => {
    // A customer with an MCAL allotment, so both the allotment and the usage go back to the pool.
    const rid = resellerIds['Fabrikam Cloud']!;
    const customers = (await customersOf(rid)).items.filter((c) => c.mcalsAllotted !== null && c.mcalsUsed > 0 && c.spaceUsed > 0);
    const customer = customers[0]!;
    const clients = await clientsOf(customer.id);
    const schedules = new Map<string, Schedule[]>();
    for (const c of clients) schedules.set(c.id, await schedulesOf(c.id));
    const aSchedule = [...schedules.values()].flat()[0]!;
    const poolBefore = (await serverInfo()).mcalPool;
    const resellerBefore = ok(await admin.get<Reseller>(`/resellers/${rid}`));
    const deletedBefore = ok(await admin.get<List<DeletedReport>>(`/customers/${customer.id}/reports/deleted?limit=1000`)).total;
    const preview = ok(await admin.get<DeletionPreview>(`/customers/${customer.id}/deletion-preview`));

    expect((await admin.delete(`/customers/${customer.id}`)).status).toBe(204);

    expectError(await admin.get(`/customers/${customer.id}`), 404, 'NOT_FOUND');
    for (const c of clients) expectError(await admin.get(`/clients/${c.id}`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/schedules/${aSchedule.id}/reports/backup`), 404, 'NOT_FOUND');
    expect((await serverInfo()).mcalPool).toEqual({ total: poolBefore.total, allotted: poolBefore.allotted - customer.mcalsAllotted!, used: poolBefore.used - customer.mcalsUsed });
    const resellerAfter = ok(await admin.get<Reseller>(`/resellers/${rid}`));
    expect(resellerAfter).toMatchObject({
      customerCount: resellerBefore.customerCount - 1,
      mcalsUsed: resellerBefore.mcalsUsed - customer.mcalsUsed,
      spaceUsed: resellerBefore.spaceUsed - customer.spaceUsed,
    });

    // The deleted report outlives the customer.
    const report = ok(await admin.get<List<DeletedReport>>(`/customers/${customer.id}/reports/deleted?limit=1000`));
    const fresh = report.items.filter((e) => e.reason === 'customer deleted');
    expect(report.total).toBe(deletedBefore + fresh.length);
    for (const e of fresh) expect(e.deletedBy).toBe('admin');
    const clientEntries = fresh.filter((e) => e.kind === 'client');
    expect(clientEntries.map((e) => [e.clientName, e.bytes]).sort()).toEqual(clients.map((c) => [c.name, c.spaceUsed]).sort());
    const scheduleEntries = fresh.filter((e) => e.kind === 'schedule');
    expect(scheduleEntries.length).toBe(preview.schedules);
    const expectedSchedules = clients.flatMap((c) => schedules.get(c.id)!.map((s) => [c.name, s.name, s.spaceUsed]));
    expect(scheduleEntries.map((e) => [e.clientName, e.scheduleName, e.bytes]).sort()).toEqual(expectedSchedules.sort());
    const backupEntries = fresh.filter((e) => e.kind === 'backup');
    expect(backupEntries.length).toBeGreaterThan(0);
    for (const e of backupEntries) expect(expectedSchedules.some(([c, s]) => c === e.clientName && s === e.scheduleName)).toBe(true);
    // … and each schedule's own deleted report lists its removal too.
    const scheduleReport = ok(await admin.get<List<DeletedReport>>(`/schedules/${aSchedule.id}/reports/deleted?limit=1000`));
    expect(scheduleReport.items.some((e) => e.kind === 'schedule' && e.scheduleName === aSchedule.name)).toBe(true);
    expect(scheduleReport.items.every((e) => e.scheduleName === aSchedule.name)).toBe(true);

    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ action: 'customer.delete', objectId: customer.id, objectName: customer.name, after: null });
    // The name is free again.
    await createCustomer(rid, { name: customer.name });
  });
});

describe('clients', () => {
  it('GET /customers/:id/clients lists a demo customer’s clients', async () => {
    const { customer } = await clientWithData(resellerIds['Contoso Managed Services']!);
    const list = ok(await admin.get<List<Client>>(`/customers/${customer.id}/clients`));
    expect(list.total).toBe(customer.clientCount);
    expect(list.items.filter((c) => c.mcalConsumed).length).toBe(customer.mcalsUsed);
    expect(list.items.reduce((n, c) => n + c.spaceUsed, 0)).toBe(customer.spaceUsed);
    for (const c of list.items) expect(c).toMatchObject({ customerId: customer.id, trial: false, trialExpiresAt: null });
    const sorted = ok(await admin.get<List<Client>>(`/customers/${customer.id}/clients?sort=-spaceUsed`)).items;
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.spaceUsed).toBeGreaterThanOrEqual(sorted[i]!.spaceUsed);
  });

  it('POST /customers/:id/clients adds a pending client and shows its registration key once', async () => {
    const customer = await createCustomer('default');
    const created = ok(await admin.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: 'FRONTDESK-01' }), 201);
    expect(created.registrationKey.length).toBeGreaterThanOrEqual(32);
    expect(created.client).toMatchObject({ customerId: customer.id, name: 'FRONTDESK-01', status: 'pending', trial: false, mcalConsumed: false, spaceUsed: 0, lastBackupAt: null });
    expect(ok(await admin.get<Client>(`/clients/${created.client.id}`))).toEqual(created.client);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`))).toMatchObject({ clientCount: 1, mcalsUsed: 0 });
    expect(JSON.stringify((await auditLog()).items[0])).not.toContain(created.registrationKey);
    expectError(await admin.post(`/customers/${customer.id}/clients`, { name: 'frontdesk-01' }), 409, 'NAME_TAKEN', /name/);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).clientCount).toBe(1);
  });

  it('PATCH /clients/:id renames a client, unless the customer already has that name', async () => {
    const customer = await createCustomer('default');
    const a = ok(await admin.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: 'PC-A' }), 201).client;
    ok(await admin.post(`/customers/${customer.id}/clients`, { name: 'PC-B' }), 201);
    expect(ok(await admin.patch<Client>(`/clients/${a.id}`, { name: 'PC-RENAMED' })).name).toBe('PC-RENAMED');
    expectError(await admin.patch(`/clients/${a.id}`, { name: 'pc-b' }), 409, 'NAME_TAKEN');
    expect(ok(await admin.get<Client>(`/clients/${a.id}`)).name).toBe('PC-RENAMED');
    expect((await auditLog()).items.find((e) => e.objectId === a.id && e.action === 'client.update')).toMatchObject({
      before: expect.objectContaining({ name: 'PC-A' }),
      after: expect.objectContaining({ name: 'PC-RENAMED' }),
    });
  });

  it('POST /clients/:id/authorize authorizes once and takes one MCAL', async () => {
    const customer = await createCustomer('default');
    const client = ok(await admin.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: 'SERVER-01' }), 201).client;
    const pool = (await serverInfo()).mcalPool;
    const authorized = ok(await admin.post<Client>(`/clients/${client.id}/authorize`));
    expect(authorized).toMatchObject({ status: 'authorized', mcalConsumed: true });
    expect(ok(await admin.post<Client>(`/clients/${client.id}/authorize`))).toEqual(authorized);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).mcalsUsed).toBe(1);
    expect((await serverInfo()).mcalPool.used).toBe(pool.used + 1);
    expectError(await admin.post('/clients/cli_nonexistent/authorize'), 404, 'NOT_FOUND');
  });

  it('DELETE /clients/:id removes the client, frees its MCAL and records it in the deleted report', async () => {
    const { customer, client } = await clientWithData(resellerIds['Contoso Managed Services']!, 1);
    const schedules = await schedulesOf(client.id);
    const pool = (await serverInfo()).mcalPool;
    expect((await admin.delete(`/clients/${client.id}`)).status).toBe(204);
    expectError(await admin.get(`/clients/${client.id}`), 404, 'NOT_FOUND');
    expectError(await admin.delete(`/clients/${client.id}`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/clients/${client.id}/schedules`), 404, 'NOT_FOUND');
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`))).toMatchObject({
      clientCount: customer.clientCount - 1,
      mcalsUsed: customer.mcalsUsed - 1,
      spaceUsed: customer.spaceUsed - client.spaceUsed,
    });
    expect((await serverInfo()).mcalPool.used).toBe(pool.used - 1);
    const report = ok(await admin.get<List<DeletedReport>>(`/customers/${customer.id}/reports/deleted?limit=1000`)).items;
    const mine = report.filter((e) => e.clientName === client.name && e.reason === 'client deleted' && Date.now() - Date.parse(e.deletedAt) < 60_000);
    expect(mine.filter((e) => e.kind === 'client')).toEqual([
      { id: expect.any(String), deletedAt: expect.any(String), deletedBy: 'admin', kind: 'client', clientName: client.name, scheduleName: null, bytes: client.spaceUsed, reason: 'client deleted' },
    ]);
    expect(mine.filter((e) => e.kind === 'schedule').map((e) => e.scheduleName).sort()).toEqual(schedules.map((s) => s.name).sort());
    expect(mine.some((e) => e.kind === 'backup')).toBe(true);
    expect(report[0]!.deletedAt >= report[report.length - 1]!.deletedAt).toBe(true); // newest first
  });

  it('POST /clients/:id/migrate moves a client with its MCAL and space to another customer', async () => {
    const { customer: source, client } = await clientWithData(resellerIds['Northwind IT']!, 2);
    const target = await createCustomer(resellerIds['Contoso Managed Services']!, { spaceAllotted: client.spaceUsed - 1 });
    // Space is checked like at authorization: one byte short is refused and nothing moves.
    expectError(await admin.post(`/clients/${client.id}/migrate`, { customerId: target.id }), 403, 'QUOTA_EXCEEDED');
    expect(ok(await admin.get<Client>(`/clients/${client.id}`)).customerId).toBe(source.id);
    expect(ok(await admin.get<Customer>(`/customers/${target.id}`))).toMatchObject({ clientCount: 0, spaceUsed: 0, mcalsUsed: 0 });

    ok(await admin.patch(`/customers/${target.id}`, { spaceAllotted: client.spaceUsed }));
    const moved = ok(await admin.post<Client>(`/clients/${client.id}/migrate`, { customerId: target.id }));
    expect(moved).toEqual({ ...client, customerId: target.id });
    expect(ok(await admin.get<Customer>(`/customers/${target.id}`))).toMatchObject({ clientCount: 1, spaceUsed: client.spaceUsed, mcalsUsed: 1 });
    expect(ok(await admin.get<Customer>(`/customers/${source.id}`))).toMatchObject({
      clientCount: source.clientCount - 1,
      spaceUsed: source.spaceUsed - client.spaceUsed,
      mcalsUsed: source.mcalsUsed - 1,
    });
    expect((await schedulesOf(client.id)).length).toBeGreaterThan(0); // schedules go along
    expectError(await admin.post(`/clients/${client.id}/migrate`, { customerId: target.id }), 409, 'CONFLICT');
    expectError(await admin.post(`/clients/${client.id}/migrate`, { customerId: 'cus_nonexistent' }), 404, 'NOT_FOUND');
    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ action: 'client.migrate', objectId: client.id, before: expect.objectContaining({ customerId: source.id }), after: expect.objectContaining({ customerId: target.id }) });
  });

  it('GET /trial-clients lists the trial clients, and a trial client migrates to a paid customer', async () => {
    const trials = ok(await admin.get<List<Client>>('/trial-clients?limit=1000'));
    expect(trials.total).toBeGreaterThanOrEqual(12);
    for (const c of trials.items) {
      expect(c).toMatchObject({ customerId: null, trial: true, mcalConsumed: false });
      expect(Date.parse(c.trialExpiresAt!)).toBeGreaterThan(Date.parse(c.createdAt));
    }
    const trial = trials.items.find((c) => c.name === 'TRIAL-12')!;
    const customer = await createCustomer('default');
    const pool = (await serverInfo()).mcalPool;
    const migrated = ok(await admin.post<Client>(`/clients/${trial.id}/migrate`, { customerId: customer.id }));
    expect(migrated).toEqual({ ...trial, customerId: customer.id, trial: false, trialExpiresAt: null, mcalConsumed: true });
    expect(ok(await admin.get<List<Client>>('/trial-clients?limit=1000')).total).toBe(trials.total - 1);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`))).toMatchObject({ clientCount: 1, mcalsUsed: 1, spaceUsed: trial.spaceUsed });
    expect((await serverInfo()).mcalPool.used).toBe(pool.used + 1);
  });
});

describe('POST /agent/register', () => {
  it('registers with a registration key: authorized when an MCAL is free, the key works once', async () => {
    const customer = await createCustomer('default', { autoAuthorization: false });
    const { client, registrationKey } = ok(await admin.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: 'ACCOUNTS-01' }), 201);
    const agent = new TestClient(server.api);
    const registered = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'ignored', key: registrationKey, hostname: 'accounts-01.corp.example', os: 'Windows 11 Pro' }), 201);
    expect(registered.token.length).toBeGreaterThanOrEqual(32);
    expect(registered.client).toEqual({ ...client, hostname: 'accounts-01.corp.example', os: 'Windows 11 Pro', status: 'authorized', mcalConsumed: true });
    expect(ok(await admin.get<Client>(`/clients/${client.id}`))).toEqual(registered.client);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).mcalsUsed).toBe(1);
    expectError(await agent.post('/agent/register', { name: 'again', key: registrationKey }), 401, 'UNAUTHENTICATED');
    expectError(await agent.post('/agent/register', { name: 'made up', key: 'not-a-key-at-all' }), 401, 'UNAUTHENTICATED');
  });

  it('registers by customer name (case-insensitive) and authorizes when the customer auto-authorizes', async () => {
    const auto = await createCustomer('default');
    const manual = await createCustomer('default', { autoAuthorization: false });
    const agent = new TestClient(server.api);
    const a = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'LAPTOP-07', customer: auto.name.toUpperCase(), hostname: 'laptop-07', os: 'macOS 15' }), 201);
    expect(a.client).toMatchObject({ customerId: auto.id, name: 'LAPTOP-07', hostname: 'laptop-07', os: 'macOS 15', status: 'authorized', mcalConsumed: true, trial: false });
    const m = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'LAPTOP-08', customer: manual.name }), 201);
    expect(m.client).toMatchObject({ customerId: manual.id, status: 'pending', mcalConsumed: false });
    expect(ok(await admin.get<Customer>(`/customers/${manual.id}`))).toMatchObject({ clientCount: 1, mcalsUsed: 0 });
    expectError(await agent.post('/agent/register', { name: 'LAPTOP-07', customer: auto.name }), 409, 'NAME_TAKEN');
    expectError(await agent.post('/agent/register', { name: 'X', customer: 'No Such Customer Anywhere' }), 404, 'NOT_FOUND');
  });

  it('registers a trial client without a customer, expiring after the trial period', async () => {
    const settings = ok(await admin.get<TrialSettings>('/trial-settings'));
    const before = ok(await admin.get<List<Client>>('/trial-clients')).total;
    const pool = (await serverInfo()).mcalPool;
    const r = ok(await new TestClient(server.api).post<AgentRegistered>('/agent/register', { name: unique('EVAL-PC'), trial: true, os: 'Debian 12' }), 201);
    expect(r.client).toMatchObject({ customerId: null, trial: true, status: 'authorized', mcalConsumed: false, os: 'Debian 12' });
    expect(Date.parse(r.client.trialExpiresAt!) - Date.parse(r.client.createdAt)).toBe(settings.trialDays * DAY_MS);
    expect(ok(await admin.get<List<Client>>('/trial-clients')).total).toBe(before + 1);
    expect((await serverInfo()).mcalPool).toEqual(pool);
  });

  it('needs exactly one of key, customer or trial, and writes nothing otherwise', async () => {
    const agent = new TestClient(server.api);
    const before = ok(await admin.get<List<Client>>('/trial-clients')).total;
    expectError(await agent.post('/agent/register', { name: 'NO-MODE' }), 400, 'BAD_REQUEST', /key, customer or trial/);
    expectError(await agent.post('/agent/register', { name: 'TWO-MODES', trial: true, customer: 'Anyone' }), 400, 'BAD_REQUEST', /key, customer or trial/);
    expectError(await agent.post('/agent/register', { name: 'FALSE-TRIAL', trial: false }), 400, 'BAD_REQUEST', /trial/);
    expect(ok(await admin.get<List<Client>>('/trial-clients')).total).toBe(before);
  });

  it('an agent token never works on a management route, and the reverse', async () => {
    const { token, client } = ok(await new TestClient(server.api).post<AgentRegistered>('/agent/register', { name: unique('AGENT'), trial: true }), 201);
    const agent = new TestClient(server.api, token);
    expect(ok(await agent.get<Client>('/agent/me')).id).toBe(client.id);
    expectError(await admin.get('/agent/me'), 401, 'UNAUTHENTICATED');
    expectError(await agent.get('/server'), 401, 'UNAUTHENTICATED');
    expectError(await agent.get(`/clients/${client.id}`), 401, 'UNAUTHENTICATED');
    expectError(await agent.get(`/clients/${client.id}/schedules`), 401, 'UNAUTHENTICATED');
    expectError(await agent.patch(`/clients/${client.id}`, { name: 'hijacked' }), 401, 'UNAUTHENTICATED');
    expectError(await agent.delete('/session'), 401, 'UNAUTHENTICATED');
    expect(ok(await admin.get<Client>(`/clients/${client.id}`)).name).toBe(client.name);
  });
});

describe('schedules and reports', () => {
  let client: Client;
  let schedules: Schedule[];
  beforeAll(async () => {
    client = (await clientWithData(resellerIds['Fabrikam Cloud']!, 3)).client;
    schedules = await schedulesOf(client.id);
  });

  it('GET /clients/:id/schedules lists the client’s schedules', async () => {
    expect(schedules.length).toBeGreaterThan(0);
    for (const s of schedules) {
      expect(s.clientId).toBe(client.id);
      expect(s.sources.length).toBeGreaterThan(0);
      expect(['manual', 'hourly', 'daily', 'weekly']).toContain(s.frequency.kind);
    }
    expect(schedules.reduce((n, s) => n + s.spaceUsed, 0)).toBe(client.spaceUsed);
    const list = ok(await admin.get<List<Schedule>>(`/clients/${client.id}/schedules?q=${encodeURIComponent(schedules[0]!.name.toUpperCase())}`));
    expect(list.items.map((s) => s.id)).toContain(schedules[0]!.id);
  });

  it('PATCH /schedules/:id disables and re-times a schedule, recomputing nextRunAt, and is audited', async () => {
    const schedule = schedules[0]!;
    const disabled = ok(await admin.patch<Schedule>(`/schedules/${schedule.id}`, { enabled: false }));
    expect(disabled).toEqual({ ...schedule, enabled: false, nextRunAt: null });
    const retimed = ok(await admin.patch<Schedule>(`/schedules/${schedule.id}`, { enabled: true, frequency: { kind: 'weekly', days: ['tue', 'fri'], at: '03:15' } }));
    expect(retimed).toMatchObject({ enabled: true, frequency: { kind: 'weekly', days: ['tue', 'fri'], at: '03:15' } });
    const next = new Date(retimed.nextRunAt!);
    expect([2, 5]).toContain(next.getUTCDay());
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([3, 15]);
    expect(next.getTime()).toBeGreaterThan(Date.parse(schedule.lastRunAt!));
    expect(next.getTime() - Date.parse(schedule.lastRunAt!)).toBeLessThanOrEqual(7 * DAY_MS);
    const manual = ok(await admin.patch<Schedule>(`/schedules/${schedule.id}`, { frequency: { kind: 'manual' } }));
    expect(manual.nextRunAt).toBeNull();
    expect((await schedulesOf(client.id)).find((s) => s.id === schedule.id)).toEqual(manual);
    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ action: 'schedule.update', objectType: 'schedule', objectId: schedule.id, objectName: `${client.name} / ${schedule.name}` });
    expect(entry.before).toMatchObject({ frequency: { kind: 'weekly' } });
    expect(entry.after).toMatchObject({ frequency: { kind: 'manual' } });
    expectError(await admin.patch('/schedules/sch_nonexistent', { enabled: true }), 404, 'NOT_FOUND');
  });

  it('GET /schedules/:id/reports/backup lists backups newest first, and pages, sorts and filters', async () => {
    const schedule = schedules[0]!;
    const reports = ok(await admin.get<List<BackupReport>>(`/schedules/${schedule.id}/reports/backup?limit=1000`));
    expect(reports.total).toBeGreaterThan(5);
    expect(reports.items.length).toBe(reports.total);
    for (let i = 1; i < reports.items.length; i++) expect(reports.items[i - 1]!.startedAt >= reports.items[i]!.startedAt).toBe(true);
    expect(reports.items[0]!.startedAt).toBe(schedule.lastRunAt);
    for (const r of reports.items) {
      expect(['success', 'partial', 'failed']).toContain(r.status);
      expect(r.filesUploaded).toBeLessThanOrEqual(r.filesScanned);
      expect(Date.parse(r.finishedAt!)).toBeGreaterThan(Date.parse(r.startedAt));
      if (r.status === 'failed') expect(r.error).toEqual(expect.any(String));
    }
    const page = ok(await admin.get<List<BackupReport>>(`/schedules/${schedule.id}/reports/backup?offset=2&limit=3`));
    expect(page).toEqual({ items: reports.items.slice(2, 5), total: reports.total });
    const oldest = ok(await admin.get<List<BackupReport>>(`/schedules/${schedule.id}/reports/backup?sort=startedAt&limit=1`));
    expect(oldest.items[0]).toEqual(reports.items[reports.items.length - 1]);
    const successes = ok(await admin.get<List<BackupReport>>(`/schedules/${schedule.id}/reports/backup?q=success&limit=1000`));
    expect(successes.total).toBe(reports.items.filter((r) => r.status === 'success').length);
    expectError(await admin.get('/schedules/sch_nonexistent/reports/backup'), 404, 'NOT_FOUND');
  });

  it('GET /schedules/:id/reports/restore lists restores newest first', async () => {
    // The demo restores from daily schedules now and then: find one that has some.
    let reports: List<RestoreReport> | undefined;
    for (const s of schedules) {
      const list = ok(await admin.get<List<RestoreReport>>(`/schedules/${s.id}/reports/restore`));
      if (list.total > 0) reports = list;
    }
    expect(reports, 'a demo schedule with restore reports').toBeDefined();
    for (let i = 1; i < reports!.items.length; i++) expect(reports!.items[i - 1]!.startedAt >= reports!.items[i]!.startedAt).toBe(true);
    expect(reports!.items[0]).toEqual({
      id: expect.any(String),
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      status: 'success',
      files: expect.any(Number),
      bytes: expect.any(Number),
      target: expect.stringMatching(/^\/restore\//),
      error: null,
    });
    expect(ok(await admin.get<List<RestoreReport>>(`/schedules/${schedules[0]!.id}/reports/restore?q=no-such-target`)).total).toBe(0);
    expectError(await admin.get('/schedules/sch_nonexistent/reports/restore'), 404, 'NOT_FOUND');
  });

  it('GET /schedules/:id/reports/deleted is empty for a live schedule and 404 for an unknown one', async () => {
    expect(ok(await admin.get<List<DeletedReport>>(`/schedules/${schedules[0]!.id}/reports/deleted`))).toEqual({ items: [], total: 0 });
    expectError(await admin.get('/schedules/sch_nonexistent/reports/deleted'), 404, 'NOT_FOUND');
  });

  it('GET /customers/:id/reports/deleted includes clients that no longer exist, sorted and filtered', async () => {
    // Demo history: a machine retired weeks ago that exists nowhere else.
    const customers = (await customersOf(resellerIds['Northwind IT']!, '&sort=createdAt')).items;
    const report = ok(await admin.get<List<DeletedReport>>(`/customers/${customers[0]!.id}/reports/deleted`));
    const old = report.items.find((e) => e.clientName.startsWith('OLD-PC-'))!;
    expect(old).toMatchObject({ kind: 'client', deletedBy: 'admin', reason: 'client deleted', scheduleName: null });
    expect(Date.now() - Date.parse(old.deletedAt)).toBeGreaterThan(5 * DAY_MS);
    const filtered = ok(await admin.get<List<DeletedReport>>(`/customers/${customers[0]!.id}/reports/deleted?q=old-pc`));
    expect(filtered.items.map((e) => e.id)).toContain(old.id);
    expectError(await admin.get(`/customers/${customers[0]!.id}/reports/deleted?sort=reason`), 400, 'BAD_REQUEST', /sort/);
  });
});

describe('trial settings', () => {
  it('GET /trial-settings has the defaults and PUT replaces them, audited', async () => {
    expect(ok(await admin.get<TrialSettings>('/trial-settings'))).toEqual({ spaceBytes: 5 * GIB, trialDays: 30, deleteAfterDays: 15 });
    const next = { spaceBytes: 2 * GIB, trialDays: 14, deleteAfterDays: 7 };
    expect(ok(await admin.put<TrialSettings>('/trial-settings', next))).toEqual(next);
    expect(ok(await admin.get<TrialSettings>('/trial-settings'))).toEqual(next);
    const entry = (await auditLog()).items[0]!;
    expect(entry).toMatchObject({ action: 'trial-settings.update', before: { spaceBytes: 5 * GIB, trialDays: 30, deleteAfterDays: 15 }, after: next });
    // A new trial client gets the new period; existing ones keep theirs.
    const r = ok(await new TestClient(server.api).post<AgentRegistered>('/agent/register', { name: unique('SHORT-TRIAL'), trial: true }), 201);
    expect(Date.parse(r.client.trialExpiresAt!) - Date.parse(r.client.createdAt)).toBe(14 * DAY_MS);
    ok(await admin.put('/trial-settings', { spaceBytes: 5 * GIB, trialDays: 30, deleteAfterDays: 15 }));
  });

  it('PUT /trial-settings needs every field', async () => {
    expectError(await admin.put('/trial-settings', { spaceBytes: GIB, trialDays: 10 }), 400, 'BAD_REQUEST', /deleteAfterDays/);
    expect(ok(await admin.get<TrialSettings>('/trial-settings')).trialDays).toBe(30);
  });
});

describe('audit log', () => {
  it('lists every change newest first with who, when, before and after, and never a secret', async () => {
    const customer = await createCustomer('default');
    ok(await admin.patch(`/customers/${customer.id}`, { email: 'audit@example.com' }));
    const resellerName = unique('Audited Reseller');
    ok(await admin.post('/resellers', { name: resellerName, password: 'super-secret-audit-pw' }), 201);
    const log = await auditLog();
    const [created, patched, customerCreated] = log.items;
    expect(created).toMatchObject({ actor: 'admin', role: 'admin', action: 'reseller.create', objectType: 'reseller', objectName: resellerName, before: null });
    expect(created!.after).toMatchObject({ name: resellerName, password: '(changed)' });
    expect(JSON.stringify(log)).not.toContain('super-secret-audit-pw');
    expect(patched).toMatchObject({ action: 'customer.update', objectId: customer.id, before: expect.objectContaining({ email: '' }), after: expect.objectContaining({ email: 'audit@example.com' }) });
    expect(customerCreated).toMatchObject({ action: 'customer.create', objectId: customer.id });
    for (let i = 1; i < log.items.length; i++) {
      expect(Number(log.items[i - 1]!.id)).toBeGreaterThan(Number(log.items[i]!.id));
      expect(log.items[i - 1]!.at >= log.items[i]!.at).toBe(true);
    }
    expect(Math.abs(Date.parse(created!.at) - Date.now())).toBeLessThan(60_000);
  });

  it('pages and filters by q', async () => {
    const all = await auditLog();
    expect(all.total).toBe(all.items.length);
    const page = ok(await admin.get<List<AuditEntry>>('/audit-log?offset=1&limit=2'));
    expect(page).toEqual({ items: all.items.slice(1, 3), total: all.total });
    const filtered = await auditLog('&q=RESELLER.DELETE');
    expect(filtered.total).toBeGreaterThan(0);
    expect(filtered.items.every((e) => e.action === 'reseller.delete' || /reseller\.delete/i.test(e.objectName) || /reseller\.delete/i.test(e.actor))).toBe(true);
  });
});

describe('jobs and maintenance', () => {
  it('POST /maintenance/run runs now and reports a summary (nothing due on fresh demo data)', async () => {
    const summary = ok(await admin.post<MaintenanceSummary>('/maintenance/run'));
    expect(summary).toMatchObject({ ranAt: expect.any(String), trialClientsExpired: 0, trialClientsDeleted: 0, bytesFreed: 0, sessionsPurged: 0 });
    expect(Math.abs(Date.parse(summary.ranAt) - Date.now())).toBeLessThan(60_000);
  });

  it('GET /jobs/:id answers 404 for an unknown job', async () => {
    expectError(await admin.get('/jobs/job_nonexistent'), 404, 'NOT_FOUND');
    expectError(await admin.get('/jobs/not%20an%20id'), 400, 'BAD_REQUEST', /id/);
  });
});

describe('OpenAPI document', () => {
  it('is served at /api/v1/openapi.json without a token and lists every route', async () => {
    const res = await fetch(`${server.api}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; responses?: Record<string, unknown> }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace('/api/v1', '')}`));
    const expected = [
      'POST /session',
      'DELETE /session',
      'GET /server',
      'PATCH /server',
      'GET /resellers',
      'POST /resellers',
      'GET /resellers/{id}',
      'PATCH /resellers/{id}',
      'DELETE /resellers/{id}',
      'GET /resellers/{rid}/customers',
      'POST /resellers/{rid}/customers',
      'GET /customers/{id}',
      'PATCH /customers/{id}',
      'DELETE /customers/{id}',
      'GET /customers/{id}/deletion-preview',
      'GET /customers/{id}/reports/deleted',
      'GET /customers/{id}/clients',
      'POST /customers/{id}/clients',
      'GET /trial-clients',
      'GET /trial-clients/reports/deleted',
      'GET /clients/{id}',
      'PATCH /clients/{id}',
      'DELETE /clients/{id}',
      'POST /clients/{id}/authorize',
      'POST /clients/{id}/migrate',
      'GET /clients/{id}/schedules',
      'PATCH /schedules/{id}',
      'DELETE /schedules/{id}',
      'GET /schedules/{id}/reports/backup',
      'GET /schedules/{id}/reports/restore',
      'GET /schedules/{id}/reports/deleted',
      'GET /trial-settings',
      'PUT /trial-settings',
      'GET /audit-log',
      'GET /jobs/{id}',
      'POST /maintenance/run',
      'POST /agent/register',
    ];
    expect(routes).toEqual(expect.arrayContaining(expected));
    // The request schemas are the validating ones: limits and unknown-field refusal are in the document.
    const create = doc.paths['/api/v1/resellers/{rid}/customers']!.post!.requestBody!.content['application/json']!.schema as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { maxLength?: number; minimum?: number }>;
    };
    expect(create.additionalProperties).toBe(false);
    expect(create.required).toEqual(['name']);
    expect(create.properties.name!.maxLength).toBe(200);
    expect(doc.paths['/api/v1/customers/{id}']!.get!.responses).toHaveProperty('200');
  });
});

describe('bad input → 400 naming the field, and nothing written', () => {
  interface Case {
    what: string;
    method: 'POST' | 'PATCH' | 'PUT' | 'GET';
    path: () => string;
    body?: unknown;
    message: RegExp;
  }
  let customer: Customer;
  let client: Client;
  let schedule: Schedule;
  let reseller: Reseller;
  const longName = 'x'.repeat(201);

  beforeAll(async () => {
    customer = await createCustomer('default', { email: 'intact@example.com', mcalsAllotted: 1, spaceAllotted: GIB });
    client = ok(await admin.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: 'INTACT-PC' }), 201).client;
    reseller = ok(await admin.post<Reseller>('/resellers', { name: unique('Intact Reseller'), password: 'intact-password' }), 201);
    const demo = await clientWithData(resellerIds['Fabrikam Cloud']!, 4);
    schedule = (await schedulesOf(demo.client.id))[0]!;
  });

  /** Everything the cases could have written, as the API shows it. */
  async function snapshot() {
    const [info, audit, resellers, customers, trials, c, cl, schedules, trial, r] = await Promise.all([
      admin.get('/server'),
      admin.get<List<AuditEntry>>('/audit-log?limit=1'),
      admin.get('/resellers?limit=1000'),
      admin.get('/resellers/default/customers?limit=1000'),
      admin.get('/trial-clients?limit=1000'),
      admin.get(`/customers/${customer.id}`),
      admin.get(`/customers/${customer.id}/clients`),
      admin.get(`/clients/${schedule.clientId}/schedules`),
      admin.get('/trial-settings'),
      admin.get(`/resellers/${reseller.id}`),
    ]);
    return { info, audit, resellers, customers, trials, c, cl, schedules, trial, r };
  }

  const customerCreate = () => '/resellers/default/customers';
  const customerPatch = () => `/customers/${customer.id}`;
  const cases: Case[] = [
    { what: 'malformed JSON', method: 'POST', path: customerCreate, body: '{"name": "Half', message: /not valid JSON/ },
    { what: 'a JSON array instead of an object', method: 'POST', path: customerCreate, body: '[]', message: /body/ },
    { what: 'a missing required field', method: 'POST', path: customerCreate, body: { email: 'a@b.example' }, message: /name is required/ },
    { what: 'a name of the wrong type', method: 'POST', path: customerCreate, body: { name: 42 }, message: /^name must be a string/ },
    { what: 'an unknown field', method: 'POST', path: customerCreate, body: { name: 'Valid Name', colour: 'red' }, message: /colour/ },
    { what: 'a negative space allotment', method: 'POST', path: customerCreate, body: { name: 'Valid Name', spaceAllotted: -1 }, message: /^spaceAllotted must be >= 0/ },
    { what: 'a fractional size', method: 'POST', path: customerCreate, body: { name: 'Valid Name', spaceAllotted: 1.5 }, message: /^spaceAllotted/ },
    { what: 'a negative MCAL allotment', method: 'POST', path: customerCreate, body: { name: 'Valid Name', mcalsAllotted: -3 }, message: /^mcalsAllotted must be >= 0/ },
    { what: 'a string for a number', method: 'POST', path: customerCreate, body: { name: 'Valid Name', mcalsAllotted: '3' }, message: /^mcalsAllotted/ },
    { what: 'a name over 200 characters', method: 'POST', path: customerCreate, body: { name: longName }, message: /^name must be at most 200 characters/ },
    { what: 'an empty name', method: 'POST', path: customerCreate, body: { name: '' }, message: /^name must not be empty/ },
    { what: 'a blank name', method: 'POST', path: customerCreate, body: { name: '   ' }, message: /^name must not be blank/ },
    { what: 'a tab in a name', method: 'POST', path: customerCreate, body: { name: 'Tab\there' }, message: /^name .*control characters/ },
    { what: 'a NUL in a name', method: 'POST', path: customerCreate, body: { name: 'Nul\u0000byte' }, message: /^name .*control characters/ },
    { what: 'a newline in a name', method: 'POST', path: customerCreate, body: { name: 'Line\nbreak' }, message: /^name .*control characters/ },
    { what: 'a DEL in a name', method: 'POST', path: customerCreate, body: { name: 'Del\u007f' }, message: /^name .*control characters/ },
    { what: 'a C1 control character (NEL) in a name', method: 'POST', path: customerCreate, body: { name: 'Next\u0085line' }, message: /^name .*control characters/ },
    { what: 'a C1 control character (CSI) in a name', method: 'POST', path: customerCreate, body: { name: 'Csi\u009b31m' }, message: /^name .*control characters/ },
    { what: 'a string for a boolean', method: 'POST', path: customerCreate, body: { name: 'Valid Name', autoAuthorization: 'yes' }, message: /^autoAuthorization must be a boolean/ },
    { what: 'a malformed email', method: 'POST', path: customerCreate, body: { name: 'Valid Name', email: 'not-an-email' }, message: /^email/ },
    { what: 'PATCH with nothing to change', method: 'PATCH', path: customerPatch, body: {}, message: /at least one field/ },
    { what: 'PATCH malformed JSON', method: 'PATCH', path: customerPatch, body: '{"active": tru', message: /not valid JSON/ },
    { what: 'PATCH an empty name', method: 'PATCH', path: customerPatch, body: { name: '' }, message: /^name/ },
    { what: 'PATCH a name over 200 characters', method: 'PATCH', path: customerPatch, body: { name: longName }, message: /^name/ },
    { what: 'PATCH a negative size', method: 'PATCH', path: customerPatch, body: { spaceAllotted: -100 }, message: /^spaceAllotted/ },
    { what: 'PATCH a wrong type', method: 'PATCH', path: customerPatch, body: { active: 'no' }, message: /^active must be a boolean/ },
    { what: 'PATCH a read-only field', method: 'PATCH', path: customerPatch, body: { mcalsUsed: 0 }, message: /mcalsUsed/ },
    { what: 'PATCH one bad field among good ones', method: 'PATCH', path: customerPatch, body: { email: 'changed@example.com', spaceAllotted: -1 }, message: /^spaceAllotted/ },
    { what: 'a reseller name over 200 characters', method: 'POST', path: () => '/resellers', body: { name: longName, password: 'long-enough' }, message: /^name/ },
    { what: 'a short reseller password', method: 'POST', path: () => '/resellers', body: { name: 'Valid Reseller', password: 'short' }, message: /^password must be at least 8/ },
    { what: 'a control character in a reseller name', method: 'POST', path: () => '/resellers', body: { name: 'Bell\u0007', password: 'long-enough' }, message: /^name/ },
    { what: 'a reseller email of the wrong type', method: 'PATCH', path: () => `/resellers/${reseller.id}`, body: { email: 5 }, message: /^email/ },
    { what: 'a blank reseller name', method: 'PATCH', path: () => `/resellers/${reseller.id}`, body: { name: ' \u00a0 ' }, message: /^name/ },
    { what: 'a negative MCAL pool', method: 'PATCH', path: () => '/server', body: { mcalPoolTotal: -1 }, message: /^mcalPoolTotal/ },
    { what: 'a blank server name', method: 'PATCH', path: () => '/server', body: { name: '  ' }, message: /^name/ },
    { what: 'a string for resellerManagement', method: 'PATCH', path: () => '/server', body: { resellerManagement: 'false' }, message: /^resellerManagement/ },
    { what: 'negative trial space', method: 'PUT', path: () => '/trial-settings', body: { spaceBytes: -1, trialDays: 30, deleteAfterDays: 15 }, message: /^spaceBytes/ },
    { what: 'a zero trial period', method: 'PUT', path: () => '/trial-settings', body: { spaceBytes: GIB, trialDays: 0, deleteAfterDays: 15 }, message: /^trialDays/ },
    { what: 'an unknown trial field', method: 'PUT', path: () => '/trial-settings', body: { spaceBytes: GIB, trialDays: 30, deleteAfterDays: 15, extra: 1 }, message: /extra/ },
    { what: 'a client name with a control character', method: 'POST', path: () => `/customers/${customer.id}/clients`, body: { name: 'PC\u001b[31m' }, message: /^name/ },
    { what: 'a client name over 200 characters', method: 'POST', path: () => `/customers/${customer.id}/clients`, body: { name: longName }, message: /^name/ },
    { what: 'an empty client rename', method: 'PATCH', path: () => `/clients/${client.id}`, body: { name: '' }, message: /^name/ },
    { what: 'a migration target of the wrong type', method: 'POST', path: () => `/clients/${client.id}/migrate`, body: { customerId: 7 }, message: /^customerId/ },
    { what: 'a malformed migration target id', method: 'POST', path: () => `/clients/${client.id}/migrate`, body: { customerId: '../etc' }, message: /^customerId/ },
    { what: 'a schedule time out of range', method: 'PATCH', path: () => `/schedules/${schedule.id}`, body: { frequency: { kind: 'daily', at: '25:00' } }, message: /^frequency\.at/ },
    { what: 'an unknown schedule kind', method: 'PATCH', path: () => `/schedules/${schedule.id}`, body: { frequency: { kind: 'yearly' } }, message: /^frequency\.kind/ },
    { what: 'an unknown weekday', method: 'PATCH', path: () => `/schedules/${schedule.id}`, body: { frequency: { kind: 'weekly', days: ['mon', 'someday'] } }, message: /^frequency\.days\[1\]/ },
    { what: 'a string for enabled', method: 'PATCH', path: () => `/schedules/${schedule.id}`, body: { enabled: 'no' }, message: /^enabled/ },
    { what: 'an agent name over 200 characters', method: 'POST', path: () => '/agent/register', body: { name: longName, trial: true }, message: /^name/ },
    { what: 'an agent name with a control character', method: 'POST', path: () => '/agent/register', body: { name: 'PC\r\n', trial: true }, message: /^name/ },
    { what: 'an agent field of the wrong type', method: 'POST', path: () => '/agent/register', body: { name: 'PC', trial: true, hostname: 12 }, message: /^hostname/ },
    { what: 'a login with a username of the wrong type', method: 'POST', path: () => '/session', body: { username: 5, password: 'whatever' }, message: /^username/ },
  ];

  it.each(cases)('$what ($method)', async ({ method, path: to, body, message }) => {
    const before = await snapshot();
    const res = await admin.request(method, to(), body);
    expectError(res, 400, 'BAD_REQUEST', message);
    expect(await snapshot()).toEqual(before);
  });

  it('accepts a name of exactly 200 characters (the limit is inclusive)', async () => {
    const name = `${unique('Limit')} `.padEnd(200, 'y');
    expect(ok(await admin.post<Customer>('/resellers/default/customers', { name }), 201).name).toBe(name);
  });
});

/**
 * Time cannot be made to pass inside a running server, so the test lets it pass in the database: it
 * stops the server, moves trial expiry dates (and one session expiry) into the past with SQLite directly,
 * records a running backup, then restarts the server on the same data dir.
 */
describe('after time passes (database edited across a restart)', () => {
  let expiredLongAgo: Client; // past the delete period: deleted by maintenance
  let expiredRecently: Client; // expired, within the delete period: kept
  let registered: Client; // a trial client registered through the agent API, without schedules
  let untouched: Client; // within its trial
  let trialSchedules: Schedule[];
  let stale: TestClient; // a session whose expiry is moved into the past
  let busy: { customer: Customer; client: Client };
  let db: string;

  beforeAll(async () => {
    const trials = ok(await admin.get<List<Client>>('/trial-clients?limit=1000&sort=-spaceUsed')).items.filter((c) => c.name.startsWith('TRIAL-'));
    [expiredLongAgo, expiredRecently, untouched] = [trials[0]!, trials[1]!, trials[2]!];
    trialSchedules = await schedulesOf(expiredLongAgo.id);
    registered = ok(await new TestClient(server.api).post<AgentRegistered>('/agent/register', { name: unique('EXPIRING'), trial: true }), 201).client;
    stale = await new TestClient(server.api).login();
    busy = await clientWithData(resellerIds['Northwind IT']!, 5);
    const busySchedule = (await schedulesOf(busy.client.id))[0]!;

    expect(await server.stop()).toBe(0);
    db = path.join(server.dataDir, 'server.sqlite');
    const sqlite = new Database(db);
    try {
      const now = Date.now();
      const setExpiry = sqlite.prepare('UPDATE clients SET trial_expires_at = ? WHERE id = ?');
      expect(setExpiry.run(new Date(now - 20 * DAY_MS).toISOString(), expiredLongAgo.id).changes).toBe(1);
      expect(setExpiry.run(new Date(now - 16 * DAY_MS).toISOString(), registered.id).changes).toBe(1);
      expect(setExpiry.run(new Date(now - 2 * DAY_MS).toISOString(), expiredRecently.id).changes).toBe(1);
      const tokenHash = createHash('sha256').update(stale.token!).digest('hex');
      expect(sqlite.prepare('UPDATE sessions SET expires_at = ? WHERE token_hash = ?').run(new Date(now - 1000).toISOString(), tokenHash).changes).toBe(1);
      // What the agent leaves while a backup is in progress.
      sqlite
        .prepare("INSERT INTO backup_reports (id, schedule_id, started_at, status) VALUES ('bkr_running_test', ?, ?, 'running')")
        .run(busySchedule.id, new Date(now - 60_000).toISOString());
    } finally {
      sqlite.close();
    }
    server = await startServer({ dataDir: server.dataDir, args: SERVER_ARGS });
    // The port is new; the tokens are the ones issued before the restart.
    admin = new TestClient(server.api, admin.token);
    stale = new TestClient(server.api, stale.token);
  });

  it('keeps the admin session across the restart, but not a session that expired', async () => {
    ok(await admin.get('/server'));
    expectError(await stale.get('/server'), 401, 'UNAUTHENTICATED');
  });

  it('refuses to delete a customer or a client with a backup running (409) and deletes nothing', async () => {
    expectError(await admin.delete(`/customers/${busy.customer.id}`), 409, 'CONFLICT', /backup running/);
    expectError(await admin.delete(`/clients/${busy.client.id}`), 409, 'CONFLICT', /backup running/);
    expect(ok(await admin.get<Customer>(`/customers/${busy.customer.id}`)).clientCount).toBe(busy.customer.clientCount);
    ok(await admin.get(`/clients/${busy.client.id}`));
  });

  it('maintenance deletes trial clients past expiry + deleteAfterDays, records them as trial-expired, and keeps the rest', async () => {
    const trialsBefore = ok(await admin.get<List<Client>>('/trial-clients?limit=1000')).total;
    const summary = ok(await admin.post<MaintenanceSummary>('/maintenance/run'));
    expect(summary).toMatchObject({ trialClientsExpired: 3, trialClientsDeleted: 2, bytesFreed: expiredLongAgo.spaceUsed + registered.spaceUsed });
    expect(summary.sessionsPurged).toBeGreaterThanOrEqual(1);

    expectError(await admin.get(`/clients/${expiredLongAgo.id}`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/clients/${registered.id}`), 404, 'NOT_FOUND');
    ok(await admin.get(`/clients/${expiredRecently.id}`));
    ok(await admin.get(`/clients/${untouched.id}`));
    expect(ok(await admin.get<List<Client>>('/trial-clients?limit=1000')).total).toBe(trialsBefore - 2);

    // The deleted client's schedules keep their deleted report.
    expect(trialSchedules.length).toBeGreaterThan(0);
    for (const s of trialSchedules) {
      const report = ok(await admin.get<List<DeletedReport>>(`/schedules/${s.id}/reports/deleted?limit=1000`)).items;
      expect(report.length).toBeGreaterThan(1);
      expect(report.find((e) => e.kind === 'schedule')).toMatchObject({ clientName: expiredLongAgo.name, scheduleName: s.name, bytes: s.spaceUsed, reason: 'trial-expired', deletedBy: 'maintenance' });
      for (const e of report) expect(e).toMatchObject({ clientName: expiredLongAgo.name, reason: 'trial-expired' });
    }
    // A trial client has no customer, so no API report lists its client entry: read it from the database.
    const sqlite = new Database(db, { readonly: true });
    try {
      const rows = sqlite.prepare("SELECT client_id, client_name, bytes, reason, deleted_by FROM deleted_reports WHERE kind = 'client' AND client_id IN (?, ?) ORDER BY client_name").all(expiredLongAgo.id, registered.id);
      expect(rows).toEqual(
        [
          { client_id: expiredLongAgo.id, client_name: expiredLongAgo.name, bytes: expiredLongAgo.spaceUsed, reason: 'trial-expired', deleted_by: 'maintenance' },
          { client_id: registered.id, client_name: registered.name, bytes: 0, reason: 'trial-expired', deleted_by: 'maintenance' },
        ].sort((a, b) => (a.client_name < b.client_name ? -1 : 1)),
      );
    } finally {
      sqlite.close();
    }
  });

  it('the maintenance run is a job that GET /jobs/:id reports as done', async () => {
    const sqlite = new Database(db, { readonly: true });
    let jobId: string;
    try {
      jobId = (sqlite.prepare("SELECT id FROM jobs WHERE kind = 'maintenance' ORDER BY created_at DESC LIMIT 1").get() as { id: string }).id;
    } finally {
      sqlite.close();
    }
    const job = ok(await admin.get<Job>(`/jobs/${jobId}`));
    expect(job).toMatchObject({ id: jobId, kind: 'maintenance', status: 'done', progress: { done: 2, total: 2, bytes: expiredLongAgo.spaceUsed }, error: null });
    expect(Date.parse(job.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
  });

  it('a shorter delete period takes effect at the next run', async () => {
    expect(ok(await admin.post<MaintenanceSummary>('/maintenance/run'))).toMatchObject({ trialClientsExpired: 1, trialClientsDeleted: 0 });
    ok(await admin.put('/trial-settings', { spaceBytes: 5 * GIB, trialDays: 30, deleteAfterDays: 1 }));
    expect(ok(await admin.post<MaintenanceSummary>('/maintenance/run'))).toMatchObject({ trialClientsExpired: 1, trialClientsDeleted: 1, bytesFreed: expiredRecently.spaceUsed });
    expectError(await admin.get(`/clients/${expiredRecently.id}`), 404, 'NOT_FOUND');
    ok(await admin.get(`/clients/${untouched.id}`));
  });
});
