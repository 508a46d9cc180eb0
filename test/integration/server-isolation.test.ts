/**
 * Reseller isolation (API.md, Roles): reseller A sees and changes only its own customers, clients,
 * schedules and reports. Another reseller's object does not exist for it (404); the admin-only
 * routes are forbidden (403). One demo server: A = "Northwind IT", B = "Contoso Managed Services".
 * Every refused write is checked to have written nothing, through the admin's eyes.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, BackupReport, Client, ClientCreated, Customer, DeletedReport, DeletionPreview, List, Reseller, Schedule, ServerInfo, TrialSettings } from '../../src-shared/api/index.js';
import { TestClient, type ApiResponse } from '../support/api-client.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { ok, expectError } from '../support/api-assert.js';

const DEMO_PASSWORD = 'reseller-demo';

const expectNotFound = (res: ApiResponse) => expectError(res, 404, 'NOT_FOUND');
const expectForbidden = (res: ApiResponse) => expectError(res, 403, 'FORBIDDEN');

interface Tenant {
  api: TestClient;
  resellerId: string;
  customer: Customer;
  client: Client;
  pending: Client;
  schedule: Schedule;
}

let server: RunningServer;
let admin: TestClient;
let A: Tenant;
let B: Tenant;
/** A schedule of B whose client was deleted: only its deleted report is left. */
let bGoneSchedule: Schedule;
/** A customer of B that was deleted: only its deleted report is left. */
let bGoneCustomer: Customer;
let bGoneClient: Client;
let trialClient: Client;
let jobId: string;

async function tenant(name: string): Promise<Tenant> {
  const api = await new TestClient(server.api).login(name, DEMO_PASSWORD);
  const resellerId = ok(await admin.get<List<Reseller>>(`/resellers?q=${encodeURIComponent(name)}`)).items[0]!.id;
  const customers = ok(await admin.get<List<Customer>>(`/resellers/${resellerId}/customers?limit=1000&sort=-spaceUsed`)).items.filter((c) => c.active);
  const customer = customers[0]!;
  const clients = ok(await admin.get<List<Client>>(`/customers/${customer.id}/clients?sort=-spaceUsed`)).items;
  const client = clients[0]!;
  const schedule = ok(await admin.get<List<Schedule>>(`/clients/${client.id}/schedules`)).items[0]!;
  const pending = ok(await admin.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: `${name} WAITING` }), 201).client;
  return { api, resellerId, customer, client, pending, schedule };
}

/** What the admin sees of B: a refused request by A must leave all of it as it was. */
async function bState() {
  const [customers, customer, clients, client, schedules, audit] = await Promise.all([
    admin.get(`/resellers/${B.resellerId}/customers?limit=1000`),
    admin.get(`/customers/${B.customer.id}`),
    admin.get(`/customers/${B.customer.id}/clients?limit=1000`),
    admin.get(`/clients/${B.client.id}`),
    admin.get(`/clients/${B.client.id}/schedules`),
    admin.get('/audit-log?limit=1'),
  ]);
  return { customers, customer, clients, client, schedules, audit };
}

