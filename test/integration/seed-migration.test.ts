/**
 * Seed backup migration end to end: real server processes on 127.0.0.1 (the source over http, the target
 * over TLS with its certificate pinned) and real agents. A client moves with its backups, schedules,
 * reports and identity; its agent follows the redirect and goes on incrementally there; an agent offline
 * during the move follows later; an MCAL shortage, kill -9 mid-copy, a cloud server and bad input.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupReport, Client, Customer, DeletedReport, Job, List, Reseller, Schedule, SeedMigration, SeedMigrationStarted } from '../../src-shared/api/index.js';
import { chunksUploaded, runAgent, treeDigest, type AgentResult } from '../support/agent-process.js';
import { ok } from '../support/api-assert.js';
import { TestClient } from '../support/api-client.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const MIB = 1024 * 1024;

let source: RunningServer;
let target: RunningServer;
let a: TestClient;
let b: TestClient;
let work: string;
let machines = 0;

interface Machine {
  stateDir: string;
  tree: string;
  run: (...args: string[]) => Promise<AgentResult>;
}

async function expectOk(result: Promise<AgentResult>): Promise<AgentResult> {
  const r = await result;
  expect(r.code, `${r.stderr}${r.stdout}`).toBe(0);
  return r;
}

/** A machine with a tree of `bytes` of incompressible data, registered to `customerName` on the source and backed up once. */
async function machine(customerName: string, name: string, bytes: number): Promise<Machine & { client: Client }> {
  const id = ++machines;
  const stateDir = path.join(work, `state-${id}`);
  const tree = path.join(work, `tree-${id}`);
  await mkdir(path.join(tree, 'docs'), { recursive: true });
  await writeFile(path.join(tree, 'docs/readme.txt'), `machine ${id}\n`);
  await writeFile(path.join(tree, 'data.bin'), pseudoRandom(id * 7, bytes));
  const m: Machine = { stateDir, tree, run: (...args) => runAgent([...args, '--state-dir', stateDir]) };
  const customer = await customerOn(a, customerName);
  await expectOk(m.run('register', '--server', source.url, '--customer', customerName, '--name', name));
  await expectOk(m.run('schedule', 'add', '--name', 'files', '--source', tree));
  await expectOk(m.run('backup', '--schedule', 'files'));
  const client = ok(await a.get<List<Client>>(`/customers/${customer.id}/clients?q=${encodeURIComponent(name)}`)).items[0]!;
  return { ...m, client };
}

const reseller = async (c: TestClient) => ok(await c.get<List<Reseller>>('/resellers')).items[0]!;

async function customerOn(c: TestClient, name: string, mcalsAllotted: number | null = null): Promise<Customer> {
  const found = ok(await c.get<List<Customer>>(`/resellers/${(await reseller(c)).id}/customers?q=${encodeURIComponent(name)}`)).items.find((x) => x.name === name);
  return found ?? ok(await c.post<Customer>(`/resellers/${(await reseller(c)).id}/customers`, { name, autoAuthorization: true, mcalsAllotted }), 201);
}

/** A fresh admin session token of the target, as the console hands it to the source. */
const targetToken = async () => (await new TestClient(target.api).login()).token!;
const targetOf = async () => ({ url: target.url, token: await targetToken(), fingerprint: target.fingerprint });

async function migrate(clientIds: string[], extra: Record<string, unknown> = {}): Promise<SeedMigration> {
  const started = ok(await a.post<SeedMigrationStarted>('/seed-migrations', { clientIds, target: await targetOf(), ...extra }), 202);
  return settle(started.id);
}

