/**
 * The six MCAL rules of API.md with the pool arithmetic, against a real server whose pool was set with
 * `--mcals 10` at first start. Every test sets the pool total it needs through `PATCH /server` and
 * starts from an empty server: the customers and trial clients it made are deleted after it.
 *
 * Free MCALs for customers without an allotment = pool.total − Σ allotments − Σ used by unallotted customers.
 */
import type { ErrorBody } from '../../src-shared/api/common.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRegistered, AuditEntry, Client, ClientCreated, Customer, List, Reseller, ServerInfo } from '../../src-shared/api/index.js';
import { TestClient } from '../support/api-client.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { ok, expectError } from '../support/api-assert.js';

let server: RunningServer;
let admin: TestClient;
let agent: TestClient;
let counter = 0;

const pool = async () => ok(await admin.get<ServerInfo>('/server')).mcalPool;
const setPool = async (total: number) => expect(ok(await admin.patch<ServerInfo>('/server', { mcalPoolTotal: total })).mcalPool.total).toBe(total);
const getCustomer = async (id: string) => ok(await admin.get<Customer>(`/customers/${id}`));
const getClient = async (id: string) => ok(await admin.get<Client>(`/clients/${id}`));

async function customer(body: { mcalsAllotted?: number | null; autoAuthorization?: boolean } = {}): Promise<Customer> {
  return ok(await admin.post<Customer>('/resellers/default/customers', { name: `MCAL Customer ${++counter}`, ...body }), 201);
}

/** A pending client added through "Add New Client". */
async function pendingClient(customerId: string): Promise<ClientCreated> {
  return ok(await admin.post<ClientCreated>(`/customers/${customerId}/clients`, { name: `PC-${++counter}` }), 201);
}

async function authorizedClient(customerId: string): Promise<Client> {
  const { client } = await pendingClient(customerId);
  const authorized = ok(await admin.post<Client>(`/clients/${client.id}/authorize`));
  expect(authorized).toMatchObject({ status: 'authorized', mcalConsumed: true });
  return authorized;
}

/** Rule 5: refused with 403 MCAL_EXHAUSTED, and the client stays pending without an MCAL. */
async function expectExhausted(clientId: string): Promise<ErrorBody['error']> {
  const error = expectError(await admin.post(`/clients/${clientId}/authorize`), 403, 'MCAL_EXHAUSTED');
  expect(await getClient(clientId)).toMatchObject({ status: 'pending', mcalConsumed: false });
  return error;
}

