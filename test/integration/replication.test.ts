/**
 * Replication end to end: real server processes on 127.0.0.1 (a source over http, a replication server over
 * TLS with its certificate pinned), a real agent backing up to the source and restoring from the replica.
 * Refusals (bad input, fingerprint, password, a server down, a name taken, cloud), incremental runs that
 * send only new chunks, runs interrupted by kill -9 on either side, and deletions that follow.
 */
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Customer, DeletedReport, GlobalReplicationInput, Job, List, ReplicationStatus, Reseller, Schedule, ServerInfo } from '../../src-shared/api/index.js';
import { chunksUploaded, runAgent, treeDigest, type AgentResult } from '../support/agent-process.js';
import { ok } from '../support/api-assert.js';
import { TestClient } from '../support/api-client.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const MIB = 1024 * 1024;
const CUSTOMER = 'Replicated Co';

let source: RunningServer;
let replica: RunningServer;
let a: TestClient;
let b: TestClient;
let work: string;
let stateDir: string;
let tree: string;
let customer: Customer;

async function agent(...args: string[]): Promise<AgentResult> {
  const result = await runAgent([...args, '--state-dir', stateDir]);
  expect(result.code, `agent ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result;
}

const replicaEntry = (overrides: Partial<GlobalReplicationInput['servers'][number]> = {}) => ({
  url: replica.url,
  username: 'admin',
  password: ADMIN_PASSWORD,
  fingerprint: replica.fingerprint,
  ...overrides,
});
const configure = async (servers: GlobalReplicationInput['servers'], bandwidthLimitKBps: number | null = null) =>
  ok(await a.put('/replication', { enabled: true, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps, servers } satisfies GlobalReplicationInput));

async function waitForJob(client: TestClient, jobId: string, until: (job: Job) => boolean = (j) => j.status === 'done' || j.status === 'failed'): Promise<Job> {
  for (;;) {
    const job = ok(await client.get<Job>(`/jobs/${jobId}`));
    if (until(job)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function replicate(): Promise<Job> {
  const { jobId } = ok(await a.post<{ jobId: string }>(`/customers/${customer.id}/replication/run`), 202);
  return waitForJob(a, jobId);
}

const replicaCustomer = async () => ok(await b.get<Customer>(`/customers/${customer.id}`));
const status = async () => ok(await a.get<ReplicationStatus>(`/customers/${customer.id}/replication/status`)).items;

/** Live chunk bytes and pack bytes of an owner in a server's database: equal when nothing is duplicated or dead. */
function stored(server: RunningServer, owner: string): { chunks: number; chunkBytes: number; packBytes: number } {
  const db = new Database(path.join(server.dataDir, 'server.sqlite'), { readonly: true });
  try {
    const c = db.prepare('SELECT count(*) AS n, coalesce(sum(length), 0) AS bytes FROM chunks WHERE owner = ?').get(owner) as { n: number; bytes: number };
    const p = db.prepare('SELECT coalesce(sum(bytes), 0) AS bytes FROM packs WHERE owner = ?').get(owner) as { bytes: number };
    return { chunks: c.n, chunkBytes: c.bytes, packBytes: p.bytes };
  } finally {
    db.close();
  }
}

/** Points an agent's state at another server (or the same one on a new port), keeping its identity. */
async function repointAgent(dir: string, server: RunningServer): Promise<void> {
  const file = path.join(dir, 'state.json');
  const state = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...state, server: { url: server.url, fingerprint: server.fingerprint === 'none' ? null : server.fingerprint } }), { mode: 0o600 });
}

beforeAll(async () => {
  // The test's own admin calls to the replica trust its self-signed certificate; what is under test, the
  // source's and the agent's connections to it, pin its fingerprint.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  [source, replica] = await Promise.all([startServer({ args: ['--maintenance-interval', '0'] }), startServer({ http: false, args: ['--maintenance-interval', '0'] })]);
  a = await new TestClient(source.api).login();
  b = await new TestClient(replica.api).login();
  work = await tempDir('replication-');
  stateDir = path.join(work, 'state');
  tree = path.join(work, 'tree');
  await mkdir(path.join(tree, 'docs'), { recursive: true });
  await writeFile(path.join(tree, 'docs/readme.txt'), 'replicated\n', { mode: 0o640 });
  await writeFile(path.join(tree, 'data.bin'), pseudoRandom(11, 6 * MIB));
  const reseller = ok(await a.get<List<Reseller>>('/resellers')).items[0]!;
  customer = ok(await a.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);
  await agent('register', '--server', source.url, '--customer', CUSTOMER, '--name', 'laptop');
  await agent('schedule', 'add', '--name', 'docs', '--source', tree);
  await agent('backup', '--schedule', 'docs');
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.stop(), replica?.stop()]);
  for (const dir of [work, source?.dataDir, replica?.dataDir]) if (dir) await removeDir(dir);
});

describe('configuration', () => {
  it('refuses bad servers with 400 naming the field, keeps no password in any answer, and writes nothing', async () => {
    const before = ok(await a.get('/replication'));
    const cases: [unknown, string][] = [
      [[replicaEntry({ url: 'http://192.0.2.7:8443', fingerprint: null })], 'servers[0].url'],
      [[replicaEntry({ fingerprint: null })], 'servers[0].fingerprint'],
      [[replicaEntry({ password: undefined })], 'servers[0].password'],
      [[replicaEntry(), replicaEntry()], 'servers[1].url'],
      [[replicaEntry({ fingerprint: 'ab' })], 'servers.0.fingerprint'],
    ];
    for (const [servers, field] of cases) {
      const res = await a.put<{ error: { code: string; details: { field: string } } }>('/replication', { enabled: true, frequency: { kind: 'hourly' }, bandwidthLimitKBps: null, servers });
      expect(res.status, JSON.stringify(servers)).toBe(400);
      expect(res.body.error.details.field.replace(/\[(\d+)\]/g, '.$1')).toBe(field.replace(/\[(\d+)\]/g, '.$1'));
    }
    expect(ok(await a.get('/replication'))).toEqual(before);
    const custom = await a.put<{ error: { details: { field: string } } }>(`/customers/${customer.id}/replication`, { mode: 'custom', frequency: { kind: 'hourly' } });
    expect(custom.status).toBe(400);
    expect(custom.body.error.details.field).toBe('servers');
    const run = await a.post<{ error: { code: string } }>(`/customers/${customer.id}/replication/run`);
    expect(run.status).toBe(409);
    expect(run.body.error.code).toBe('CONFLICT');
    const saved = await configure([replicaEntry()]);
    expect(JSON.stringify(saved)).not.toContain(ADMIN_PASSWORD);
    expect((await stat(path.join(source.dataDir, 'credentials.key'))).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(ok(await a.get('/audit-log')))).not.toContain(ADMIN_PASSWORD);
    expect(await readFile(path.join(source.dataDir, 'server.sqlite'))).not.toContain(Buffer.from(ADMIN_PASSWORD));
  });

  it('answers 409 FEATURE_UNAVAILABLE on a cloud deployment, before reading the body', async () => {
    const cloud = await startServer({ args: ['--cloud', '--maintenance-interval', '0'] });
    try {
      const c = await new TestClient(cloud.api).login();
      expect(ok(await c.get<ServerInfo>('/server')).features.replication).toBe(false);
      for (const [method, route, body] of [['GET', '/replication'], ['PUT', '/replication', { nonsense: true }], ['GET', '/replication/customers'], ['POST', '/customers/x/replication/run']] as const) {
        const res = await c.request<{ error: { code: string } }>(method, route, body);
        expect(res.status, `${method} ${route}`).toBe(409);
        expect(res.body.error.code).toBe('FEATURE_UNAVAILABLE');
      }
    } finally {
      await cloud.stop();
      await removeDir(cloud.dataDir);
    }
  });
});

describe('failures', () => {
  it('fails on a changed certificate naming both fingerprints, on a wrong password, and on a server down; nothing half-written', async () => {
    const wrong = 'f'.repeat(64);
    await configure([replicaEntry({ fingerprint: wrong })]);
    let job = await replicate();
    expect(job.status).toBe('failed');
    expect(job.error).toContain(wrong);
    expect(job.error).toContain(replica.fingerprint);

    await configure([replicaEntry({ password: 'not-the-password' })]);
    job = await replicate();
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/UNAUTHENTICATED/);
    expect((await status())[0]).toMatchObject({ state: 'failed', retryAt: null });

    const down = await startServer({ args: ['--maintenance-interval', '0'] });
    await down.stop();
    await removeDir(down.dataDir);
    await configure([{ url: down.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: null }]);
    job = await replicate();
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/cannot be reached/);
    expect((await status())[0]!.retryAt).not.toBeNull();
    expect((await b.get(`/customers/${customer.id}`)).status).toBe(404);
  });
});

describe('a replicated customer', () => {
  it('is a complete, restorable, read-only copy whose spaceUsed equals what it stores', async () => {
    await configure([replicaEntry()]);
    const job = await replicate();
    expect(job.status, job.error ?? '').toBe('done');
    const copy = await replicaCustomer();
    expect(copy.replicaOf).toMatchObject({ serverId: ok(await a.get<ServerInfo>('/server')).id });
    expect(copy.spaceUsed).toBe(ok(await a.get<Customer>(`/customers/${customer.id}`)).spaceUsed);
    expect(copy.spaceUsed).toBe(stored(replica, customer.id).packBytes);
    expect((await status())[0]).toMatchObject({ state: 'idle', lastError: null, chunksSent: job.progress.done });

    const target = path.join(work, 'restored');
    await agent('restore', '--schedule', 'docs', '--target', target, '--from', replica.url, '--fingerprint', replica.fingerprint);
    expect(await treeDigest(path.join(target, tree))).toEqual(await treeDigest(tree));
    // The schedule's backup reports came along; the restore is in the replica's own restore report.
    const [client] = ok(await a.get<List<Client>>(`/customers/${customer.id}/clients`)).items;
    const [schedule] = ok(await a.get<List<Schedule>>(`/clients/${client!.id}/schedules`)).items;
    const reports = (server: TestClient, kind: string) => server.get<List<{ id: string; status: string }>>(`/schedules/${schedule!.id}/reports/${kind}`);
    expect(ok(await reports(b, 'backup')).items).toEqual(ok(await reports(a, 'backup')).items);
    expect(ok(await reports(b, 'restore')).items.map((r) => r.status)).toEqual(['success']);

    const patch = await b.patch<{ error: { code: string } }>(`/customers/${customer.id}`, { active: false });
    expect([patch.status, patch.body.error.code]).toEqual([409, 'REPLICA_READ_ONLY']);
    const clients = ok(await b.get<List<Client>>(`/customers/${customer.id}/clients`)).items;
    expect((await b.delete(`/clients/${clients[0]!.id}`)).status).toBe(409);
    const onReplica = path.join(work, 'state-on-replica');
    await mkdir(onReplica, { recursive: true });
    await writeFile(path.join(onReplica, 'state.json'), await readFile(path.join(stateDir, 'state.json')), { mode: 0o600 });
    await repointAgent(onReplica, replica);
    const refused = await runAgent(['backup', '--schedule', 'docs', '--state-dir', onReplica]);
    expect(refused.code).toBe(3);
    expect(refused.stdout + refused.stderr).toMatch(/REPLICA_READ_ONLY/);
  });

  it('is replicated by the scheduler when due: a customer never replicated yet, not one replicated today', async () => {
    const reseller = ok(await a.get<List<Reseller>>('/resellers')).items[0]!;
    const fresh = ok(await a.post<Customer>(`/resellers/${reseller.id}/customers`, { name: 'Scheduled Co' }), 201);
    expect(ok(await a.post<{ replicationRunsStarted: number }>('/maintenance/run')).replicationRunsStarted).toBe(1);
    const [target] = ok(await a.get<ReplicationStatus>(`/customers/${fresh.id}/replication/status`)).items;
    expect((await waitForJob(a, target!.jobId!)).status).toBe('done');
    expect(ok(await b.get<Customer>(`/customers/${fresh.id}`)).replicaOf).not.toBeNull();
    expect((await a.delete(`/customers/${fresh.id}`)).status).toBe(204);
  });

  it('sends only the new chunks after 1% more data', async () => {
    await writeFile(path.join(tree, 'new.bin'), pseudoRandom(12, 64 * 1024));
    const backup = await agent('backup', '--schedule', 'docs');
    const job = await replicate();
    expect(job.status).toBe('done');
    expect(job.progress.done).toBe(chunksUploaded(backup.stdout));
    expect((await replicaCustomer()).spaceUsed).toBe(ok(await a.get<Customer>(`/customers/${customer.id}`)).spaceUsed);
  });

  it('resumes a run interrupted by kill -9 of the source, then of the replica, duplicating nothing', async () => {
    await writeFile(path.join(tree, 'big.bin'), pseudoRandom(13, 40 * MIB));
    await agent('backup', '--schedule', 'docs');
    for (const victim of ['source', 'replica'] as const) {
      if (victim === 'replica') {
        await appendFile(path.join(tree, 'big.bin'), pseudoRandom(14, 40 * MIB));
        await agent('backup', '--schedule', 'docs');
      }
      await configure([replicaEntry()], 4096);
      const { jobId } = ok(await a.post<{ jobId: string }>(`/customers/${customer.id}/replication/run`), 202);
      await waitForJob(a, jobId, (j) => j.progress.done > 0 || j.status !== 'running');
      const killed = victim === 'source' ? source : replica;
      await killed.kill();
      const restarted = await startServer({ dataDir: killed.dataDir, http: victim === 'source', args: ['--maintenance-interval', '0'] });
      if (victim === 'source') {
        source = restarted;
        a = await new TestClient(source.api).login();
        // Port 0 again: the agent follows the source to its new port.
        await repointAgent(stateDir, source);
        expect((await status())[0]!.state).toBe('failed');
      } else {
        replica = restarted;
        b = await new TestClient(replica.api).login();
      }
      await configure([replicaEntry()]);
      const job = await replicate();
      expect(job.status, job.error ?? '').toBe('done');
      const onReplica = stored(replica, customer.id);
      expect(onReplica.chunks).toBe(stored(source, customer.id).chunks);
      expect((await replicaCustomer()).spaceUsed).toBe(ok(await a.get<Customer>(`/customers/${customer.id}`)).spaceUsed);
      expect((await replicaCustomer()).spaceUsed).toBe(onReplica.chunkBytes);
    }
  }, 120_000);

  it('follows a deleted client, with it in the replica deleted report; a deleted customer follows too', async () => {
    const clients = ok(await a.get<List<Client>>(`/customers/${customer.id}/clients`)).items;
    expect((await a.delete(`/clients/${clients[0]!.id}`)).status).toBe(204);
    expect((await replicate()).status).toBe('done');
    expect(ok(await b.get<List<Client>>(`/customers/${customer.id}/clients`)).total).toBe(0);
    const deleted = ok(await b.get<List<DeletedReport>>(`/customers/${customer.id}/reports/deleted`)).items;
    expect(deleted.some((d) => d.kind === 'client' && d.clientName === 'laptop')).toBe(true);
    expect((await replicaCustomer()).spaceUsed).toBe(0);

    expect((await a.delete(`/customers/${customer.id}`)).status).toBe(204);
    ok(await a.post('/maintenance/run'));
    expect((await b.get(`/customers/${customer.id}`)).status).toBe(404);
  });

  it('refuses with NAME_TAKEN when a primary customer of that name exists on the replica, writing nothing', async () => {
    const reseller = ok(await a.get<List<Reseller>>('/resellers')).items[0]!;
    const taken = ok(await a.post<Customer>(`/resellers/${reseller.id}/customers`, { name: 'Taken Name' }), 201);
    const bReseller = ok(await b.get<List<Reseller>>('/resellers')).items[0]!;
    ok(await b.post(`/resellers/${bReseller.id}/customers`, { name: 'Taken Name' }), 201);
    const { jobId } = ok(await a.post<{ jobId: string }>(`/customers/${taken.id}/replication/run`), 202);
    const job = await waitForJob(a, jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/NAME_TAKEN/);
    expect((await b.get(`/customers/${taken.id}`)).status).toBe(404);
  });
});
