/**
 * The server's policy as the agent meets it, with real agent and server processes: every refusal code
 * (exit 3 and a `refused` report), a quota hit mid-backup, a server killed mid-upload and restarted,
 * deleting a client, and a trial that expires and is deleted. Restarts keep the data dir and the port,
 * so the agents' state dirs stay valid; time passes by editing the database while the server is down.
 */
import { appendFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupReport, Client, ClientCreated, Customer, DeletedReport, List, ManifestEntry, Reseller, Schedule, TrialSettings } from '../../src-shared/api/index.js';
import { agentTokenOf, bytesUnder, runAgent, spawnAgent, treeDigest, type AgentResult } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';
import { ok } from '../support/api-assert.js';

const MIB = 1024 * 1024;

let server: RunningServer;
let admin: TestClient;
let resellerId: string;
let work: string;
let counter = 0;

/** A machine: its own state dir and a source dir of files made from `sizes` (pseudo-random, distinct per machine). */
interface Machine {
  stateDir: string;
  source: string;
  run: (...args: string[]) => Promise<AgentResult>;
}

async function machine(sizes: number[]): Promise<Machine> {
  const id = ++counter;
  const stateDir = path.join(work, `state-${id}`);
  const source = path.join(work, `src-${id}`);
  await mkdir(source, { recursive: true });
  await Promise.all(sizes.map((size, i) => writeFile(path.join(source, `file-${i}.bin`), pseudoRandom(id * 1000 + i, size))));
  return { stateDir, source, run: (...args) => runAgent([...args, '--state-dir', stateDir]) };
}

function expectExit(result: AgentResult, code: number): void {
  expect(result.code, `exit ${code} expected:\n${result.stderr}${result.stdout}`).toBe(code);
}

async function createCustomer(body: Record<string, unknown>): Promise<Customer> {
  return ok(await admin.post<Customer>(`/resellers/${resellerId}/customers`, { name: `Policy Co ${process.pid}-${++counter}`, ...body }), 201);
}

/** Registers `m` as client `name` of the customer (by customer name) and adds schedule "files" over its source dir. */
async function enroll(m: Machine, customer: Customer, name = 'machine', every = 'manual'): Promise<void> {
  expectExit(await m.run('register', '--server', server.url, '--customer', customer.name, '--name', name), 0);
  expectExit(await m.run('schedule', 'add', '--name', 'files', '--source', m.source, '--every', every), 0);
}

const clientsOf = async (customerId: string) => ok(await admin.get<List<Client>>(`/customers/${customerId}/clients`)).items;
const schedulesOf = async (clientId: string) => ok(await admin.get<List<Schedule>>(`/clients/${clientId}/schedules`)).items;
const backupReports = async (scheduleId: string) => ok(await admin.get<List<BackupReport>>(`/schedules/${scheduleId}/reports/backup`)).items;
const customerNow = async (id: string) => ok(await admin.get<Customer>(`/customers/${id}`));
const chunkStore = (owner: string) => path.join(server.dataDir, 'chunks', owner);

/**
 * The bytes in an owner's chunk store once they stop changing: packs are compacted after a delete or a
 * migration has answered. Waits (up to 5 s) until the store reads `expected` twice in a row.
 */
async function settledStore(owner: string, expected: number): Promise<number> {
  let store = -1;
  for (let i = 0, previous = -2; i < 100 && !(store === previous && store === expected); i++) {
    previous = store;
    await new Promise((r) => setTimeout(r, 50));
    store = await bytesUnder(chunkStore(owner));
  }
  return store;
}

/** The only schedule of the only client of a customer. */
async function onlySchedule(customerId: string): Promise<Schedule> {
  const [client] = await clientsOf(customerId);
  const [schedule] = await schedulesOf(client!.id);
  return schedule!;
}