beforeAll(async () => {
  server = await startServer({ args: ['--mcals', '10', '--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  agent = new TestClient(server.api);
});

afterEach(async () => {
  for (const c of ok(await admin.get<List<Customer>>('/resellers/default/customers?limit=1000')).items) expect((await admin.delete(`/customers/${c.id}`)).status).toBe(204);
  for (const c of ok(await admin.get<List<Client>>('/trial-clients?limit=1000')).items) expect((await admin.delete(`/clients/${c.id}`)).status).toBe(204);
  expect(await pool()).toMatchObject({ allotted: 0, used: 0 });
});

afterAll(async () => {
  if (server) {
    await server.stop();
    await removeDir(server.dataDir);
  }
});

describe('the MCAL pool', () => {
  it('has the total given with --mcals at first start, nothing allotted or used', async () => {
    expect(await pool()).toEqual({ total: 10, allotted: 0, used: 0 });
  });

  it('PATCH /server changes the total, but never below Σ allotments + unallotted usage', async () => {
    await setPool(10);
    await customer({ mcalsAllotted: 3 });
    const pooled = await customer();
    await authorizedClient(pooled.id);
    await authorizedClient(pooled.id);
    expect(await pool()).toEqual({ total: 10, allotted: 3, used: 2 });
    const error = expectError(await admin.patch('/server', { mcalPoolTotal: 4 }), 409, 'CONFLICT', /mcalPoolTotal/);
    expect(error.details).toMatchObject({ needed: 5 });
    expect((await pool()).total).toBe(10);
    await setPool(5);
    expect(await pool()).toEqual({ total: 5, allotted: 3, used: 2 });
  });
});

describe('rule 1: a non-trial client consumes one MCAL when authorized; deleting or migrating it away releases it', () => {
  it('pending clients and trial clients consume nothing; authorizing consumes exactly one', async () => {
    await setPool(10);
    const c = await customer();
    const { client } = await pendingClient(c.id);
    expect(client).toMatchObject({ status: 'pending', mcalConsumed: false });
    expect(await pool()).toEqual({ total: 10, allotted: 0, used: 0 });

    const trial = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'TRIAL-PC', trial: true }), 201).client;
    expect(trial).toMatchObject({ trial: true, status: 'authorized', mcalConsumed: false });
    expect((await pool()).used).toBe(0);

    ok(await admin.post(`/clients/${client.id}/authorize`));
    ok(await admin.post(`/clients/${client.id}/authorize`)); // already authorized: no second MCAL
    expect(await getCustomer(c.id)).toMatchObject({ mcalsUsed: 1, clientCount: 1 });
    expect(await pool()).toEqual({ total: 10, allotted: 0, used: 1 });
    expect(ok(await admin.get<Reseller>('/resellers/default'))).toMatchObject({ mcalsUsed: 1, mcalsAllotted: 0 });
  });

  it('deleting an authorized client releases its MCAL; deleting a pending one changes nothing', async () => {
    await setPool(1);
    const c = await customer();
    const authorized = await authorizedClient(c.id);
    const { client: waiting } = await pendingClient(c.id);
    await expectExhausted(waiting.id);
    expect((await admin.delete(`/clients/${authorized.id}`)).status).toBe(204);
    expect(await getCustomer(c.id)).toMatchObject({ mcalsUsed: 0, clientCount: 1 });
    expect(await pool()).toEqual({ total: 1, allotted: 0, used: 0 });
    // The freed MCAL is usable again.
    ok(await admin.post(`/clients/${waiting.id}/authorize`));
    expect(await pool()).toEqual({ total: 1, allotted: 0, used: 1 });

    const { client: pending } = await pendingClient(c.id);
    expect((await admin.delete(`/clients/${pending.id}`)).status).toBe(204);
    expect(await pool()).toEqual({ total: 1, allotted: 0, used: 1 });
  });

  it('deleting a customer releases all of its MCALs and its allotment', async () => {
    await setPool(10);
    const c = await customer({ mcalsAllotted: 4 });
    await authorizedClient(c.id);
    await authorizedClient(c.id);
    expect(await pool()).toEqual({ total: 10, allotted: 4, used: 2 });
    expect((await admin.delete(`/customers/${c.id}`)).status).toBe(204);
    expect(await pool()).toEqual({ total: 10, allotted: 0, used: 0 });
  });

  it('migrating a client away releases its MCAL at the source and takes one at the target', async () => {
    await setPool(10);
    const source = await customer({ mcalsAllotted: 1 });
    const target = await customer();
    const moving = await authorizedClient(source.id);
    const { client: blocked } = await pendingClient(source.id);
    await expectExhausted(blocked.id);

    const moved = ok(await admin.post<Client>(`/clients/${moving.id}/migrate`, { customerId: target.id }));
    expect(moved).toMatchObject({ customerId: target.id, status: 'authorized', mcalConsumed: true });
    expect(await getCustomer(source.id)).toMatchObject({ mcalsUsed: 0, clientCount: 1 });
    expect(await getCustomer(target.id)).toMatchObject({ mcalsUsed: 1, clientCount: 1 });
    expect(await pool()).toEqual({ total: 10, allotted: 1, used: 1 });
    // The source's allotment has room again.
    ok(await admin.post(`/clients/${blocked.id}/authorize`));
  });
});

describe('rule 2: a customer with mcalsAllotted = n has at most n consuming clients, whatever the pool holds', () => {
  it('refuses the (n+1)th authorization with a full pool behind it, until the allotment is raised', async () => {
    await setPool(10);
    const c = await customer({ mcalsAllotted: 2 });
    await authorizedClient(c.id);
    await authorizedClient(c.id);
    const { client: third } = await pendingClient(c.id);
    const error = await expectExhausted(third.id);
    expect(error.details).toMatchObject({ allotted: 2, used: 2 });
    expect(error.message).toContain(c.name);
    expect(await getCustomer(c.id)).toMatchObject({ mcalsAllotted: 2, mcalsUsed: 2, clientCount: 3 });
    expect(await pool()).toEqual({ total: 10, allotted: 2, used: 2 });

    ok(await admin.patch(`/customers/${c.id}`, { mcalsAllotted: 3 }));
    ok(await admin.post(`/clients/${third.id}/authorize`));
    expect(await pool()).toEqual({ total: 10, allotted: 3, used: 3 });
  });

  it('an allotment of 0 allows no client at all', async () => {
    await setPool(10);
    const c = await customer({ mcalsAllotted: 0 });
    const { client } = await pendingClient(c.id);
    await expectExhausted(client.id);
  });
});

