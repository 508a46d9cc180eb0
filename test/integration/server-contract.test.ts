/**
 * Every request answered by the contract (API.md, Conventions; issue 21): bad input is a 4xx in the API's
 * error shape with the code its status implies, never a 5xx, and a refused write writes nothing. One test
 * per finding of the issue, against one real demo server; each test makes the objects it changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRegistered, BackupReport, Client, ClientCreated, Customer, DeletionPreview, List, Reseller, Schedule, ServerInfo } from '../../src-shared/api/index.js';
import { TestClient, type ApiResponse } from '../support/api-client.js';
import { expectError, ok } from '../support/api-assert.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';

const MAX = Number.MAX_SAFE_INTEGER;
const STATS = { filesScanned: 0, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 };

let server: RunningServer;
let admin: TestClient;
let resellerId: string;
let customer: Customer;
let unique = 0;
const name = (what: string) => `${what} ${++unique}`;

/** A raw request: any bytes, any headers, and the response headers too. */
async function raw(method: string, path: string, body?: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.api}${path}`, {
    method,
    headers: { ...(admin.token ? { authorization: `Bearer ${admin.token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as unknown };
}

/** The API error shape, field named: a refusal a form can act on. */
function expectRefusal(res: ApiResponse, status: number, code: string, field?: string) {
  const error = expectError(res, status, code);
  if (field !== undefined) expect(error.details?.['field'], JSON.stringify(error)).toBe(field);
  return error;
}

/** A client added by the admin and registered by its agent, with the agent's API. */
async function registered(customerId: string, clientName: string) {
  const added = ok(await admin.post<ClientCreated>(`/customers/${customerId}/clients`, { name: clientName }), 201);
  const { token, client } = ok(await new TestClient(server.api).post<AgentRegistered>('/agent/register', { name: clientName, key: added.registrationKey }), 201);
  return { agent: new TestClient(server.api, token), client };
}

const customersOf = async (rid: string) => ok(await admin.get<List<Customer>>(`/resellers/${rid}/customers?limit=1000`));