/** Stops (or kills) the server, optionally edits its database, and starts it again on the same data dir and port. */
async function restartServer(how: 'stop' | 'kill', edit?: (db: Database.Database) => void): Promise<void> {
  const port = new URL(server.url).port;
  const { dataDir } = server;
  if (how === 'stop') await server.stop();
  else await server.kill();
  if (edit) {
    const db = new Database(path.join(dataDir, 'server.sqlite'));
    try {
      edit(db);
    } finally {
      db.close();
    }
  }
  server = await startServer({ dataDir, args: ['--port', port, '--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
}

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  resellerId = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!.id;
  work = await tempDir('agent-policy-');
});

afterAll(async () => {
  await server?.stop();
  if (work) await removeDir(work);
  if (server) await removeDir(server.dataDir);
});

describe('refusals: exit 3, the code on stderr, a refused report', () => {
  /** Each case sets up a machine whose next backup the server refuses at start; returns it and its schedule. */
  const cases: [string, () => Promise<{ m: Machine; scheduleId: string; cleanup?: () => Promise<void> }>][] = [
    [
      'CUSTOMER_INACTIVE',
      async () => {
        // Registered with a key from "Add New Client", then the customer is switched off.
        const customer = await createCustomer({});
        const { registrationKey } = ok(await admin.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: 'keyed' }), 201);
        const m = await machine([1000]);
        expectExit(await m.run('register', '--server', server.url, '--key', registrationKey, '--name', 'keyed'), 0);
        expectExit(await m.run('schedule', 'add', '--name', 'files', '--source', m.source), 0);
        ok(await admin.patch(`/customers/${customer.id}`, { active: false }));
        return { m, scheduleId: (await onlySchedule(customer.id)).id };
      },
    ],
    [
      'CLIENT_NOT_AUTHORIZED',
      async () => {
        const customer = await createCustomer({ autoAuthorization: false });
        const m = await machine([1000]);
        await enroll(m, customer);
        return { m, scheduleId: (await onlySchedule(customer.id)).id };
      },
    ],
    [
      'MCAL_EXHAUSTED',
      async () => {
        const customer = await createCustomer({ autoAuthorization: true, mcalsAllotted: 0 });
        const m = await machine([1000]);
        await enroll(m, customer);
        return { m, scheduleId: (await onlySchedule(customer.id)).id };
      },
    ],
    [
      'QUOTA_EXCEEDED',
      async () => {
        // A trial machine stores more than the trial space once it is lowered (a customer's allotment
        // cannot be set below what it stores; the exactly-full customer is in the quota tests below).
        const m = await machine([100_000]);
        expectExit(await m.run('register', '--server', server.url, '--trial', '--name', 'trial over quota'), 0);
        expectExit(await m.run('schedule', 'add', '--name', 'files', '--source', m.source), 0);
        expectExit(await m.run('backup', '--schedule', 'files'), 0);
        const settings = ok(await admin.get<TrialSettings>('/trial-settings'));
        ok(await admin.put('/trial-settings', { ...settings, spaceBytes: 1000 }));
        const client = ok(await admin.get<List<Client>>('/trial-clients?limit=1000')).items.find((c) => c.name === 'trial over quota')!;
        const [schedule] = await schedulesOf(client.id);
        return { m, scheduleId: schedule!.id, cleanup: async () => void ok(await admin.put('/trial-settings', settings)) };
      },
    ],
  ];

  it.each(cases)('%s', async (code, setup) => {
    const { m, scheduleId, cleanup } = await setup();
    try {
      const result = await m.run('backup', '--schedule', 'files');
      expectExit(result, 3);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(new RegExp(`^refused: ${code}: \\S`));
      const [report] = await backupReports(scheduleId);
      expect(report).toMatchObject({ status: 'refused' });
      expect(report!.error).toContain(code);
    } finally {
      await cleanup?.();
    }
  });
});