describe('rule 3: a customer without an allotment draws from the pool: total − Σ allotments − Σ unallotted usage', () => {
  it('shares what the allotments leave among the unallotted customers, and allotted customers keep their reservation', async () => {
    await setPool(6);
    const allotted = await customer({ mcalsAllotted: 2 });
    const b = await customer();
    const c = await customer();
    // 6 − 2 (reserved, though unused) − 0 = 4 free for b and c together.
    for (let i = 0; i < 3; i++) await authorizedClient(b.id);
    await authorizedClient(c.id);
    expect(await pool()).toEqual({ total: 6, allotted: 2, used: 4 });
    const { client: cWaits } = await pendingClient(c.id);
    const { client: bWaits } = await pendingClient(b.id);
    expect((await expectExhausted(cWaits.id)).details).toMatchObject({ freeInPool: 0 });
    await expectExhausted(bWaits.id);
    // The allotted customer still has its two.
    await authorizedClient(allotted.id);
    await authorizedClient(allotted.id);
    expect(await pool()).toEqual({ total: 6, allotted: 2, used: 6 });

    // Freeing one of b's MCALs lets c take it; a bigger pool lets b take one more.
    const bClients = ok(await admin.get<List<Client>>(`/customers/${b.id}/clients?q=PC&sort=name`)).items.filter((x) => x.mcalConsumed);
    expect((await admin.delete(`/clients/${bClients[0]!.id}`)).status).toBe(204);
    ok(await admin.post(`/clients/${cWaits.id}/authorize`));
    await expectExhausted(bWaits.id);
    await setPool(7);
    ok(await admin.post(`/clients/${bWaits.id}/authorize`));
    expect(await pool()).toEqual({ total: 7, allotted: 2, used: 7 });
    expect(await getCustomer(b.id)).toMatchObject({ mcalsUsed: 3 });
    expect(await getCustomer(c.id)).toMatchObject({ mcalsUsed: 2 });
  });
});

describe('rule 4: allotments are reserved from the pool', () => {
  it('refuses an allotment that would make Σ allotments + unallotted usage exceed the total (409), on create and on change', async () => {
    await setPool(10);
    const pooled = await customer();
    for (let i = 0; i < 3; i++) await authorizedClient(pooled.id);
    const a = await customer({ mcalsAllotted: 7 }); // 7 + 3 = 10: exactly fits
    expect(await pool()).toEqual({ total: 10, allotted: 7, used: 3 });

    const before = ok(await admin.get<List<Customer>>('/resellers/default/customers')).total;
    const error = expectError(await admin.post('/resellers/default/customers', { name: 'Too Greedy', mcalsAllotted: 1 }), 409, 'CONFLICT', /mcalsAllotted/);
    expect(error.details).toMatchObject({ available: 0, poolTotal: 10 });
    expect(ok(await admin.get<List<Customer>>('/resellers/default/customers')).total).toBe(before);

    const zero = await customer({ mcalsAllotted: 0 }); // reserving nothing always fits
    expectError(await admin.patch(`/customers/${zero.id}`, { mcalsAllotted: 1 }), 409, 'CONFLICT', /mcalsAllotted/);
    expectError(await admin.patch(`/customers/${a.id}`, { mcalsAllotted: 8 }), 409, 'CONFLICT', /mcalsAllotted/);
    expect(await getCustomer(a.id)).toMatchObject({ mcalsAllotted: 7 });
    expect(await pool()).toEqual({ total: 10, allotted: 7, used: 3 });

    // Giving back part of one allotment makes room for another.
    ok(await admin.patch(`/customers/${a.id}`, { mcalsAllotted: 5 }));
    ok(await admin.patch(`/customers/${zero.id}`, { mcalsAllotted: 2 }));
    expect(await pool()).toEqual({ total: 10, allotted: 7, used: 3 });
    // The reservation also binds the unallotted customers: nothing is free for them now.
    const { client } = await pendingClient(pooled.id);
    await expectExhausted(client.id);
  });

  it('counts an allotted customer’s usage in the pool when its allotment is removed (null), and refuses when that does not fit', async () => {
    await setPool(5);
    const a = await customer({ mcalsAllotted: 2 });
    await authorizedClient(a.id);
    await authorizedClient(a.id);
    const b = await customer({ mcalsAllotted: 3 });
    expect(await pool()).toEqual({ total: 5, allotted: 5, used: 2 });
    // a → null: allotments 3 + unallotted usage 2 = 5: fits.
    expect(ok(await admin.patch<Customer>(`/customers/${a.id}`, { mcalsAllotted: null })).mcalsAllotted).toBeNull();
    expect(await pool()).toEqual({ total: 5, allotted: 3, used: 2 });
    // b → 4: allotments 4 + unallotted usage 2 = 6 > 5.
    expectError(await admin.patch(`/customers/${b.id}`, { mcalsAllotted: 4 }), 409, 'CONFLICT', /mcalsAllotted/);
    // a back to an allotment of 2: allotments 5 + 0 = 5: fits.
    ok(await admin.patch(`/customers/${a.id}`, { mcalsAllotted: 2 }));
    expect(await pool()).toEqual({ total: 5, allotted: 5, used: 2 });
  });

  it('refuses an allotment below what the customer already uses (409) and keeps the old one', async () => {
    await setPool(10);
    const c = await customer({ mcalsAllotted: 3 });
    await authorizedClient(c.id);
    await authorizedClient(c.id);
    const error = expectError(await admin.patch(`/customers/${c.id}`, { mcalsAllotted: 1 }), 409, 'CONFLICT', /mcalsAllotted/);
    expect(error.details).toMatchObject({ used: 2 });
    expect(await getCustomer(c.id)).toMatchObject({ mcalsAllotted: 3, mcalsUsed: 2 });
    expect(ok(await admin.patch<Customer>(`/customers/${c.id}`, { mcalsAllotted: 2 })).mcalsAllotted).toBe(2);
    expect(await pool()).toEqual({ total: 10, allotted: 2, used: 2 });
  });
});

