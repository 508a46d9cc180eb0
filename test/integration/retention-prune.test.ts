/**
 * Retention pruning end to end (API.md Retention): real agents back up real files to a real server, a
 * schedule's policy then keeps only its newest backups, and maintenance prunes the rest. Exactly the bytes
 * only removed backups used are freed (not chunks another schedule of the client or another client of the
 * customer uses), every spaceUsed equals the live chunk bytes, the deleted report carries each removed
 * backup's share, every kept backup restores whole (also one whose delta base was removed), and nothing
 * is pruned while a backup of the schedule runs.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupStarted, Client, Customer, DeletedReport, List, MaintenanceSummary, Manifest, Reseller, Schedule } from '../../src-shared/api/index.js';
import type { RetentionPreview } from '../../src-shared/api/retention.js';
import { agentTokenOf, runAgent, treeDigest, type AgentResult, type TreeEntry } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { ok } from '../support/api-assert.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const KIB = 1024;
const CUSTOMER = 'Retention Prune Co';
const KEEP_TWO = { keepLast: 2, keepDaily: null, keepWeekly: null, keepMonthly: null, keepYearly: null };

let server: RunningServer;
let admin: TestClient;
let work: string;
let customer: Customer;

async function agent(stateDir: string, ...args: string[]): Promise<AgentResult> {
  const result = await runAgent([...args, '--state-dir', stateDir]);
  expect(result.code, `agent ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result;
}

const backupIdOf = (stdout: string) => /backup (\S+) of/.exec(stdout)?.[1] ?? '';

function readDb<T>(read: (db: Database.Database) => T): T {
  const db = new Database(path.join(server.dataDir, 'server.sqlite'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Every spaceUsed against the live chunks: each schedule's counted chunks, its client's schedules, the customer's store. */
function expectSpaceExact(): void {
  readDb((db) => {
    const bad = db
      .prepare(
        `SELECT 'schedule' AS level, s.id, s.space_used AS used, (SELECT coalesce(sum(length), 0) FROM chunks WHERE schedule_id = s.id) AS live FROM schedules s
         UNION ALL SELECT 'client', c.id, c.space_used, (SELECT coalesce(sum(s.space_used), 0) FROM schedules s WHERE s.client_id = c.id) FROM clients c
         UNION ALL SELECT 'customer', cu.id, cu.space_used, (SELECT coalesce(sum(length), 0) FROM chunks WHERE owner = cu.id) FROM customers cu WHERE cu.id = ?`,
      )
      .all(customer.id) as { level: string; used: number; live: number }[];
    expect(bad.filter((r) => r.used !== r.live)).toEqual([]);
  });
}

const chunkLengths = (hashes: Iterable<string>): number =>
  readDb((db) => [...hashes].reduce((n, h) => n + (db.prepare('SELECT length FROM chunks WHERE owner = ? AND hash = ?').get(customer.id, h) as { length: number }).length, 0));

const chunksOf = (m: Manifest) => new Set(m.entries.flatMap((e) => (e.type === 'file' ? (e.chunks ?? []) : [])));

interface Client_ {
  stateDir: string;
  api: TestClient;
}

async function register(name: string): Promise<Client_> {
  const stateDir = path.join(work, `state-${name}`);
  await agent(stateDir, 'register', '--server', server.url, '--customer', CUSTOMER, '--name', name);
  return { stateDir, api: new TestClient(server.api, await agentTokenOf(stateDir)) };
}

async function scheduleOf(c: Client_, name: string): Promise<Schedule> {
  const me = ok(await c.api.get<Client>('/agent/me'));
  return ok(await admin.get<List<Schedule>>(`/clients/${me.id}/schedules`)).items.find((s) => s.name === name)!;
}

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  work = await tempDir('retention-prune-');
  const reseller = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!;
  customer = ok(await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);
});

afterAll(async () => {
  await server?.stop();
  if (work) await removeDir(work);
  if (server) await removeDir(server.dataDir);
});