async function settle(id: string): Promise<SeedMigration> {
  for (;;) {
    const m = ok(await a.get<SeedMigration>(`/seed-migrations/${id}`));
    if (m.status !== 'running') return m;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Live chunk bytes of an owner and their pack bytes in a server's database: equal when nothing is duplicated or dead. */
function stored(server: RunningServer, owner: string): { chunks: number; chunkBytes: number } {
  const db = new Database(path.join(server.dataDir, 'server.sqlite'), { readonly: true });
  try {
    const c = db.prepare('SELECT count(*) AS n, coalesce(sum(length), 0) AS bytes FROM chunks WHERE owner = ?').get(owner) as { n: number; bytes: number };
    return { chunks: c.n, chunkBytes: c.bytes };
  } finally {
    db.close();
  }
}

async function restore(m: Machine, dir: string): Promise<void> {
  await expectOk(m.run('restore', '--schedule', 'files', '--target', dir));
  expect(Object.fromEntries(await treeDigest(path.join(dir, m.tree)))).toEqual(Object.fromEntries(await treeDigest(m.tree)));
}

beforeAll(async () => {
  // The test's own admin calls to the target trust its self-signed certificate; what is under test, the
  // source's and the agents' connections to it, pin its fingerprint.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  [source, target] = await Promise.all([startServer({ args: ['--maintenance-interval', '0'] }), startServer({ http: false, args: ['--maintenance-interval', '0'] })]);
  a = await new TestClient(source.api).login();
  b = await new TestClient(target.api).login();
  work = await tempDir('seed-migration-');
}, 60_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  for (const dir of [work, source?.dataDir, target?.dataDir]) if (dir) await removeDir(dir);
});

describe('seed backup migration', () => {
  it('moves a client with its data, schedules, reports and identity; its next backup goes to the target and sends ≤ 1% of its data', async () => {
    const m = await machine('Moving Co', 'laptop', 24 * MIB);
    const sourceCustomer = await customerOn(a, 'Moving Co');
    expect(sourceCustomer).toMatchObject({ clientCount: 1, mcalsUsed: 1 });
    const [schedule] = ok(await a.get<List<Schedule>>(`/clients/${m.client.id}/schedules`)).items;
    const reportsBefore = ok(await a.get<List<BackupReport>>(`/schedules/${schedule!.id}/reports/backup`)).items;

    const done = await migrate([m.client.id]);
    expect(done.status).toBe('done');
    expect(done.clients).toEqual([expect.objectContaining({ clientId: m.client.id, name: 'laptop', state: 'moved', error: null })]);
    expect(done.clients[0]!.bytesCopied).toBe(done.clients[0]!.bytesTotal);
    expect(done.clients[0]!.bytesCopied).toBeGreaterThan(20 * MIB);

    // The source: moved, with the redirect, holding no MCAL and no space; its reports stay readable.
    const moved = ok(await a.get<Client>(`/clients/${m.client.id}`));
    expect(moved).toMatchObject({ status: 'moved', movedTo: { url: target.url }, mcalConsumed: false, spaceUsed: 0 });
    expect(await customerOn(a, 'Moving Co')).toMatchObject({ clientCount: 0, mcalsUsed: 0, spaceUsed: 0 });
    expect(stored(source, sourceCustomer.id).chunks).toBe(0);
    expect(ok(await a.get<List<BackupReport>>(`/schedules/${schedule!.id}/reports/backup`)).items).toEqual(reportsBefore);
    const deleted = ok(await a.get<List<DeletedReport>>(`/customers/${sourceCustomer.id}/reports/deleted`)).items;
    expect(deleted).toContainEqual(expect.objectContaining({ kind: 'client', clientName: 'laptop', reason: 'moved' }));
    expect((await a.patch(`/clients/${m.client.id}`, { name: 'renamed' })).status).toBe(409);

    // The target: the customer was created, the client is authorized there with its schedule and reports.
    const targetCustomer = await customerOn(b, 'Moving Co');
    expect(targetCustomer).toMatchObject({ clientCount: 1, mcalsUsed: 1 });
    const there = ok(await b.get<Client>(`/clients/${m.client.id}`));
    expect(there).toMatchObject({ status: 'authorized', name: 'laptop', mcalConsumed: true, movedTo: null });
    expect(there.spaceUsed).toBe(targetCustomer.spaceUsed);
    expect(there.spaceUsed).toBe(stored(target, targetCustomer.id).chunkBytes);
    expect(ok(await b.get<List<BackupReport>>(`/schedules/${schedule!.id}/reports/backup`)).items).toEqual(reportsBefore);

    // The agent follows the redirect with its own token and backs up incrementally: a new small file only.
    await writeFile(path.join(m.tree, 'new.txt'), 'after the move\n');
    const backup = await expectOk(m.run('backup', '--schedule', 'files'));
    expect(backup.stderr).toContain(`moved to ${target.url}`);
    expect(chunksUploaded(backup.stdout)).toBe(1);
    const reports = ok(await b.get<List<BackupReport>>(`/schedules/${schedule!.id}/reports/backup`)).items;
    expect(reports[0]).toMatchObject({ status: 'success' });
    expect(reports[0]!.bytesUploaded).toBeLessThanOrEqual(0.01 * 24 * MIB);
    const state = JSON.parse(await readFile(path.join(m.stateDir, 'state.json'), 'utf8')) as { server: { url: string; fingerprint: string | null } };
    expect(state.server).toEqual({ url: target.url, fingerprint: target.fingerprint });
    await restore(m, path.join(work, 'restored-1'));
  }, 120_000);

  it('an agent offline during the move follows it later with run-due, as does a trial client', async () => {
    const m = await machine('Offline Co', 'desktop', 2 * MIB);
    const trial = { stateDir: path.join(work, 'trial-state'), tree: path.join(work, 'trial-tree') } as Machine;
    trial.run = (...args) => runAgent([...args, '--state-dir', trial.stateDir]);
    await mkdir(trial.tree, { recursive: true });
    await writeFile(path.join(trial.tree, 'trial.bin'), pseudoRandom(99, MIB));
    await expectOk(trial.run('register', '--server', source.url, '--trial', '--name', 'trial box'));
    await expectOk(trial.run('schedule', 'add', '--name', 'files', '--source', trial.tree, '--every', 'hourly'));
    await expectOk(trial.run('backup', '--schedule', 'files'));
    const trialClient = ok(await a.get<List<Client>>('/trial-clients?q=trial%20box')).items[0]!;

    // The trial's schedule is due, as if its hour passed while the machine was off (set in the source's
    // database while it is stopped; the agents then follow the source to its new port).
    await source.stop();
    const db = new Database(path.join(source.dataDir, 'server.sqlite'));
    db.prepare('UPDATE schedules SET next_run_at = ? WHERE client_id = ?').run('2000-01-01T00:00:00.000Z', trialClient.id);
    db.close();
    source = await startServer({ dataDir: source.dataDir, args: ['--maintenance-interval', '0'] });
    a = await new TestClient(source.api).login();
    for (const dir of [m.stateDir, trial.stateDir]) {
      const file = path.join(dir, 'state.json');
      const s = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...s, server: { url: source.url, fingerprint: null } }), { mode: 0o600 });
    }
    const done = await migrate([m.client.id, trialClient.id]);
    expect(done.status).toBe('done');
    expect(ok(await b.get<Client>(`/clients/${trialClient.id}`))).toMatchObject({ trial: true, customerId: null, status: 'authorized', mcalConsumed: false });
    const due = await expectOk(trial.run('run-due'));
    expect(due.stderr).toContain(`moved to ${target.url}`);
    expect(chunksUploaded(due.stdout)).toBe(0);
    await expectOk(m.run('backup', '--schedule', 'files'));
    await restore(m, path.join(work, 'restored-2'));
  }, 120_000);

  it('refuses a client the target customer has no MCAL for before copying anything; the client stays as it was', async () => {
    const m = await machine('Full Co', 'server-1', MIB);
    const full = await customerOn(b, 'Full Co', 0);
    const before = ok(await a.get<Client>(`/clients/${m.client.id}`));
    const done = await migrate([m.client.id]);
    expect(done.status).toBe('failed');
    expect(done.clients[0]).toMatchObject({ state: 'failed', bytesCopied: 0 });
    expect(done.clients[0]!.error).toMatch(/^MCAL_EXHAUSTED: /);
    expect(ok(await a.get<Client>(`/clients/${m.client.id}`))).toEqual(before);
    expect((await b.get(`/clients/${m.client.id}`)).status).toBe(404);
    expect(stored(target, full.id).chunks).toBe(0);
    await expectOk(m.run('backup', '--schedule', 'files'));
  }, 60_000);

  it('resumes after kill -9 of the source mid-copy and completes, duplicating nothing on the target', async () => {
    const m = await machine('Crash Co', 'big', 48 * MIB);
    const sourceChunks = stored(source, (await customerOn(a, 'Crash Co')).id).chunks;
    // Slow enough to be caught mid-copy: seeding keeps to the replication bandwidth limit.
    ok(await a.put('/replication', { enabled: false, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: 8192, servers: [] }));
    const started = ok(await a.post<SeedMigrationStarted>('/seed-migrations', { clientIds: [m.client.id], target: await targetOf() }), 202);
    for (;;) {
      const s = ok(await a.get<SeedMigration>(`/seed-migrations/${started.id}`));
      if (s.clients[0]!.bytesCopied > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // While its data is being copied, its agent waits.
    const waiting = await m.run('backup', '--schedule', 'files');
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toMatch(/being moved to another server/);
    await source.kill();
    source = await startServer({ dataDir: source.dataDir, args: ['--maintenance-interval', '0'] });
    a = await new TestClient(source.api).login();
    const interrupted = ok(await a.get<SeedMigration>(`/seed-migrations/${started.id}`));
    expect(interrupted.status).toBe('failed');
    expect(interrupted.clients[0]).toMatchObject({ state: 'failed' });
    expect(interrupted.clients[0]!.error).toMatch(/^INTERRUPTED: .*still here, whole/);
    expect(ok(await a.get<Client>(`/clients/${m.client.id}`)).status).toBe('authorized');
    expect((await b.get(`/clients/${m.client.id}`)).status).toBe(404);

    ok(await a.put('/replication', { enabled: false, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: null, servers: [] }));
    ok(await a.post(`/seed-migrations/${started.id}/resume`, { token: await targetToken() }), 202);
    const done = await settle(started.id);
    expect(done.status).toBe('done');
    expect(done.clients[0]!.bytesTotal).toBeLessThan(48 * MIB);
    const targetCustomer = await customerOn(b, 'Crash Co');
    expect(stored(target, targetCustomer.id).chunks).toBe(sourceChunks);
    expect(targetCustomer.spaceUsed).toBe(stored(target, targetCustomer.id).chunkBytes);
  }, 120_000);

  it("discards on the target, after 14 days, the copy of a client whose source gave up on it", async () => {
    const m = await machine('Given Up Co', 'gone', 8 * MIB);
    ok(await a.put('/replication', { enabled: false, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: 1024, servers: [] }));
    const started = ok(await a.post<SeedMigrationStarted>('/seed-migrations', { clientIds: [m.client.id], target: await targetOf(), targetCustomerName: 'Given Up Co on B' }), 202);
    while (ok(await a.get<SeedMigration>(`/seed-migrations/${started.id}`)).clients[0]!.bytesCopied === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await source.kill();
    source = await startServer({ dataDir: source.dataDir, args: ['--maintenance-interval', '0'] });
    a = await new TestClient(source.api).login();
    ok(await a.put('/replication', { enabled: false, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: null, servers: [] }));
    const staged = await customerOn(b, 'Given Up Co on B');
    // What arrived is held hidden: in no list, in no total, in no replica of the customer.
    expect(stored(target, staged.id).chunks).toBeGreaterThan(0);
    expect(staged).toMatchObject({ clientCount: 0, spaceUsed: 0, mcalsUsed: 0 });
    ok(await b.put('/replication', { enabled: true, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: null, servers: [{ url: source.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: null }] }));
    const { jobId } = ok(await b.post<{ jobId: string }>(`/customers/${staged.id}/replication/run`), 202);
    let job = ok(await b.get<Job>(`/jobs/${jobId}`));
    for (; job.status !== 'done' && job.status !== 'failed'; job = ok(await b.get<Job>(`/jobs/${jobId}`))) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(job.status, job.error ?? '').toBe('done');
    expect(ok(await a.get<Customer>(`/customers/${staged.id}`))).toMatchObject({ clientCount: 0, spaceUsed: 0 });
    expect(stored(source, staged.id).chunks).toBe(0);
    ok(await b.put('/replication', { enabled: false, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: null, servers: [] }));

    ok(await b.post('/maintenance/run'));
    expect(stored(target, staged.id).chunks).toBeGreaterThan(0);
    await target.stop();
    const db = new Database(path.join(target.dataDir, 'server.sqlite'));
    db.prepare('UPDATE clients SET incoming_at = ? WHERE id = ?').run(new Date(Date.now() - 15 * 24 * 3600_000).toISOString(), m.client.id);
    db.close();
    target = await startServer({ dataDir: target.dataDir, http: false, args: ['--maintenance-interval', '0'] });
    b = await new TestClient(target.api).login();
    ok(await b.post('/maintenance/run'));
    expect(stored(target, staged.id).chunks).toBe(0);
    expect((await b.get(`/clients/${m.client.id}`)).status).toBe(404);
  }, 120_000);

  it('refuses bad input with 400/403/404 and writes nothing; a cloud source or target refuses', async () => {
    const m = await machine('Input Co', 'pc', 64 * 1024);
    const target$ = await targetOf();
    const migrationCount = () => {
      const db = new Database(path.join(source.dataDir, 'server.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM seed_migrations').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const migrationsBefore = migrationCount();
    const cases: [unknown, number, string][] = [
      [{ clientIds: [], target: target$ }, 400, 'clientIds'],
      [{ clientIds: [m.client.id, m.client.id], target: target$ }, 400, 'clientIds'],
      [{ clientIds: [m.client.id, 'cli_unknown'], target: target$ }, 404, 'clientIds[1]'],
      [{ clientIds: [m.client.id], target: { ...target$, fingerprint: 'ab' } }, 400, 'target.fingerprint'],
      [{ clientIds: [m.client.id], target: { ...target$, url: 'ftp://x' } }, 400, 'target.url'],
    ];
    for (const [body, status, field] of cases) {
      const res = await a.post<{ error: { details: { field: string } } }>('/seed-migrations', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.details.field.replace(/\[(\d+)\]/g, '.$1').replace(/^\//, '').replace(/\//g, '.')).toBe(field.replace(/\[(\d+)\]/g, '.$1'));
    }
    ok(await a.patch('/server', { resellerManagement: true }));
    ok(await a.post('/resellers', { name: 'Other Reseller', password: 'other-reseller-password' }), 201);
    const r = await new TestClient(source.api).login('Other Reseller', 'other-reseller-password');
    expect((await r.post('/seed-migrations', { clientIds: [m.client.id], target: target$ })).status).toBe(403);
    expect((await a.get('/seed-migrations/seed_unknown')).status).toBe(404);
    expect(ok(await a.get<Client>(`/clients/${m.client.id}`)).status).toBe('authorized');
    expect(migrationCount()).toBe(migrationsBefore);

    const cloud = await startServer({ args: ['--maintenance-interval', '0', '--cloud'] });
    try {
      const c = await new TestClient(cloud.api).login();
      expect((await c.post('/seed-migrations', { bad: 'body' })).status).toBe(409);
      expect(ok(await c.get<{ features: { seedMigration: boolean } }>('/server')).features.seedMigration).toBe(false);
      const token = (await new TestClient(cloud.api).login()).token!;
      const started = ok(await a.post<SeedMigrationStarted>('/seed-migrations', { clientIds: [m.client.id], target: { url: cloud.url, token, fingerprint: null } }), 202);
      const refused = await settle(started.id);
      expect(refused.status).toBe('failed');
      expect(refused.clients[0]!.error).toMatch(/FEATURE_UNAVAILABLE/);
      expect(ok(await a.get<Client>(`/clients/${m.client.id}`)).status).toBe('authorized');
    } finally {
      await cloud.stop();
      await removeDir(cloud.dataDir);
    }
  }, 120_000);
});