describe('rule 5: authorizing with no MCAL available → 403 MCAL_EXHAUSTED and the client stays pending', () => {
  it('refuses at pool exhaustion, writes nothing, and succeeds once an MCAL is free', async () => {
    await setPool(2);
    const c = await customer();
    await authorizedClient(c.id);
    await authorizedClient(c.id);
    const { client } = await pendingClient(c.id);
    const lastEntry = ok(await admin.get<List<AuditEntry>>('/audit-log?limit=1')).items[0]!;
    const error = await expectExhausted(client.id);
    expect(error.message).toMatch(/pool/);
    expect(await getCustomer(c.id)).toMatchObject({ mcalsUsed: 2, clientCount: 3 });
    expect(await pool()).toEqual({ total: 2, allotted: 0, used: 2 });
    expect(ok(await admin.get<List<AuditEntry>>('/audit-log?limit=1')).items[0]).toEqual(lastEntry);
    await setPool(3);
    expect(ok(await admin.post<Client>(`/clients/${client.id}/authorize`)).status).toBe('authorized');
  });
});

describe('rule 6: a new client of a customer with autoAuthorization is authorized at registration when an MCAL is available', () => {
  it('registers by customer name: authorized while the pool has room, pending after', async () => {
    await setPool(1);
    const c = await customer({ autoAuthorization: true });
    const first = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'AUTO-1', customer: c.name }), 201).client;
    expect(first).toMatchObject({ status: 'authorized', mcalConsumed: true });
    const second = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'AUTO-2', customer: c.name }), 201).client;
    expect(second).toMatchObject({ status: 'pending', mcalConsumed: false });
    expect(await pool()).toEqual({ total: 1, allotted: 0, used: 1 });
    // It waits for an administrator.
    await expectExhausted(second.id);
    await setPool(2);
    expect(ok(await admin.post<Client>(`/clients/${second.id}/authorize`)).status).toBe('authorized');
  });

  it('registers as pending when the customer’s own allotment is used up, however big the pool', async () => {
    await setPool(10);
    const c = await customer({ mcalsAllotted: 1 });
    expect(ok(await agent.post<AgentRegistered>('/agent/register', { name: 'ALLOT-1', customer: c.name }), 201).client.status).toBe('authorized');
    expect(ok(await agent.post<AgentRegistered>('/agent/register', { name: 'ALLOT-2', customer: c.name }), 201).client.status).toBe('pending');
    expect(await getCustomer(c.id)).toMatchObject({ mcalsUsed: 1, clientCount: 2 });
  });

  it('registers as pending for a customer without autoAuthorization, even with MCALs free', async () => {
    await setPool(10);
    const c = await customer({ autoAuthorization: false });
    const r = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'MANUAL-1', customer: c.name }), 201).client;
    expect(r).toMatchObject({ status: 'pending', mcalConsumed: false });
    expect(await pool()).toEqual({ total: 10, allotted: 0, used: 0 });
    expect(ok(await admin.post<Client>(`/clients/${r.id}/authorize`)).status).toBe('authorized');
  });

  it('a client added with a registration key is authorized when it registers, if an MCAL is free', async () => {
    await setPool(1);
    const c = await customer({ autoAuthorization: false });
    const a = await pendingClient(c.id);
    const b = await pendingClient(c.id);
    expect(ok(await agent.post<AgentRegistered>('/agent/register', { name: 'KEY-A', key: a.registrationKey }), 201).client).toMatchObject({ id: a.client.id, status: 'authorized' });
    expect(ok(await agent.post<AgentRegistered>('/agent/register', { name: 'KEY-B', key: b.registrationKey }), 201).client).toMatchObject({ id: b.client.id, status: 'pending' });
    expect(await pool()).toEqual({ total: 1, allotted: 0, used: 1 });
  });
});

