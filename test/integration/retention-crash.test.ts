/**
 * kill -9 of the server while maintenance prunes: each schedule's prune is one transaction, so after a
 * restart every schedule is either as before (still due) or pruned, never in between; every remaining
 * backup reads back whole (also deltas whose base a prune removed), every spaceUsed equals the live chunk
 * bytes, and the next maintenance run finishes what the killed one left.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupStarted, Client, Customer, List, Manifest, ManifestEntry, Reseller, Schedule } from '../../src-shared/api/index.js';
import { agentTokenOf, runAgent, treeDigest, type AgentResult } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { ok } from '../support/api-assert.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const CUSTOMER = 'Retention Crash Co';
const FILES = 40;
const SCHEDULES = 8;
const BACKUPS = 40;
const KEEP = 3;
const STATS = { filesScanned: 5, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 };
const policy = (keepLast: number) => ({ keepLast, keepDaily: null, keepWeekly: null, keepMonthly: null, keepYearly: null });

let server: RunningServer;
let admin: TestClient;
let agentApi: TestClient;
let work: string;
let stateDir: string;
let customer: Customer;
let files: ManifestEntry[];
const schedules: { id: string; offset: number; backups: string[] }[] = [];
let seed: Schedule;
let seedDigest: Awaited<ReturnType<typeof treeDigest>>;

async function agent(...args: string[]): Promise<AgentResult> {
  const result = await runAgent([...args, '--state-dir', stateDir]);
  expect(result.code, `agent ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result;
}

function readDb<T>(read: (db: Database.Database) => T): T {
  const db = new Database(path.join(server.dataDir, 'server.sqlite'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The files backup `j` of a schedule holds: a window of five sliding by one file per backup. */
const windowOf = (offset: number, j: number) => Array.from({ length: 5 }, (_, i) => files[(offset + j + i) % FILES]!);

async function login(): Promise<void> {
  admin = await new TestClient(server.api).login();
  agentApi = new TestClient(server.api, await agentTokenOf(stateDir));
}

async function killAndRestart(): Promise<void> {
  const port = new URL(server.url).port;
  const { dataDir } = server;
  await server.kill();
  server = await startServer({ dataDir, args: ['--port', port, '--maintenance-interval', '0'] });
  await login();
}

/**
 * Starts a maintenance run and kills the server as soon as it has pruned one more schedule (a reader
 * polls the database), so the kill lands during the next prune or the compaction after it.
 */