beforeAll(async () => {
  server = await startServer({ args: ['--demo', '--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  resellerId = ok(await admin.post<Reseller>('/resellers', { name: 'Contract Reseller', password: 'contract-reseller-pw' }), 201).id;
  customer = ok(await admin.post<Customer>(`/resellers/${resellerId}/customers`, { name: 'Contract Customer' }), 201);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (server) await removeDir(server.dataDir);
});

describe('the demo data set', () => {
  it('reports counters that equal what the lists return, and a start line that counts the clients that exist', async () => {
    const resellers = ok(await admin.get<List<Reseller>>('/resellers?limit=1000')).items;
    let clients = ok(await admin.get<List<Client>>('/trial-clients?limit=1')).total;
    for (const reseller of resellers) {
      for (const c of (await customersOf(reseller.id)).items) {
        const listed = ok(await admin.get<List<Client>>(`/customers/${c.id}/clients?limit=1`)).total;
        expect(listed, c.name).toBe(c.clientCount);
        expect(ok(await admin.get<DeletionPreview>(`/customers/${c.id}/deletion-preview`)).clients, c.name).toBe(listed);
        clients += listed;
      }
    }
    const started = /demo data: \d+ resellers, \d+ customers, (\d+) clients/.exec(server.output());
    expect(Number(started?.[1])).toBe(clients);
  });
});

describe('transport-level refusals', () => {
  it('answers a path id over 64 characters with our 400 at any length', async () => {
    for (const length of [65, 100, 101, 1000, 8000]) {
      expectRefusal(await admin.get(`/customers/${'x'.repeat(length)}`), 400, 'BAD_REQUEST', 'id');
    }
  });

  it('answers 413 PAYLOAD_TOO_LARGE and 415 UNSUPPORTED_MEDIA_TYPE in our shape, storing nothing', async () => {
    const before = await customersOf(resellerId);
    const huge = JSON.stringify({ name: name('Huge'), email: `${'a'.repeat(2 * 1024 * 1024)}@example.com` });
    expectRefusal(await raw('POST', `/resellers/${resellerId}/customers`, huge), 413, 'PAYLOAD_TOO_LARGE', 'body');
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      expectRefusal(await raw('POST', `/resellers/${resellerId}/customers`, JSON.stringify({ name: name('Typed') }), { 'content-type': type }), 415, 'UNSUPPORTED_MEDIA_TYPE', 'body');
    }
    expect(await customersOf(resellerId)).toEqual(before);
  });

  it('answers a pack sent as JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const { agent } = await registered(customer.id, name('PACK-PC'));
    const schedule = ok(await agent.put<Schedule>('/agent/schedules', { name: 'Packs', sources: ['/data'], frequency: { kind: 'manual' } }));
    const { backupId } = ok(await agent.post<{ backupId: string }>('/agent/backups', { scheduleId: schedule.id }), 201);
    expectRefusal(await agent.request('PUT', `/agent/backups/${backupId}/packs`, '{"chunks": []}'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'body');
    ok(await agent.post(`/agent/backups/${backupId}/fail`, { stats: STATS, error: 'test over' }), 204);
  });
});

describe('query strings', () => {
  it('take plain decimal integers only, naming the field', async () => {
    for (const value of ['1.5', '1e3', '0x10', '+5', ' 5', '5 ', '', '1_0']) {
      for (const field of ['limit', 'offset']) {
        expectRefusal(await admin.get(`/resellers/${resellerId}/customers?${field}=${encodeURIComponent(value)}`), 400, 'BAD_REQUEST', field);
      }
    }
    expect(ok(await admin.get<List<Customer>>(`/resellers/${resellerId}/customers?limit=5&offset=0`)).items).toHaveLength(1);
  });

  it('refuses a sort key that is an Object property on every sortable list, naming sort', async () => {
    const { agent, client } = await registered(customer.id, name('SORT-PC'));
    const schedule = ok(await agent.put<Schedule>('/agent/schedules', { name: 'Sorted', sources: ['/data'], frequency: { kind: 'manual' } }));
    const lists = [
      '/resellers',
      `/resellers/${resellerId}/customers`,
      `/customers/${customer.id}/clients`,
      '/trial-clients',
      `/clients/${client.id}/schedules`,
      `/schedules/${schedule.id}/reports/backup`,
      `/schedules/${schedule.id}/reports/restore`,
      `/schedules/${schedule.id}/reports/deleted`,
      `/customers/${customer.id}/reports/deleted`,
      '/trial-clients/reports/deleted',
      '/audit-log',
    ];
    for (const list of lists) {
      for (const key of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__proto__', '-constructor']) {
        expectRefusal(await admin.get(`${list}?sort=${key}`), 400, 'BAD_REQUEST', 'sort');
      }
    }
  });
});

describe('numbers and totals', () => {
  it('clamps reseller totals at 2^53−1: a reseller with 1,025 customers at the largest allotment breaks no view', async () => {
    const rid = ok(await admin.post<Reseller>('/resellers', { name: 'Overflow Reseller', password: 'overflow-reseller-pw' }), 201).id;
    const create = (i: number) => admin.post<Customer>(`/resellers/${rid}/customers`, { name: `Overflow ${i}`, spaceAllotted: MAX });
    for (const i of [0, 1]) ok(await create(i), 201);
    // Past 2^53 a double sum would be rounded: the total says the clamp, not a rounded number.
    expect(ok(await admin.get<Reseller>(`/resellers/${rid}`)).spaceAllotted).toBe(MAX);
    for (let i = 2; i < 1025; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, 1025 - i) }, (_, k) => create(i + k).then((res) => ok(res, 201))));
    }
    expect(ok(await admin.get<Reseller>(`/resellers/${rid}`))).toMatchObject({ customerCount: 1025, spaceAllotted: MAX });
    const listed = ok(await admin.get<List<Reseller>>('/resellers?limit=1000&sort=-spaceAllotted')).items;
    expect(listed.find((r) => r.id === rid)?.spaceAllotted).toBe(MAX);
    ok(await admin.get<ServerInfo>('/server'));
  }, 120_000);

  it('refuses integers above 2^53−1 in an agent commit or fail, storing nothing', async () => {
    const { agent } = await registered(customer.id, name('BIG-PC'));
    const schedule = ok(await agent.put<Schedule>('/agent/schedules', { name: 'Big numbers', sources: ['/data'], frequency: { kind: 'manual' } }));
    const { backupId } = ok(await agent.post<{ backupId: string }>('/agent/backups', { scheduleId: schedule.id }), 201);
    const reports = () => admin.get<List<BackupReport>>(`/schedules/${schedule.id}/reports/backup`);
    const before = ok(await reports());
    for (const big of ['18446744073709551616', '9007199254740993']) {
      const stats = `{"filesScanned": ${big}, "filesUploaded": 0, "bytesScanned": 0, "bytesUploaded": 0}`;
      expectRefusal(await agent.request('POST', `/agent/backups/${backupId}/fail`, `{"stats": ${stats}, "error": "disk gone"}`), 400, 'BAD_REQUEST', 'stats.filesScanned');
      expectRefusal(await agent.request('POST', `/agent/backups/${backupId}/commit`, `{"status": "success", "stats": ${stats}, "manifest": []}`), 400, 'BAD_REQUEST', 'stats.filesScanned');
    }
    expect(ok(await reports())).toEqual(before);
    ok(await agent.post(`/agent/backups/${backupId}/fail`, { stats: STATS, error: 'test over' }), 204);
  });
});