describe('client migration checks the target’s MCALs like an authorization', () => {
  it('refuses moving an authorized client to a customer whose allotment is full, and moves nothing', async () => {
    await setPool(10);
    const a = await customer({ mcalsAllotted: 1 });
    const b = await customer({ mcalsAllotted: 1 });
    const fromA = await authorizedClient(a.id);
    await authorizedClient(b.id);
    expectError(await admin.post(`/clients/${fromA.id}/migrate`, { customerId: b.id }), 403, 'MCAL_EXHAUSTED');
    expect(await getClient(fromA.id)).toEqual(fromA);
    expect(await getCustomer(a.id)).toMatchObject({ mcalsUsed: 1, clientCount: 1 });
    expect(await getCustomer(b.id)).toMatchObject({ mcalsUsed: 1, clientCount: 1 });
    expect(await pool()).toEqual({ total: 10, allotted: 2, used: 2 });
  });

  it('between two unallotted customers the pool balance does not change, so an exhausted pool does not block it', async () => {
    await setPool(3);
    const reserved = await customer({ mcalsAllotted: 1 });
    const fromReserved = await authorizedClient(reserved.id);
    const c = await customer();
    const d = await customer();
    const c1 = await authorizedClient(c.id);
    await authorizedClient(c.id);
    expect(await pool()).toEqual({ total: 3, allotted: 1, used: 3 }); // nothing free in the pool

    expect(ok(await admin.post<Client>(`/clients/${c1.id}/migrate`, { customerId: d.id })).customerId).toBe(d.id);
    expect(await pool()).toEqual({ total: 3, allotted: 1, used: 3 });

    // From an allotted customer into the pool needs a free pool MCAL: the allotment stays reserved.
    expectError(await admin.post(`/clients/${fromReserved.id}/migrate`, { customerId: d.id }), 403, 'MCAL_EXHAUSTED');
    expect((await getClient(fromReserved.id)).customerId).toBe(reserved.id);
    await setPool(4);
    ok(await admin.post(`/clients/${fromReserved.id}/migrate`, { customerId: d.id }));
    expect(await getCustomer(reserved.id)).toMatchObject({ mcalsUsed: 0, clientCount: 0 });
    expect(await getCustomer(d.id)).toMatchObject({ mcalsUsed: 2, clientCount: 2 });
    expect(await pool()).toEqual({ total: 4, allotted: 1, used: 3 });
  });

  it('a pending client moves without an MCAL and stays pending', async () => {
    await setPool(1);
    const a = await customer();
    const full = await customer({ mcalsAllotted: 0 });
    await authorizedClient(a.id);
    const { client } = await pendingClient(a.id);
    const moved = ok(await admin.post<Client>(`/clients/${client.id}/migrate`, { customerId: full.id }));
    expect(moved).toMatchObject({ customerId: full.id, status: 'pending', mcalConsumed: false });
    expect(await getCustomer(full.id)).toMatchObject({ mcalsUsed: 0, clientCount: 1 });
  });

  it('a trial client becomes a paid one only where an MCAL is available', async () => {
    await setPool(1);
    const full = await customer({ mcalsAllotted: 0 });
    const open = await customer();
    const trial = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'EVALUATION', trial: true }), 201).client;
    expectError(await admin.post(`/clients/${trial.id}/migrate`, { customerId: full.id }), 403, 'MCAL_EXHAUSTED');
    expect(await getClient(trial.id)).toEqual(trial);
    const paid = ok(await admin.post<Client>(`/clients/${trial.id}/migrate`, { customerId: open.id }));
    expect(paid).toMatchObject({ customerId: open.id, trial: false, trialExpiresAt: null, status: 'authorized', mcalConsumed: true });
    expect(await pool()).toEqual({ total: 1, allotted: 0, used: 1 });
    // The pool is now full, so the next trial cannot follow.
    const next = ok(await agent.post<AgentRegistered>('/agent/register', { name: 'EVALUATION-2', trial: true }), 201).client;
    expectError(await admin.post(`/clients/${next.id}/migrate`, { customerId: open.id }), 403, 'MCAL_EXHAUSTED');
    expect((await getClient(next.id)).trial).toBe(true);
  });
});