describe('quota', () => {
  it('stops a backup that reaches the allotment midway, and counts exactly what was stored', async () => {
    const allotted = 24 * MIB;
    const customer = await createCustomer({ autoAuthorization: true, spaceAllotted: allotted });
    const m = await machine([8, 8, 8, 8, 8, 8].map((n) => n * MIB));
    await enroll(m, customer);
    const result = await m.run('backup', '--schedule', 'files');
    expectExit(result, 3);
    expect(result.stderr).toMatch(/^refused: QUOTA_EXCEEDED: /);
    const [report] = await backupReports((await onlySchedule(customer.id)).id);
    expect(['partial', 'failed']).toContain(report!.status);
    expect(report!.error).toContain('QUOTA_EXCEEDED');
    const { spaceUsed } = await customerNow(customer.id);
    expect(spaceUsed).toBeGreaterThan(0);
    expect(spaceUsed).toBeLessThanOrEqual(allotted);
    expect(spaceUsed).toBe(await bytesUnder(chunkStore(customer.id)));

    // Exactly full now: the run is refused at start and stores nothing more.
    ok(await admin.patch(`/customers/${customer.id}`, { spaceAllotted: spaceUsed }));
    const full = await m.run('backup', '--schedule', 'files');
    expectExit(full, 3);
    expect(full.stderr).toMatch(/^refused: QUOTA_EXCEEDED: /);
    expect((await customerNow(customer.id)).spaceUsed).toBe(spaceUsed);
    expect(await bytesUnder(chunkStore(customer.id))).toBe(spaceUsed);
  });
});