describe('JSON bodies', () => {
  const invalidUtf8 = (json: string, marker: string) => {
    const [head, tail] = json.split(marker) as [string, string];
    return Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]);
  };

  it('refuses bytes that are not UTF-8 with a 400, storing nothing (customers, clients, server, resellers)', async () => {
    const serverBefore = ok(await admin.get<ServerInfo>('/server'));
    const cases: [string, string, string][] = [
      ['POST', `/resellers/${resellerId}/customers`, `/resellers/${resellerId}/customers?limit=1000`],
      ['POST', `/customers/${customer.id}/clients`, `/customers/${customer.id}/clients?limit=1000`],
      ['PATCH', '/server', '/server'],
      ['POST', '/resellers', '/resellers?limit=1000'],
      ['PATCH', `/customers/${customer.id}`, `/customers/${customer.id}`],
    ];
    for (const [method, path, readBack] of cases) {
      const before = await admin.get(readBack);
      const body = invalidUtf8(JSON.stringify({ name: 'Bad @ Name', ...(path === '/resellers' ? { password: 'a-long-password' } : {}) }), '@');
      const error = expectRefusal(await raw(method, path, body), 400, 'BAD_REQUEST', 'body');
      expect(error.message).toMatch(/UTF-8/);
      expect(await admin.get(readBack)).toEqual(before);
    }
    expect(ok(await admin.get<ServerInfo>('/server')).name).toBe(serverBefore.name);
  });

  it('answers a __proto__ key as an unknown field, not as JSON that does not parse, storing nothing', async () => {
    const before = await customersOf(resellerId);
    for (const body of [`{"name": "${name('Proto')}", "__proto__": {"admin": true}}`, `{"name": "${name('Proto')}", "\\u005f_proto__": 1}`]) {
      const error = expectRefusal(await raw('POST', `/resellers/${resellerId}/customers`, body), 400, 'BAD_REQUEST', '__proto__');
      expect(error.message).toMatch(/unknown field "__proto__"/);
    }
    const nested = `{"name": "${name('Ctor')}", "constructor": {"prototype": {"admin": true}}}`;
    expectRefusal(await raw('POST', `/resellers/${resellerId}/customers`, nested), 400, 'BAD_REQUEST', 'constructor.prototype');
    expectRefusal(await raw('POST', `/resellers/${resellerId}/customers`, '{"name": '), 400, 'BAD_REQUEST', 'body');
    expect(await customersOf(resellerId)).toEqual(before);
  });
});