beforeAll(async () => {
  server = await startServer({ args: ['--demo', '--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  [A, B] = [await tenant('Northwind IT'), await tenant('Contoso Managed Services')];

  // B loses a client (with its schedules) and a whole customer; their deleted reports remain.
  const bCustomers = ok(await admin.get<List<Customer>>(`/resellers/${B.resellerId}/customers?limit=1000&sort=spaceUsed`)).items.filter((c) => c.id !== B.customer.id && c.spaceUsed > 0);
  bGoneClient = ok(await admin.get<List<Client>>(`/customers/${bCustomers[0]!.id}/clients?sort=-spaceUsed`)).items[0]!;
  bGoneSchedule = ok(await admin.get<List<Schedule>>(`/clients/${bGoneClient.id}/schedules`)).items[0]!;
  expect((await admin.delete(`/clients/${bGoneClient.id}`)).status).toBe(204);
  bGoneCustomer = bCustomers[1]!;
  expect((await admin.delete(`/customers/${bGoneCustomer.id}`)).status).toBe(204);

  // Audited changes by the admin on both tenants' objects.
  ok(await admin.patch(`/customers/${A.customer.id}`, { email: 'admin-touched@northwind.example' }));
  ok(await admin.patch(`/customers/${B.customer.id}`, { email: 'admin-touched@contoso.example' }));

  trialClient = ok(await admin.get<List<Client>>('/trial-clients?limit=1')).items[0]!;
  ok(await admin.post('/maintenance/run'));
  const sqlite = new Database(path.join(server.dataDir, 'server.sqlite'), { readonly: true });
  try {
    jobId = (sqlite.prepare("SELECT id FROM jobs WHERE kind = 'maintenance'").get() as { id: string }).id;
  } finally {
    sqlite.close();
  }
});

afterAll(async () => {
  if (server) {
    await server.stop();
    await removeDir(server.dataDir);
  }
});

describe('reseller A against reseller B’s objects: all 404, nothing written', () => {
  it('cannot list or create B’s customers', async () => {
    const before = await bState();
    expectNotFound(await A.api.get(`/resellers/${B.resellerId}/customers`));
    expectNotFound(await A.api.get(`/resellers/${B.resellerId}/customers?q=a&sort=-spaceUsed`));
    expectNotFound(await A.api.post(`/resellers/${B.resellerId}/customers`, { name: 'Planted By Northwind' }));
    expect(await bState()).toEqual(before);
    expect(ok(await admin.get<List<Customer>>(`/resellers/${B.resellerId}/customers?q=planted`)).total).toBe(0);
  });

  it('cannot read B’s reseller record', async () => {
    expectNotFound(await A.api.get(`/resellers/${B.resellerId}`));
  });

  it('cannot read, change or delete B’s customer, nor see its clients, deletion preview or deleted report', async () => {
    const before = await bState();
    const id = B.customer.id;
    expectNotFound(await A.api.get(`/customers/${id}`));
    expectNotFound(await A.api.get(`/customers/${id}/clients`));
    expectNotFound(await A.api.get(`/customers/${id}/deletion-preview`));
    expectNotFound(await A.api.get(`/customers/${id}/reports/deleted`));
    expectNotFound(await A.api.patch(`/customers/${id}`, { active: false, mcalsAllotted: 0 }));
    expectNotFound(await A.api.post(`/customers/${id}/clients`, { name: 'INTRUDER' }));
    expectNotFound(await A.api.delete(`/customers/${id}`));
    expect(await bState()).toEqual(before);
  });

  it('cannot read, rename, authorize, migrate or delete B’s clients, nor list their schedules', async () => {
    const before = await bState();
    for (const c of [B.client, B.pending]) {
      expectNotFound(await A.api.get(`/clients/${c.id}`));
      expectNotFound(await A.api.get(`/clients/${c.id}/schedules`));
      expectNotFound(await A.api.patch(`/clients/${c.id}`, { name: 'STOLEN' }));
      expectNotFound(await A.api.post(`/clients/${c.id}/authorize`));
      expectNotFound(await A.api.post(`/clients/${c.id}/migrate`, { customerId: A.customer.id }));
      expectNotFound(await A.api.delete(`/clients/${c.id}`));
    }
    expect(await bState()).toEqual(before);
    expect(ok(await admin.get<Client>(`/clients/${B.pending.id}`)).status).toBe('pending');
  });

  it('cannot migrate its own client into B’s customer', async () => {
    const before = await bState();
    const mine = ok(await A.api.get<Client>(`/clients/${A.pending.id}`));
    expectNotFound(await A.api.post(`/clients/${A.pending.id}/migrate`, { customerId: B.customer.id }));
    expect(ok(await admin.get<Client>(`/clients/${A.pending.id}`))).toEqual(mine);
    expect(await bState()).toEqual(before);
  });

  it('cannot change B’s schedules or read their backup, restore and deleted reports', async () => {
    const before = await bState();
    const id = B.schedule.id;
    expectNotFound(await A.api.patch(`/schedules/${id}`, { enabled: false }));
    expectNotFound(await A.api.get(`/schedules/${id}/reports/backup`));
    expectNotFound(await A.api.get(`/schedules/${id}/reports/restore`));
    expectNotFound(await A.api.get(`/schedules/${id}/reports/deleted`));
    expect(await bState()).toEqual(before);
    expect(ok(await admin.get<List<Schedule>>(`/clients/${B.client.id}/schedules`)).items.find((s) => s.id === id)!.enabled).toBe(B.schedule.enabled);
  });

  it('cannot read the deleted reports B keeps of a deleted schedule and a deleted customer, which B can', async () => {
    expectNotFound(await A.api.get(`/schedules/${bGoneSchedule.id}/reports/deleted`));
    expectNotFound(await A.api.get(`/customers/${bGoneCustomer.id}/reports/deleted`));
    const schedule = ok(await B.api.get<List<DeletedReport>>(`/schedules/${bGoneSchedule.id}/reports/deleted`));
    expect(schedule.items.find((e) => e.kind === 'schedule')).toMatchObject({ scheduleName: bGoneSchedule.name, reason: 'client deleted' });
    const customer = ok(await B.api.get<List<DeletedReport>>(`/customers/${bGoneCustomer.id}/reports/deleted?limit=1000`));
    expect(customer.items.filter((e) => e.kind === 'client' && e.reason === 'customer deleted').length).toBe(bGoneCustomer.clientCount);
  });

  it('cannot read a job that is not its own', async () => {
    expect(ok(await admin.get<{ kind: string }>(`/jobs/${jobId}`)).kind).toBe('maintenance');
    expectNotFound(await A.api.get(`/jobs/${jobId}`));
    expectNotFound(await B.api.get(`/jobs/${jobId}`));
  });

  it('an unknown id and another reseller’s id answer alike', async () => {
    const unknown = await A.api.get('/customers/cus_doesnotexist');
    const foreign = await A.api.get(`/customers/${B.customer.id}`);
    expect(foreign).toEqual(unknown);
  });
});

describe('reseller A and the admin-only routes: 403, nothing written', () => {
  it('cannot list, create, change or delete resellers (its own included)', async () => {
    const resellers = ok(await admin.get<List<Reseller>>('/resellers?limit=1000'));
    expectForbidden(await A.api.get('/resellers'));
    expectForbidden(await A.api.post('/resellers', { name: 'Northwind Shadow', password: 'shadow-password' }));
    expectForbidden(await A.api.patch(`/resellers/${A.resellerId}`, { name: 'Northwind Renamed' }));
    expectForbidden(await A.api.patch(`/resellers/${B.resellerId}`, { password: 'taken-over-pw' }));
    expectForbidden(await A.api.delete(`/resellers/${B.resellerId}`));
    expectForbidden(await A.api.delete(`/resellers/${A.resellerId}`));
    expect(ok(await admin.get<List<Reseller>>('/resellers?limit=1000'))).toEqual(resellers);
    await new TestClient(server.api).login('Contoso Managed Services', DEMO_PASSWORD);
  });

  it('can read the server but not change its settings', async () => {
    const info = ok(await admin.get<ServerInfo>('/server'));
    expect(ok(await A.api.get<ServerInfo>('/server'))).toEqual(info);
    expectForbidden(await A.api.patch('/server', { mcalPoolTotal: 1_000_000 }));
    expectForbidden(await A.api.patch('/server', { name: 'Owned', resellerManagement: false }));
    expect(ok(await admin.get<ServerInfo>('/server'))).toEqual(info);
  });

  it('cannot read or change the trial settings, nor run maintenance', async () => {
    const settings = ok(await admin.get<TrialSettings>('/trial-settings'));
    expectForbidden(await A.api.get('/trial-settings'));
    expectForbidden(await A.api.put('/trial-settings', { spaceBytes: 1, trialDays: 1, deleteAfterDays: 0 }));
    expectForbidden(await A.api.post('/maintenance/run'));
    expect(ok(await admin.get<TrialSettings>('/trial-settings'))).toEqual(settings);
  });

  it('cannot list trial clients (403) nor reach one (404), and cannot take one over', async () => {
    expectForbidden(await A.api.get('/trial-clients'));
    expectNotFound(await A.api.get(`/clients/${trialClient.id}`));
    expectNotFound(await A.api.patch(`/clients/${trialClient.id}`, { name: 'MINE NOW' }));
    expectNotFound(await A.api.post(`/clients/${trialClient.id}/migrate`, { customerId: A.customer.id }));
    expectNotFound(await A.api.delete(`/clients/${trialClient.id}`));
    expect(ok(await admin.get<Client>(`/clients/${trialClient.id}`))).toEqual(trialClient);
  });
});

describe('reseller A with its own objects', () => {
  it('lists, reads and changes its own customers', async () => {
    const mine = ok(await A.api.get<List<Customer>>(`/resellers/${A.resellerId}/customers?limit=1000`));
    expect(mine).toEqual(ok(await admin.get<List<Customer>>(`/resellers/${A.resellerId}/customers?limit=1000`)));
    expect(mine.items.every((c) => c.resellerId === A.resellerId)).toBe(true);
    expect(ok(await A.api.get<Reseller>(`/resellers/${A.resellerId}`)).id).toBe(A.resellerId);
    const created = ok(await A.api.post<Customer>(`/resellers/${A.resellerId}/customers`, { name: 'Northwind New Customer', spaceAllotted: 10 ** 9 }), 201);
    expect(created.resellerId).toBe(A.resellerId);
    expect(ok(await A.api.patch<Customer>(`/customers/${created.id}`, { autoAuthorization: false, active: false }))).toMatchObject({ autoAuthorization: false, active: false });
    expect(ok(await A.api.get<DeletionPreview>(`/customers/${created.id}/deletion-preview`))).toEqual({ clients: 0, schedules: 0, bytes: 0 });
    expect((await A.api.delete(`/customers/${created.id}`)).status).toBe(204);
    expectNotFound(await admin.get(`/customers/${created.id}`));
  });

  it('still meets customer names of other resellers: they are unique server-wide (409 NAME_TAKEN)', async () => {
    expectError(await A.api.post(`/resellers/${A.resellerId}/customers`, { name: B.customer.name.toUpperCase() }), 409, 'NAME_TAKEN');
  });

  it('manages its own clients: add, authorize, rename, migrate between its customers, delete', async () => {
    const { client, registrationKey } = ok(await A.api.post<ClientCreated>(`/customers/${A.customer.id}/clients`, { name: 'NW-NEW-PC' }), 201);
    expect(registrationKey.length).toBeGreaterThan(20);
    expect(ok(await A.api.post<Client>(`/clients/${client.id}/authorize`)).status).toBe('authorized');
    expect(ok(await A.api.patch<Client>(`/clients/${client.id}`, { name: 'NW-RENAMED' })).name).toBe('NW-RENAMED');
    const other = ok(await A.api.get<List<Customer>>(`/resellers/${A.resellerId}/customers?sort=name&limit=1000`)).items.find((c) => c.id !== A.customer.id && c.mcalsAllotted === null)!;
    expect(ok(await A.api.post<Client>(`/clients/${client.id}/migrate`, { customerId: other.id })).customerId).toBe(other.id);
    expect((await A.api.delete(`/clients/${client.id}`)).status).toBe(204);
    const deleted = ok(await A.api.get<List<DeletedReport>>(`/customers/${other.id}/reports/deleted`)).items;
    expect(deleted.find((e) => e.clientName === 'NW-RENAMED')).toMatchObject({ kind: 'client', deletedBy: 'Northwind IT', reason: 'client deleted' });
  });

  it('reads and changes its own schedules and reports', async () => {
    expect(ok(await A.api.get<List<Schedule>>(`/clients/${A.client.id}/schedules`)).items.map((s) => s.id)).toContain(A.schedule.id);
    expect(ok(await A.api.patch<Schedule>(`/schedules/${A.schedule.id}`, { enabled: false })).enabled).toBe(false);
    expect(ok(await A.api.get<List<BackupReport>>(`/schedules/${A.schedule.id}/reports/backup`)).total).toBeGreaterThan(0);
    ok(await A.api.get(`/schedules/${A.schedule.id}/reports/restore`));
    expect(ok(await A.api.get<List<DeletedReport>>(`/schedules/${A.schedule.id}/reports/deleted`)).total).toBe(0);
  });
});

describe('audit log per reseller', () => {
  const objectIdsOf = async (t: Tenant) => {
    const ids = new Set<string>([t.resellerId]);
    for (const c of ok(await admin.get<List<Customer>>(`/resellers/${t.resellerId}/customers?limit=1000`)).items) {
      ids.add(c.id);
      for (const cl of ok(await admin.get<List<Client>>(`/customers/${c.id}/clients?limit=1000`)).items) ids.add(cl.id);
    }
    return ids;
  };

  it('shows A only entries about A’s objects, by the admin and by A', async () => {
    const mine = ok(await A.api.get<List<AuditEntry>>('/audit-log?limit=1000'));
    const all = ok(await admin.get<List<AuditEntry>>('/audit-log?limit=1000'));
    const bIds = await objectIdsOf(B);
    bIds.add(bGoneClient.id).add(bGoneCustomer.id);
    expect(mine.total).toBe(mine.items.length);
    expect(mine.total).toBeLessThan(all.total);
    for (const e of mine.items) {
      expect(bIds.has(e.objectId), `${e.action} ${e.objectName}`).toBe(false);
      expect(['server', 'trial-settings']).not.toContain(e.objectType);
    }
    expect(mine.items.some((e) => e.actor === 'admin' && e.objectId === A.customer.id && e.action === 'customer.update')).toBe(true);
    expect(mine.items.some((e) => e.actor === 'Northwind IT' && e.role === 'reseller' && e.action === 'schedule.update')).toBe(true);
    expect(mine.items.some((e) => e.objectName === 'Northwind New Customer' && e.action === 'customer.delete')).toBe(true);
    // Every entry A sees is one the admin sees too, unchanged.
    const byId = new Map(all.items.map((e) => [e.id, e]));
    for (const e of mine.items) expect(byId.get(e.id)).toEqual(e);
  });

  it('shows B nothing of A’s, and nothing matches B’s objects when A searches', async () => {
    const theirs = ok(await B.api.get<List<AuditEntry>>('/audit-log?limit=1000'));
    const aIds = await objectIdsOf(A);
    expect(theirs.items.some((e) => e.objectId === B.customer.id)).toBe(true);
    for (const e of theirs.items) {
      expect(aIds.has(e.objectId)).toBe(false);
      expect(e.actor).not.toBe('Northwind IT');
    }
    expect(ok(await A.api.get<List<AuditEntry>>(`/audit-log?q=${encodeURIComponent(B.customer.name)}`)).total).toBe(0);
  });
});