describe('crashes and deletions', () => {
  it('after the server is killed mid-upload and restarted, run-due completes and spaceUsed equals the chunk store', async () => {
    const customer = await createCustomer({ autoAuthorization: true });
    const m = await machine([40, 40, 40, 40].map((n) => n * MIB));
    await enroll(m, customer, 'machine', 'hourly');
    const schedule = await onlySchedule(customer.id);

    const run = spawnAgent(['backup', '--schedule', 'files', '--state-dir', m.stateDir]);
    while ((await customerNow(customer.id)).spaceUsed === 0) {
      const exited = await Promise.race([run.done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10))]);
      if (exited) throw new Error(`the backup finished before the server could be killed: ${run.stdout()}`);
    }
    // The next run is made due by moving nextRunAt into the past while the server is down.
    await restartServer('kill', (db) => db.prepare('UPDATE schedules SET next_run_at = ? WHERE id = ?').run('2000-01-01T00:00:00.000Z', schedule.id));
    const interrupted = await run.done;
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr.trim().split('\n')).toHaveLength(1);

    const due = await m.run('run-due');
    expectExit(due, 0);
    expect(due.stdout).toMatch(/: success; 4 files scanned/);
    const { spaceUsed } = await customerNow(customer.id);
    expect(spaceUsed).toBeGreaterThan(160 * MIB);
    expect(spaceUsed).toBe(await bytesUnder(chunkStore(customer.id)));
    expect((await backupReports(schedule.id))[0]).toMatchObject({ status: 'success' });

    // Nothing is due any more: the run moved nextRunAt to the next hour.
    const again = await m.run('run-due');
    expectExit(again, 0);
    expect(again.stdout).toMatch(/no schedule is due/);
  });

  it('re-uploads a chunk the server lost when the commit names it, and the backup restores whole', async () => {
    const customer = await createCustomer({ autoAuthorization: true });
    const m = await machine([3 * MIB, 100_000]);
    await enroll(m, customer);
    expectExit(await m.run('backup', '--schedule', 'files'), 0);
    // The index lost every trace of the big file's first chunk while the server was down (its row and
    // the schedule's reference to it). Then the file grows at its end: the agent re-reads it and finds
    // that chunk again, which it takes as stored (it is in the previous backup), so only the commit of
    // the changed file can tell.
    const [cached] = await readdir(path.join(m.stateDir, 'manifests'));
    const { entries } = JSON.parse(await readFile(path.join(m.stateDir, 'manifests', cached!), 'utf8')) as { entries: ManifestEntry[] };
    const lost = entries.find((e) => e.path.endsWith('/file-0.bin'))!.chunks![0]!;
    await restartServer('stop', (db) => {
      db.prepare('DELETE FROM chunks WHERE owner = ? AND hash = ?').run(customer.id, lost);
      db.prepare('DELETE FROM schedule_chunks WHERE hash = ?').run(lost);
    });
    await appendFile(path.join(m.source, 'file-0.bin'), 'more');
    const again = await m.run('backup', '--schedule', 'files');
    expectExit(again, 0);
    // The file's new last chunk, and the lost one.
    expect(again.stdout).toMatch(/: success; 2 files scanned .*; 2 chunks uploaded/);
    const target = path.join(work, 'after-repair');
    expectExit(await m.run('restore', '--schedule', 'files', '--target', target), 0);
    expect(Object.fromEntries(await treeDigest(path.join(target, m.source)))).toEqual(Object.fromEntries(await treeDigest(m.source)));
  });

  it('deleting a client frees its bytes, shrinks the chunk store and lists it in the deleted report', async () => {
    const customer = await createCustomer({ autoAuthorization: true });
    const leaving = await machine([3 * MIB, 200_000]);
    const staying = await machine([2 * MIB, 50_000]);
    await enroll(leaving, customer, 'leaving');
    await enroll(staying, customer, 'staying');
    expectExit(await leaving.run('backup', '--schedule', 'files'), 0);
    // A second backup, stored as a delta against the first: the client leaves with the whole chain.
    await writeFile(path.join(leaving.source, 'added.txt'), 'one more file');
    expectExit(await leaving.run('backup', '--schedule', 'files'), 0);
    expectExit(await staying.run('backup', '--schedule', 'files'), 0);
    const clients = await clientsOf(customer.id);
    const leavingClient = clients.find((c) => c.name === 'leaving')!;
    const stayingClient = clients.find((c) => c.name === 'staying')!;
    const before = await customerNow(customer.id);
    expect(before.spaceUsed).toBe(leavingClient.spaceUsed + stayingClient.spaceUsed);
    expect(await bytesUnder(chunkStore(customer.id))).toBe(before.spaceUsed);

    ok(await admin.delete(`/clients/${leavingClient.id}`), 204);
    const after = await customerNow(customer.id);
    expect(after.spaceUsed).toBe(before.spaceUsed - leavingClient.spaceUsed);
    expect(await settledStore(customer.id, after.spaceUsed)).toBe(after.spaceUsed);
    const deleted = ok(await admin.get<List<DeletedReport>>(`/customers/${customer.id}/reports/deleted`)).items;
    expect(deleted).toContainEqual(expect.objectContaining({ kind: 'client', clientName: leavingClient.name, bytes: leavingClient.spaceUsed }));

    // The other client's backup is whole after the compaction.
    const target = path.join(work, 'after-delete');
    expectExit(await staying.run('restore', '--schedule', 'files', '--target', target), 0);
    expect(Object.fromEntries(await treeDigest(path.join(target, staying.source)))).toEqual(Object.fromEntries(await treeDigest(staying.source)));
  });

  it('deleting a schedule frees the chunks only it uses, hands shared ones to the schedule that keeps them, and lists it with its backups', async () => {
    const customer = await createCustomer({ autoAuthorization: true });
    const m = await machine([2 * MIB, 150_000]);
    await enroll(m, customer);
    // A second schedule over a copy of file-0 and a file of its own.
    const other = path.join(work, `other-${counter}`);
    await mkdir(other);
    await writeFile(path.join(other, 'copy-of-0.bin'), await readFile(path.join(m.source, 'file-0.bin')));
    await writeFile(path.join(other, 'own.bin'), pseudoRandom(77, 60_000));
    expectExit(await m.run('schedule', 'add', '--name', 'other', '--source', other), 0);
    expectExit(await m.run('backup', '--schedule', 'files'), 0);
    expectExit(await m.run('backup', '--schedule', 'other'), 0);
    const [client] = await clientsOf(customer.id);
    const byName = async () => new Map((await schedulesOf(client!.id)).map((s) => [s.name, s]));
    const before = await byName();
    const leaving = before.get('files')!;

    // While one of its backups runs, the schedule stays.
    const agentApi = new TestClient(server.api, await agentTokenOf(m.stateDir));
    const { backupId } = ok(await agentApi.post<{ backupId: string }>('/agent/backups', { scheduleId: leaving.id }), 201);
    expect((await admin.delete(`/schedules/${leaving.id}`)).status).toBe(409);
    ok(await agentApi.post(`/agent/backups/${backupId}/fail`, { stats: { filesScanned: 0, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 }, error: 'test' }), 204);

    ok(await admin.delete(`/schedules/${leaving.id}`), 204);
    const after = await byName();
    expect([...after.keys()]).toEqual(['other']);
    // file-0's chunks were counted against "files" (it stored them first); "other" uses them too.
    const file0 = (await readFile(path.join(m.source, 'file-0.bin'))).length;
    expect(after.get('other')!.spaceUsed).toBeGreaterThan(before.get('other')!.spaceUsed + file0 * 0.9);
    expect(after.get('other')!.spaceUsed).toBeLessThan(before.get('files')!.spaceUsed + before.get('other')!.spaceUsed);
    const now = await customerNow(customer.id);
    expect(now.spaceUsed).toBe(after.get('other')!.spaceUsed);
    expect((await clientsOf(customer.id))[0]!.spaceUsed).toBe(now.spaceUsed);
    expect(await settledStore(customer.id, now.spaceUsed)).toBe(now.spaceUsed);
    const deleted = ok(await admin.get<List<DeletedReport>>(`/customers/${customer.id}/reports/deleted`)).items;
    expect(deleted).toContainEqual(expect.objectContaining({ kind: 'schedule', scheduleName: 'files', bytes: leaving.spaceUsed, reason: 'schedule deleted' }));
    expect(deleted.filter((d) => d.kind === 'backup' && d.scheduleName === 'files')).toHaveLength(1);

    const target = path.join(work, `other-restored-${counter}`);
    expectExit(await m.run('restore', '--schedule', 'other', '--target', target), 0);
    expect(Object.fromEntries(await treeDigest(path.join(target, other)))).toEqual(Object.fromEntries(await treeDigest(other)));
    expect((await m.run('backup', '--schedule', 'files')).code).toBe(1);
  });

  it('chunks shared by clients stay counted within their customer when the first uploader is deleted, and a migrated client takes only what its new customer lacks', async () => {
    const a = await createCustomer({ autoAuthorization: true });
    const b = await createCustomer({ autoAuthorization: true });
    // a1's files are backed up three times: by a1, by a2 (same customer) and by b1 (another customer).
    const a1 = await machine([2 * MIB, 100_000]);
    const a2 = await machine([300_000]);
    const b1 = await machine([]);
    await enroll(a1, a, 'a1');
    await enroll(a2, a, 'a2');
    await enroll(b1, b, 'b1');
    for (const m of [a2, b1]) expectExit(await m.run('schedule', 'add', '--name', 'shared', '--source', a1.source), 0);
    expectExit(await a1.run('backup', '--schedule', 'files'), 0);
    for (const m of [a2, b1]) for (const schedule of ['files', 'shared']) expectExit(await m.run('backup', '--schedule', schedule), 0);
    const spaceOf = async (customerId: string, name: string) => (await clientsOf(customerId)).find((c) => c.name === name)!;
    const shared = (await spaceOf(a.id, 'a1')).spaceUsed;
    const own = (await spaceOf(a.id, 'a2')).spaceUsed;
    expect(shared).toBeGreaterThan(2 * MIB);
    expect((await customerNow(a.id)).spaceUsed).toBe(shared + own);
    expect((await customerNow(b.id)).spaceUsed).toBe(shared);

    // a1 goes: the shared chunks are now a2's to pay for, and nothing moves to customer b.
    ok(await admin.delete(`/clients/${(await spaceOf(a.id, 'a1')).id}`), 204);
    expect((await spaceOf(a.id, 'a2')).spaceUsed).toBe(shared + own);
    expect((await customerNow(a.id)).spaceUsed).toBe(shared + own);
    expect((await customerNow(b.id)).spaceUsed).toBe(shared);
    expect(await settledStore(a.id, shared + own)).toBe(shared + own);

    // a2 moves to b, which already stores the shared chunks: only a2's own file is copied.
    const a2Id = (await spaceOf(a.id, 'a2')).id;
    ok(await admin.post<Client>(`/clients/${a2Id}/migrate`, { customerId: b.id }));
    expect((await customerNow(a.id)).spaceUsed).toBe(0);
    expect(await settledStore(a.id, 0)).toBe(0);
    expect((await spaceOf(b.id, 'a2')).spaceUsed).toBe(own);
    expect((await customerNow(b.id)).spaceUsed).toBe(shared + own);
    expect(await settledStore(b.id, shared + own)).toBe(shared + own);
    for (const [schedule, source] of [['files', a2.source], ['shared', a1.source]] as const) {
      const target = path.join(work, `migrated-${schedule}`);
      expectExit(await a2.run('restore', '--schedule', schedule, '--target', target), 0);
      expect(Object.fromEntries(await treeDigest(path.join(target, source)))).toEqual(Object.fromEntries(await treeDigest(source)));
    }
  });

  it('a trial client is refused once its trial has expired, and deleted by maintenance with reason trial-expired', async () => {
    const m = await machine([300_000]);
    expectExit(await m.run('register', '--server', server.url, '--trial', '--name', 'trial machine'), 0);
    expectExit(await m.run('schedule', 'add', '--name', 'files', '--source', m.source), 0);
    expectExit(await m.run('backup', '--schedule', 'files'), 0);
    const client = ok(await admin.get<List<Client>>('/trial-clients?limit=1000')).items.find((c) => c.name === 'trial machine')!;
    expect(client.spaceUsed).toBeGreaterThan(0);
    expect(await bytesUnder(chunkStore(client.id))).toBe(client.spaceUsed);
    const [schedule] = await schedulesOf(client.id);

    await restartServer('stop', (db) => db.prepare('UPDATE clients SET trial_expires_at = ? WHERE id = ?').run(new Date(Date.now() - 60_000).toISOString(), client.id));
    const refused = await m.run('backup', '--schedule', 'files');
    expectExit(refused, 3);
    expect(refused.stderr).toMatch(/^refused: TRIAL_EXPIRED: /);
    expect((await backupReports(schedule!.id))[0]).toMatchObject({ status: 'refused' });

    const settings = ok(await admin.get<TrialSettings>('/trial-settings'));
    ok(await admin.put('/trial-settings', { ...settings, deleteAfterDays: 0 }));
    ok(await admin.post('/maintenance/run'));
    expect((await admin.get(`/clients/${client.id}`)).status).toBe(404);
    const deleted = ok(await admin.get<List<DeletedReport>>(`/schedules/${schedule!.id}/reports/deleted`)).items;
    expect(deleted).toContainEqual(expect.objectContaining({ clientName: 'trial machine', reason: 'trial-expired' }));
    // With the client gone, its schedule is reachable no more: the trial clients' own report lists it.
    const trials = ok(await admin.get<List<DeletedReport>>('/trial-clients/reports/deleted')).items;
    expect(trials).toContainEqual(expect.objectContaining({ kind: 'client', clientName: 'trial machine', reason: 'trial-expired' }));
    expect(await bytesUnder(chunkStore(client.id))).toBe(0);
  });
});