describe('pruning a schedule to its two newest backups', () => {
  const content = (seed: number) => pseudoRandom(seed, 300 * KIB);
  let laptop: Client_;
  let desktop: Client_;
  let docs: Schedule;
  const backups: { id: string; digest: Map<string, TreeEntry>; manifest: Manifest }[] = [];
  let src: string;

  const backupDocs = async () => {
    const id = backupIdOf((await agent(laptop.stateDir, 'backup', '--schedule', 'docs')).stdout);
    backups.push({ id, digest: await treeDigest(src), manifest: ok(await laptop.api.get<Manifest>(`/agent/backups/${id}/manifest`)) });
  };

  beforeAll(async () => {
    laptop = await register('laptop');
    desktop = await register('desktop');
    src = path.join(work, 'docs');
    const other = path.join(work, 'other');
    const desk = path.join(work, 'desk');
    for (const dir of [src, other, desk]) await mkdir(dir, { recursive: true });
    // shared: every backup; gone: the first only; both: the first two; mid: the second only; kept: the last two.
    await writeFile(path.join(src, 'shared.bin'), content(1));
    await writeFile(path.join(src, 'gone.bin'), content(2));
    await writeFile(path.join(src, 'both.bin'), content(3));
    // Also backed up by another schedule of the laptop, and by the desktop (another client of the customer).
    await writeFile(path.join(src, 'other-too.bin'), content(4));
    await writeFile(path.join(src, 'desk-too.bin'), content(5));
    await writeFile(path.join(other, 'copy.bin'), content(4));
    await writeFile(path.join(desk, 'copy.bin'), content(5));
    await agent(laptop.stateDir, 'schedule', 'add', '--name', 'docs', '--source', src);
    await agent(laptop.stateDir, 'schedule', 'add', '--name', 'other', '--source', other);
    await agent(desktop.stateDir, 'schedule', 'add', '--name', 'desk', '--source', desk);
    await backupDocs();
    await agent(laptop.stateDir, 'backup', '--schedule', 'other');
    await agent(desktop.stateDir, 'backup', '--schedule', 'desk');
    await rm(path.join(src, 'gone.bin'));
    await rm(path.join(src, 'other-too.bin'));
    await rm(path.join(src, 'desk-too.bin'));
    await writeFile(path.join(src, 'mid.bin'), content(6));
    await backupDocs();
    await rm(path.join(src, 'both.bin'));
    await rm(path.join(src, 'mid.bin'));
    await writeFile(path.join(src, 'new.bin'), content(7));
    await backupDocs();
    await writeFile(path.join(src, 'note.txt'), 'the last backup');
    await backupDocs();
    docs = await scheduleOf(laptop, 'docs');
    // Keeping everything (the default), the prune after each commit removed nothing.
    expect(ok(await laptop.api.get<List<unknown>>(`/agent/schedules/${docs.id}/backups`)).total).toBe(4);
  }, 240_000);

  it('previews, then prunes exactly the bytes only the removed backups used', async () => {
    const kept = new Set([...chunksOf(backups[2]!.manifest), ...chunksOf(backups[3]!.manifest)]);
    const [first, second] = [chunksOf(backups[0]!.manifest), chunksOf(backups[1]!.manifest)];
    const usedElsewhere = new Set(
      [...backups[0]!.manifest.entries].filter((e) => e.path.endsWith('-too.bin')).flatMap((e) => (e.type === 'file' ? (e.chunks ?? []) : [])),
    );
    const freedByFirst = [...first].filter((h) => !kept.has(h) && !usedElsewhere.has(h));
    const freedBySecond = [...second].filter((h) => !kept.has(h) && !first.has(h));
    const [firstBytes, secondBytes] = [chunkLengths(freedByFirst), chunkLengths(freedBySecond)];
    expect(firstBytes).toBeGreaterThan(0);
    expect(secondBytes).toBeGreaterThan(0);
    const before = ok(await admin.get<Customer>(`/customers/${customer.id}`)).spaceUsed;

    const preview = ok(await admin.post<RetentionPreview>(`/schedules/${docs.id}/retention/preview`, { policy: KEEP_TWO }));
    expect(preview).toEqual({ kept: 2, removed: 2, bytesFreed: firstBytes + secondBytes });
    ok(await admin.put(`/schedules/${docs.id}/retention`, { inherit: false, policy: KEEP_TWO }));
    const summary = ok(await admin.post<MaintenanceSummary>('/maintenance/run', {}));
    expect(summary).toMatchObject({ backupsPruned: 2, bytesFreed: firstBytes + secondBytes });

    const left = ok(await laptop.api.get<List<{ id: string }>>(`/agent/schedules/${docs.id}/backups`)).items.map((b) => b.id);
    expect(left.sort()).toEqual([backups[2]!.id, backups[3]!.id].sort());
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).spaceUsed).toBe(before - firstBytes - secondBytes);
    readDb((db) => {
      const present = (h: string) => db.prepare('SELECT 1 FROM chunks WHERE owner = ? AND hash = ?').get(customer.id, h) !== undefined;
      expect([...freedByFirst, ...freedBySecond].filter(present)).toEqual([]);
      expect([...kept, ...usedElsewhere].filter((h) => !present(h))).toEqual([]);
      expect(db.prepare('SELECT prune_due FROM schedules WHERE id = ?').get(docs.id)).toEqual({ prune_due: 0 });
    });
    expectSpaceExact();

    const deleted = ok(await admin.get<List<DeletedReport>>(`/schedules/${docs.id}/reports/deleted`)).items;
    expect(deleted.map((d) => ({ kind: d.kind, reason: d.reason, bytes: d.bytes })).sort((a, b) => a.bytes - b.bytes)).toEqual(
      [firstBytes, secondBytes].sort((a, b) => a - b).map((bytes) => ({ kind: 'backup', reason: 'retention', bytes })),
    );
  });

  it('restores every kept backup whole, the one whose delta base was removed made whole, the next still a delta', async () => {
    readDb((db) => {
      const row = (id: string) => db.prepare('SELECT base_id, depth FROM manifests WHERE backup_id = ?').get(id);
      expect(row(backups[2]!.id)).toEqual({ base_id: null, depth: 0 });
      expect(row(backups[3]!.id)).toMatchObject({ base_id: backups[2]!.id });
    });
    for (const b of backups.slice(2)) {
      const target = path.join(work, `restored-${b.id}`);
      await agent(laptop.stateDir, 'restore', '--schedule', 'docs', '--target', target, '--backup', b.id);
      expect(Object.fromEntries(await treeDigest(path.join(target, src)))).toEqual(Object.fromEntries(b.digest));
    }
    // The chunks the other schedule and the other client share with the removed backups are still there.
    for (const [c, schedule, dir] of [[laptop, 'other', 'other'], [desktop, 'desk', 'desk']] as const) {
      const target = path.join(work, `restored-${schedule}`);
      await agent(c.stateDir, 'restore', '--schedule', schedule, '--target', target);
      expect(Object.fromEntries(await treeDigest(path.join(target, work, dir)))).toEqual(Object.fromEntries(await treeDigest(path.join(work, dir))));
    }
  }, 120_000);

  it('leaves a schedule due while a backup of it runs, and prunes it once the run ended', async () => {
    const ONE = { ...KEEP_TWO, keepLast: 1 };
    ok(await admin.put(`/schedules/${docs.id}/retention`, { inherit: false, policy: ONE }));
    const run = ok(await laptop.api.post<BackupStarted>('/agent/backups', { scheduleId: docs.id }), 201);
    expect(ok(await admin.post<MaintenanceSummary>('/maintenance/run', {}))).toMatchObject({ backupsPruned: 0 });
    expect(ok(await laptop.api.get<List<unknown>>(`/agent/schedules/${docs.id}/backups`)).total).toBe(2);
    readDb((db) => expect(db.prepare('SELECT prune_due FROM schedules WHERE id = ?').get(docs.id)).toEqual({ prune_due: 1 }));

    const stats = { filesScanned: 0, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 };
    ok(await laptop.api.post(`/agent/backups/${run.backupId}/fail`, { stats, error: 'stopped by the test' }), 204);
    expect(ok(await admin.post<MaintenanceSummary>('/maintenance/run', {}))).toMatchObject({ backupsPruned: 1 });
    const left = ok(await laptop.api.get<List<{ id: string }>>(`/agent/schedules/${docs.id}/backups`)).items;
    expect(left.map((b) => b.id)).toEqual([backups[3]!.id]);
    const target = path.join(work, 'restored-last');
    await agent(laptop.stateDir, 'restore', '--schedule', 'docs', '--target', target);
    expect(Object.fromEntries(await treeDigest(path.join(target, src)))).toEqual(Object.fromEntries(backups[3]!.digest));
    expectSpaceExact();
  }, 60_000);
});