async function killDuringPrune(): Promise<void> {
  const db = new Database(path.join(server.dataDir, 'server.sqlite'), { readonly: true });
  try {
    const due = db.prepare('SELECT count(*) AS n FROM schedules WHERE prune_due = 1');
    const count = () => (due.get() as { n: number }).n;
    const before = count();
    // The run's answer never comes: the server dies under it.
    void admin.post('/maintenance/run', {}).catch(() => {});
    const deadline = Date.now() + 30_000;
    while (count() === before && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  } finally {
    db.close();
  }
  await killAndRestart();
}

/** Each schedule whole: pruned or not, its backups read back as committed; spaceUsed exact at every level. */
async function expectConsistent(): Promise<{ due: number }> {
  let due = 0;
  for (const s of schedules) {
    const left = ok(await agentApi.get<List<{ id: string }>>(`/agent/schedules/${s.id}/backups`)).items.map((b) => b.id);
    const isDue = readDb((db) => (db.prepare('SELECT prune_due FROM schedules WHERE id = ?').get(s.id) as { prune_due: number }).prune_due === 1);
    expect(left.sort()).toEqual((isDue ? s.backups : s.backups.slice(-KEEP)).slice().sort());
    if (isDue) due++;
    for (const id of left) {
      const manifest = ok(await agentApi.get<Manifest>(`/agent/backups/${id}/manifest`));
      expect(manifest.entries.map((e) => e.path).sort()).toEqual(windowOf(s.offset, s.backups.indexOf(id)).map((e) => e.path).sort());
    }
  }
  readDb((db) => {
    const missing = db
      .prepare('SELECT count(*) AS n FROM schedule_chunks sc WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.owner = ? AND c.hash = sc.hash)')
      .get(customer.id) as { n: number };
    expect(missing.n).toBe(0);
    const bad = db
      .prepare(
        `SELECT s.id, s.space_used AS used, (SELECT coalesce(sum(length), 0) FROM chunks WHERE schedule_id = s.id) AS live FROM schedules s
         UNION ALL SELECT c.id, c.space_used, (SELECT coalesce(sum(s.space_used), 0) FROM schedules s WHERE s.client_id = c.id) FROM clients c
         UNION ALL SELECT cu.id, cu.space_used, (SELECT coalesce(sum(length), 0) FROM chunks WHERE owner = cu.id) FROM customers cu WHERE cu.id = ?`,
      )
      .all(customer.id) as { used: number; live: number }[];
    expect(bad.filter((r) => r.used !== r.live)).toEqual([]);
  });
  return { due };
}

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  work = await tempDir('retention-crash-');
  stateDir = path.join(work, 'state');
  admin = await new TestClient(server.api).login();
  const reseller = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!;
  customer = ok(await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);
  await agent('register', '--server', server.url, '--customer', CUSTOMER, '--name', 'host');
  await login();

  // A real backup stores the chunks; the schedules below commit manifests of its files without uploading.
  const src = path.join(work, 'seed');
  await mkdir(src);
  for (let i = 0; i < FILES; i++) await writeFile(path.join(src, `f${i}.bin`), pseudoRandom(100 + i, 48 * 1024));
  await agent('schedule', 'add', '--name', 'seed', '--source', src);
  const first = /backup (\S+) of/.exec((await agent('backup', '--schedule', 'seed')).stdout)![1]!;
  files = ok(await agentApi.get<Manifest>(`/agent/backups/${first}/manifest`)).entries.filter((e) => e.type === 'file');
  expect(files).toHaveLength(FILES);
  // Its newest backup keeps one file: pruning its first frees the chunks no other schedule took over.
  for (let i = 1; i < FILES; i++) await rm(path.join(src, `f${i}.bin`));
  await agent('backup', '--schedule', 'seed');
  seedDigest = await treeDigest(src);
  const me = ok(await agentApi.get<Client>('/agent/me'));
  seed = ok(await admin.get<List<Schedule>>(`/clients/${me.id}/schedules`)).items.find((s) => s.name === 'seed')!;

  // Deltas after the first (the chain capped at 16, so whole manifests now and then), each sliding the window.
  for (let k = 0; k < SCHEDULES; k++) {
    const schedule = ok(await agentApi.put<Schedule>('/agent/schedules', { name: `s${k}`, sources: [`/s${k}`], frequency: { kind: 'manual' } }));
    const entry = { id: schedule.id, offset: k * 5, backups: [] as string[] };
    for (let j = 0; j < BACKUPS; j++) {
      const run = ok(await agentApi.post<BackupStarted>('/agent/backups', { scheduleId: schedule.id }), 201);
      const body =
        j === 0
          ? { status: 'success', stats: STATS, manifest: windowOf(entry.offset, 0) }
          : { status: 'success', stats: STATS, delta: { base: entry.backups[j - 1], changed: [windowOf(entry.offset, j)[4]], removed: [windowOf(entry.offset, j - 1)[0]!.path] } };
      ok(await agentApi.post(`/agent/backups/${run.backupId}/commit`, body));
      entry.backups.push(run.backupId);
    }
    schedules.push(entry);
  }
  for (const s of schedules) ok(await admin.put(`/schedules/${s.id}/retention`, { inherit: false, policy: policy(KEEP) }));
  ok(await admin.put(`/schedules/${seed.id}/retention`, { inherit: false, policy: policy(1) }));
}, 300_000);

afterAll(async () => {
  await server?.stop();
  if (work) await removeDir(work);
  if (server) await removeDir(server.dataDir);
});

describe('kill -9 during a prune', () => {
  it('leaves every schedule before or after its prune, and the next maintenance finishes it', async () => {
    let due = SCHEDULES;
    for (let round = 0; round < 3; round++) {
      await killDuringPrune();
      const left = (await expectConsistent()).due;
      expect(left).toBeLessThanOrEqual(due);
      due = left;
    }
    // The kills came mid-run: some schedules were left to prune.
    expect(due).toBeGreaterThan(0);
    ok(await admin.post('/maintenance/run', {}));
    expect((await expectConsistent()).due).toBe(0);
    readDb((db) => {
      expect(db.prepare('SELECT count(*) AS n FROM schedules WHERE prune_due = 1').get()).toEqual({ n: 0 });
      // Packs hold only live chunks once compacted.
      expect(db.prepare('SELECT count(*) AS n FROM packs p WHERE p.bytes <> (SELECT coalesce(sum(length), 0) FROM chunks c WHERE c.pack_id = p.id)').get()).toEqual({ n: 0 });
    });
    const target = path.join(work, 'restored');
    await agent('restore', '--schedule', 'seed', '--target', target);
    expect(Object.fromEntries(await treeDigest(path.join(target, work, 'seed')))).toEqual(Object.fromEntries(seedDigest));
  }, 300_000);
});