describe('authentication headers', () => {
  it('takes the Bearer scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer', 'bEaReR']) {
      ok(await raw('GET', '/server', undefined, { authorization: `${scheme} ${admin.token!}` }) as ApiResponse);
    }
  });

  it('sends WWW-Authenticate: Bearer with every 401 and Retry-After with every 429', async () => {
    const anonymous = { authorization: '' };
    for (const res of [
      await raw('GET', '/server', undefined, anonymous),
      await raw('GET', '/server', undefined, { authorization: 'Bearer not-a-valid-token-at-all' }),
      await raw('GET', '/agent/me', undefined, anonymous),
      await raw('POST', '/session', JSON.stringify({ username: 'admin', password: 'wrong-password' }), anonymous),
    ]) {
      expectRefusal(res as ApiResponse, 401, 'UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const attempt = () => raw('POST', '/session', JSON.stringify({ username: 'locked-out-user', password: 'wrong-password' }), anonymous);
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expectRefusal(limited as ApiResponse, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('free text', () => {
  const PAD = ' \u00a0\ufeff\u3000';

  it('trims names of outer spaces, NBSP and BOM before validation and uniqueness (customers, resellers, clients, server, schedules)', async () => {
    const long = 'L'.repeat(200);
    const padded = ok(await admin.post<Customer>(`/resellers/${resellerId}/customers`, { name: `${PAD}Trimmed Co${PAD}`, email: `${PAD}it@trimmed.example${PAD}` }), 201);
    expect(padded).toMatchObject({ name: 'Trimmed Co', email: 'it@trimmed.example' });
    expectRefusal(await admin.post(`/resellers/${resellerId}/customers`, { name: `\ufefftrimmed co\u00a0` }), 409, 'NAME_TAKEN', 'name');
    expect(ok(await admin.post<Customer>(`/resellers/${resellerId}/customers`, { name: `${PAD}${long}${PAD}` }), 201).name).toBe(long);
    expectRefusal(await admin.post(`/resellers/${resellerId}/customers`, { name: PAD }), 400, 'BAD_REQUEST', 'name');
    expect(ok(await admin.patch<Customer>(`/customers/${padded.id}`, { name: `${PAD}Trimmed Again${PAD}` })).name).toBe('Trimmed Again');

    expect(ok(await admin.post<Reseller>('/resellers', { name: `${PAD}Trimmed Reseller${PAD}`, password: 'trimmed-reseller-pw' }), 201).name).toBe('Trimmed Reseller');
    await new TestClient(server.api).login('Trimmed Reseller', 'trimmed-reseller-pw');

    const { agent, client } = await registered(padded.id, `${PAD}TRIM-PC${PAD}`);
    expect(client.name).toBe('TRIM-PC');
    expectRefusal(await admin.post(`/customers/${padded.id}/clients`, { name: `trim-pc${PAD}` }), 409, 'NAME_TAKEN', 'name');
    expect(ok(await admin.patch<Client>(`/clients/${client.id}`, { name: `${PAD}TRIM-PC-2${PAD}` })).name).toBe('TRIM-PC-2');

    // Paths are not free text: a source keeps its spaces.
    const schedule = ok(await agent.put<Schedule>('/agent/schedules', { name: `${PAD}Nightly${PAD}`, sources: [' /data '], frequency: { kind: 'manual' } }));
    expect(schedule).toMatchObject({ name: 'Nightly', sources: [' /data '] });
    expect(ok(await agent.put<Schedule>('/agent/schedules', { name: 'nightly\u00a0', sources: ['/other'], frequency: { kind: 'manual' } })).id).toBe(schedule.id);

    // What a machine reports of itself is free text too: trimmed, and refused with a control character.
    const machine = ok(await new TestClient(server.api).post<AgentRegistered>('/agent/register', { name: 'TRIM-HOST', trial: true, hostname: `${PAD}pc1.local${PAD}`, os: `${PAD}Debian 12${PAD}` }), 201);
    expect(machine.client).toMatchObject({ hostname: 'pc1.local', os: 'Debian 12' });
    expectRefusal(await new TestClient(server.api).post('/agent/register', { name: 'CTRL-HOST', trial: true, hostname: 'pc\u001b[31m' }), 400, 'BAD_REQUEST', 'hostname');

    const serverName = ok(await admin.get<ServerInfo>('/server')).name;
    expect(ok(await admin.patch<ServerInfo>('/server', { name: `${PAD}Trimmed Server${PAD}` })).name).toBe('Trimmed Server');
    ok(await admin.patch('/server', { name: serverName }));
  });

  it('never trims passwords', async () => {
    ok(await admin.post<Reseller>('/resellers', { name: 'Spacey Reseller', password: ' spaced password ' }), 201);
    await new TestClient(server.api).login('Spacey Reseller', ' spaced password ');
    await expect(new TestClient(server.api).login('Spacey Reseller', 'spaced password')).rejects.toThrow(/401/);
  });
});
