/**
 * The backup agent end to end: real agent processes against a real server on 127.0.0.1, real files in
 * temp dirs. Backup and restore round trips, incremental uploads after edits (content-defined
 * chunking), a run killed halfway, a forged pack, and TLS pinning. Policy refusals, quotas, server
 * crashes and deletions are in agent-policy.test.ts.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, open, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupReport, BackupSummary, Client, Customer, List, Manifest, ManifestEntry, Reseller, RestoreReport, Schedule } from '../../src-shared/api/index.js';
import { agentTokenOf, bytesUnder, chunksUploaded, runAgent, spawnAgent, treeDigest, type AgentResult } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { frame } from '../support/pack-frames.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';
import { ok } from '../support/api-assert.js';

const MIB = 1024 * 1024;
const CUSTOMER = 'Agent Backup Test Co';

let server: RunningServer;
let admin: TestClient;
let work: string;
let stateDir: string;
let customer: Customer;

/** Runs the agent with this file's state dir and expects exit code 0. */
async function agent(...args: string[]): Promise<AgentResult> {
  const result = await runAgent([...args, '--state-dir', stateDir]);
  expect(result.code, `agent ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result;
}

const agentToken = () => agentTokenOf(stateDir);
const backupIdOf = (stdout: string) => /backup (\S+) of/.exec(stdout)?.[1] ?? '';

async function clientOf(customerId: string): Promise<Client> {
  const clients = ok(await admin.get<List<Client>>(`/customers/${customerId}/clients`)).items;
  expect(clients).toHaveLength(1);
  return clients[0]!;
}

async function scheduleNamed(name: string): Promise<Schedule> {
  const client = await clientOf(customer.id);
  const found = ok(await admin.get<List<Schedule>>(`/clients/${client.id}/schedules`)).items.find((s) => s.name === name);
  if (!found) throw new Error(`no schedule ${name}`);
  return found;
}

/** The stored form of a backup's manifest, read from the server's database. */
async function manifestRow(backupId: string): Promise<{ base_id: string | null; depth: number }> {
  const db = new Database(path.join(server.dataDir, 'server.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT base_id, depth FROM manifests WHERE backup_id = ?').get(backupId) as { base_id: string | null; depth: number };
  } finally {
    db.close();
  }
}

const backupReports = async (scheduleId: string) => ok(await admin.get<List<BackupReport>>(`/schedules/${scheduleId}/reports/backup`)).items;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
/** Where restore puts an absolute source path under a target dir. */
const restoredPath = (target: string, source: string) => path.join(target, source);

beforeAll(async () => {
  server = await startServer();
  admin = await new TestClient(server.api).login();
  work = await tempDir('agent-backup-');
  stateDir = path.join(work, 'state');
  const reseller = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!;
  customer = ok(await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);
  const registered = await agent('register', '--server', server.url, '--customer', CUSTOMER, '--name', 'laptop');
  expect(registered.stdout).toMatch(/authorized/);
});

afterAll(async () => {
  await server?.stop();
  if (work) await removeDir(work);
  if (server) await removeDir(server.dataDir);
});

describe('state dir', () => {
  it('keeps server, token and client in a 0600 file inside a 0700 dir', async () => {
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    const file = path.join(stateDir, 'state.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const state = JSON.parse(await readFile(file, 'utf8')) as { server: { url: string; fingerprint: null }; token: string };
    expect(state.server).toEqual({ url: server.url, fingerprint: null });
    expect(state.token.length).toBeGreaterThan(20);
  });

  it('refuses to register a state dir twice, and commands without registration, with exit 1 and one line', async () => {
    const again = await runAgent(['register', '--server', server.url, '--trial', '--name', 'again', '--state-dir', stateDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*already registered/);
    const none = await runAgent(['backup', '--schedule', 'x', '--state-dir', path.join(work, 'nowhere')]);
    expect(none.code).toBe(1);
    expect(none.stderr.split('\n')[0]).toMatch(/^error: .*register/);
    const bad = await runAgent(['backup', '--schedule', 'x', '--bogus', '1', '--state-dir', stateDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown flag --bogus/);
  });
});

describe('backup and restore', () => {
  it('restores every file, directory and symlink with the same content, mode and mtime', async () => {
    const src = path.join(work, 'tree');
    await mkdir(path.join(src, 'docs/nested/deeper'), { recursive: true });
    await mkdir(path.join(src, 'empty-dir'));
    const files: [string, Buffer | string, number][] = [
      ['docs/readme.txt', 'hello, restore\n', 0o640],
      ['docs/nested/deeper/data.bin', pseudoRandom(7, 3 * MIB + 123), 0o600],
      ['zero.bin', '', 0o644],
      ['script.sh', '#!/bin/sh\necho hi\n', 0o755],
      ['readonly.txt', 'read only', 0o444],
      ['old.txt', 'last written before 1970', 0o644],
    ];
    for (const [name, data, mode] of files) {
      await writeFile(path.join(src, name), data);
      await chmod(path.join(src, name), mode);
    }
    await symlink('docs/readme.txt', path.join(src, 'link'));
    await symlink('docs', path.join(src, 'dir-link'));
    // Distinct past mtimes everywhere, directories last and deepest first so their children do not touch them.
    let t = Date.UTC(2021, 2, 3, 4, 5, 6, 789);
    for (const [name] of files) await utimes(path.join(src, name), new Date(t), new Date((t += 61_001)));
    // Extracted archives and some file systems carry mtimes before the epoch (negative).
    await utimes(path.join(src, 'old.txt'), new Date(t), new Date(Date.UTC(1965, 5, 7, 8, 9, 10, 500)));
    for (const dir of ['docs/nested/deeper', 'docs/nested', 'docs', 'empty-dir', '.']) await utimes(path.join(src, dir), new Date(t), new Date((t += 3_601_001)));
    await chmod(path.join(src, 'docs/nested'), 0o750);

    await agent('schedule', 'add', '--name', 'tree', '--source', src);
    const backup = await agent('backup', '--schedule', 'tree');
    expect(backup.stdout).toMatch(/: success; 6 files scanned/);

    const target = path.join(work, 'tree-restored');
    const restore = await agent('restore', '--schedule', 'tree', '--target', target);
    expect(restore.stdout).toMatch(/: success; 6 files/);
    const original = await treeDigest(src);
    const restored = await treeDigest(restoredPath(target, src));
    expect([...restored.keys()]).toEqual([...original.keys()]);
    expect(Object.fromEntries(restored)).toEqual(Object.fromEntries(original));
    // The source root itself: its mode and mtime come back too.
    const [rootBefore, rootAfter] = await Promise.all([stat(src), stat(restoredPath(target, src))]);
    expect(Math.round(rootAfter.mtimeMs)).toBe(Math.round(rootBefore.mtimeMs));
    expect(rootAfter.mode & 0o7777).toBe(rootBefore.mode & 0o7777);

    const schedule = await scheduleNamed('tree');
    const [report] = await backupReports(schedule.id);
    const totalBytes = files.reduce((n, [, data]) => n + Buffer.byteLength(data), 0);
    expect(report).toMatchObject({ status: 'success', filesScanned: 6, filesUploaded: 5, bytesScanned: totalBytes, error: null });
    const [restoreReport] = ok(await admin.get<List<RestoreReport>>(`/schedules/${schedule.id}/reports/restore`)).items;
    expect(restoreReport).toMatchObject({ status: 'success', files: 6, bytes: totalBytes, target: path.resolve(target) });
  });

  it('backs up nothing again when nothing changed, without reading the files', async () => {
    const second = await agent('backup', '--schedule', 'tree');
    expect(chunksUploaded(second.stdout)).toBe(0);
    const [report] = await backupReports((await scheduleNamed('tree')).id);
    expect(report).toMatchObject({ status: 'success', filesScanned: 6, filesUploaded: 0, bytesUploaded: 0 });
  });

  it('commits an incremental backup as what changed, and it and the backup before it restore exactly', async () => {
    const src = (await scheduleNamed('tree')).sources[0]!;
    const before = await treeDigest(src);
    const [previous] = ok(await new TestClient(server.api, await agentToken()).get<List<BackupSummary>>(`/agent/schedules/${(await scheduleNamed('tree')).id}/backups`)).items;
    await writeFile(path.join(src, 'docs/readme.txt'), 'hello again, restore\n');
    await writeFile(path.join(src, 'docs/new.txt'), 'a new file');
    await rm(path.join(src, 'script.sh'));
    await chmod(path.join(src, 'docs/nested'), 0o700);
    const incremental = await agent('backup', '--schedule', 'tree');
    expect(incremental.stdout).toMatch(/: success; 6 files scanned/);
    expect(chunksUploaded(incremental.stdout)).toBe(2);

    const latest = path.join(work, 'tree-incremental');
    await agent('restore', '--schedule', 'tree', '--target', latest);
    expect(Object.fromEntries(await treeDigest(restoredPath(latest, src)))).toEqual(Object.fromEntries(await treeDigest(src)));
    const earlier = path.join(work, 'tree-before-incremental');
    await agent('restore', '--schedule', 'tree', '--target', earlier, '--backup', previous!.id);
    expect(Object.fromEntries(await treeDigest(restoredPath(earlier, src)))).toEqual(Object.fromEntries(before));
    // What the server stored is the delta: the entries that differ from the backup before.
    const { base_id: base } = await manifestRow(backupIdOf(incremental.stdout));
    expect(base).toBe(previous!.id);
  });

  it('uploads at most 3 chunks after changing 1 byte in the middle of, or inserting 100 bytes at the start of, a 64 MiB file', async () => {
    const dir = path.join(work, 'big');
    const file = path.join(dir, 'big.bin');
    await mkdir(dir);
    const original = pseudoRandom(64, 64 * MIB);
    await writeFile(file, original);
    await agent('schedule', 'add', '--name', 'big', '--source', dir, '--every', 'daily@02:00');
    const first = await agent('backup', '--schedule', 'big');
    const firstChunks = chunksUploaded(first.stdout);
    expect(firstChunks).toBeGreaterThan(20);

    // One byte in the middle, written in place: same inode and size, new mtime and ctime.
    const handle = await open(file, 'r+');
    await handle.write(Buffer.from([original[32 * MIB]! ^ 0xff]), 0, 1, 32 * MIB);
    await handle.close();
    const edited = await agent('backup', '--schedule', 'big');
    expect(chunksUploaded(edited.stdout)).toBeGreaterThanOrEqual(1);
    expect(chunksUploaded(edited.stdout)).toBeLessThanOrEqual(3);
    const schedule = await scheduleNamed('big');
    const [editReport] = await backupReports(schedule.id);
    expect(editReport).toMatchObject({ status: 'success', filesScanned: 1, filesUploaded: 1, bytesScanned: 64 * MIB });
    expect(editReport!.bytesUploaded).toBeLessThanOrEqual(3 * 8 * MIB + 3);

    const shifted = Buffer.concat([pseudoRandom(100, 100), original]);
    await writeFile(file, shifted);
    const inserted = await agent('backup', '--schedule', 'big');
    expect(chunksUploaded(inserted.stdout)).toBeGreaterThanOrEqual(1);
    expect(chunksUploaded(inserted.stdout)).toBeLessThanOrEqual(3);

    // The latest backup and, with --backup, the first one: each exactly as it was.
    const latest = path.join(work, 'big-latest');
    await agent('restore', '--schedule', 'big', '--target', latest);
    expect(sha256(await readFile(restoredPath(latest, file)))).toBe(sha256(shifted));
    const oldest = path.join(work, 'big-first');
    await agent('restore', '--schedule', 'big', '--target', oldest, '--backup', backupIdOf(first.stdout));
    expect(sha256(await readFile(restoredPath(oldest, file)))).toBe(sha256(original));
  });

  it('killed with SIGKILL mid-upload, the next run uploads only what the server still lacks', async () => {
    const dir = path.join(work, 'kill');
    await mkdir(dir);
    const sizes = [40, 40, 40, 40].map((n) => n * MIB);
    await Promise.all(sizes.map((size, i) => writeFile(path.join(dir, `part-${i}.bin`), pseudoRandom(1000 + i, size))));
    const total = sizes.reduce((a, b) => a + b, 0);
    await agent('schedule', 'add', '--name', 'kill', '--source', dir);
    const schedule = await scheduleNamed('kill');

    const run = spawnAgent(['backup', '--schedule', 'kill', '--state-dir', stateDir]);
    let stored = 0;
    while (stored === 0) {
      const exited = await Promise.race([run.done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10))]);
      if (exited) throw new Error(`the backup finished before it could be killed: ${run.stdout()}`);
      stored = (await scheduleNamed('kill')).spaceUsed;
    }
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.code).toBeNull();
    const storedBeforeRerun = (await scheduleNamed('kill')).spaceUsed;
    expect(storedBeforeRerun).toBeGreaterThan(0);

    await agent('backup', '--schedule', 'kill');
    const [rerun, interrupted] = await backupReports(schedule.id);
    expect(rerun).toMatchObject({ status: 'success', filesScanned: 4, bytesScanned: total });
    expect(rerun!.bytesUploaded).toBeLessThan(total);
    // Random data is stored raw (one codec byte per chunk), so the two runs together stored it once.
    const after = (await scheduleNamed('kill')).spaceUsed;
    expect(after - total).toBeGreaterThan(0);
    expect(after - total).toBeLessThan(total / (256 * 1024));
    expect(rerun!.bytesUploaded).toBeLessThanOrEqual(after - storedBeforeRerun);
    expect(interrupted?.status).toBe('failed');
  });
});

describe('the data plane', () => {
  it('stores deltas against their base, a whole manifest every 16 backups, and refuses a delta that does not fit its base', async () => {
    const agentApi = new TestClient(server.api, await agentToken());
    const schedule = ok(await agentApi.put<Schedule>('/agent/schedules', { name: 'deltas', sources: ['/deltas'], frequency: { kind: 'manual' } }));
    const stats = { filesScanned: 0, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 };
    const start = async () => ok(await agentApi.post<{ backupId: string }>('/agent/backups', { scheduleId: schedule.id }), 201).backupId;
    const file = (name: string, size: number): ManifestEntry => ({ path: `/deltas/${name}`, type: 'file', size, mtimeMs: size, mode: 0o644, chunks: [] });
    // The expected manifest, kept the way the server applies deltas: changes in place, new paths last.
    const expected = new Map<string, ManifestEntry>([['/deltas', { path: '/deltas', type: 'dir', size: 0, mtimeMs: 1, mode: 0o755 }]]);
    for (const entry of [file('a', 1), file('b', 2)]) expected.set(entry.path, entry);
    let base = await start();
    ok(await agentApi.post(`/agent/backups/${base}/commit`, { status: 'success', stats, manifest: [...expected.values()] }));
    const depths: number[] = [];
    for (let i = 1; i <= 17; i++) {
      const id = await start();
      const changed = [file(`n${i}`, 10 + i), file('a', 100 + i)];
      const removed = i % 2 ? [] : [`/deltas/n${i - 1}`];
      const summary = ok(await agentApi.post<BackupSummary>(`/agent/backups/${id}/commit`, { status: 'success', stats, delta: { base, changed, removed } }));
      for (const gone of removed) expected.delete(gone);
      for (const entry of changed) expected.set(entry.path, entry);
      const files = [...expected.values()].filter((e) => e.type === 'file');
      expect(summary).toMatchObject({ files: files.length, bytes: files.reduce((n, e) => n + e.size, 0) });
      expect(ok(await agentApi.get<Manifest>(`/agent/backups/${id}/manifest`)).entries).toEqual([...expected.values()]);
      depths.push((await manifestRow(id)).depth);
      base = id;
    }
    expect(depths).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1]);

    // Bad deltas: nothing is stored, and the run can still commit.
    const id = await start();
    const refused = [
      { manifest: [], delta: { base, changed: [], removed: [] } },
      {},
      { delta: { base: 'bkp_unknown', changed: [], removed: [] } },
      { delta: { base, changed: [], removed: ['/deltas/never-there'] } },
    ];
    for (const body of refused) {
      const res = await agentApi.post(`/agent/backups/${id}/commit`, { status: 'success', stats, ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(ok(await agentApi.get<List<BackupSummary>>(`/agent/schedules/${schedule.id}/backups`)).items[0]!.id).toBe(base);
    ok(await agentApi.post(`/agent/backups/${id}/commit`, { status: 'success', stats, delta: { base, changed: [], removed: [] } }));
    expect(ok(await agentApi.get<Manifest>(`/agent/backups/${id}/manifest`)).entries).toEqual([...expected.values()]);
  });

  /** PUTs a pack as a stream of `pieces`, so it goes out chunked, without a Content-Length. */
  const putStreamed = async (backupId: string, pieces: Buffer[]) =>
    fetch(`${server.api}/agent/backups/${backupId}/packs`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await agentToken()}`, 'content-type': 'application/octet-stream' },
      body: new ReadableStream({
        pull(controller) {
          const piece = pieces.shift();
          if (piece) controller.enqueue(piece);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);

  it('takes a pack sent without a Content-Length, larger than a pooled body buffer, and refuses one over 64 MiB with 413', async () => {
    const agentApi = new TestClient(server.api, await agentToken());
    const schedule = await scheduleNamed('tree');
    const { backupId } = ok(await agentApi.post<{ backupId: string }>('/agent/backups', { scheduleId: schedule.id }), 201);
    const contents = [1, 2, 3].map((i) => pseudoRandom(900 + i, 7 * MIB));
    const names = contents.map((c) => createHash('sha256').update(c).digest());
    const frames = contents.map((c, i) => frame(names[i]!, c));
    const stored = await putStreamed(backupId, frames.flatMap((f) => [f.subarray(0, 1000), f.subarray(1000)]));
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ chunks: 3, bytes: frames.reduce((n, f) => n + f.length - 36, 0) });
    const { missing } = ok(await agentApi.post<{ missing: string[] }>(`/agent/backups/${backupId}/missing`, { hashes: names.map((n) => n.toString('hex')) }));
    expect(missing).toEqual([]);

    const storeBefore = await bytesUnder(path.join(server.dataDir, 'chunks', customer.id));
    const big = pseudoRandom(950, 8 * MIB);
    const tooLarge = await putStreamed(backupId, Array.from({ length: 9 }, () => frame(createHash('sha256').update(big).digest(), big)));
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { message: string } }).error.message).toMatch(/larger than 67108864 bytes/);
    expect(await bytesUnder(path.join(server.dataDir, 'chunks', customer.id))).toBe(storeBefore);
    ok(await agentApi.post(`/agent/backups/${backupId}/fail`, { stats: { filesScanned: 0, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 }, error: 'test' }), 204);
  });

  it('rejects a pack whose chunk does not match its name, and stores nothing of it', async () => {
    const token = await agentToken();
    const agentApi = new TestClient(server.api, token);
    const schedule = await scheduleNamed('tree');
    const { backupId } = ok(await agentApi.post<{ backupId: string }>('/agent/backups', { scheduleId: schedule.id }), 201);
    const honest = Buffer.from(`an honest chunk ${Date.now()}`);
    const claimed = Buffer.from(`the chunk the name claims ${Date.now()}`);
    const claimedName = createHash('sha256').update(claimed).digest();
    const body = Buffer.concat([frame(createHash('sha256').update(honest).digest(), honest), frame(claimedName, Buffer.from('forged content'))]);
    const storeBefore = await bytesUnder(path.join(server.dataDir, 'chunks', customer.id));
    const usedBefore = ok(await admin.get<Customer>(`/customers/${customer.id}`)).spaceUsed;

    const res = await fetch(`${server.api}/agent/backups/${backupId}/packs`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');

    const { missing } = ok(await agentApi.post<{ missing: string[] }>(`/agent/backups/${backupId}/missing`, { hashes: [sha256(honest), claimedName.toString('hex')] }));
    expect(missing.sort()).toEqual([sha256(honest), claimedName.toString('hex')].sort());
    expect(await bytesUnder(path.join(server.dataDir, 'chunks', customer.id))).toBe(storeBefore);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).spaceUsed).toBe(usedBefore);
    ok(await agentApi.post(`/agent/backups/${backupId}/fail`, { stats: { filesScanned: 0, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 }, error: 'test' }), 204);
  });
});

describe('TLS', () => {
  let tlsServer: RunningServer;

  beforeAll(async () => {
    tlsServer = await startServer({ http: false });
  });

  afterAll(async () => {
    await tlsServer?.stop();
    if (tlsServer) await removeDir(tlsServer.dataDir);
  });

  it('talks only to the certificate it pinned', async () => {
    expect(tlsServer.url).toMatch(/^https:/);
    const wrongDir = path.join(work, 'tls-wrong');
    const wrong = await runAgent(['register', '--server', tlsServer.url, '--trial', '--name', 'wrong', '--fingerprint', 'ab'.repeat(32), '--state-dir', wrongDir]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/does not match the pinned fingerprint/);
    expect(await bytesUnder(wrongDir)).toBe(0);

    const unpinned = await runAgent(['register', '--server', tlsServer.url, '--trial', '--name', 'unpinned', '--state-dir', path.join(work, 'tls-unpinned')]);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toMatch(/--fingerprint/);

    const tofuDir = path.join(work, 'tls-tofu');
    const tofu = await runAgent(['register', '--server', tlsServer.url, '--trial', '--name', 'tofu', '--insecure-tls', '--state-dir', tofuDir]);
    expect(tofu.code, tofu.stderr).toBe(0);
    expect(tofu.stdout).toContain(`fingerprint=${tlsServer.fingerprint}`);

    const pinnedDir = path.join(work, 'tls-pinned');
    const pinned = await runAgent(['register', '--server', tlsServer.url, '--trial', '--name', 'pinned', '--fingerprint', tlsServer.fingerprint.toUpperCase(), '--state-dir', pinnedDir]);
    expect(pinned.code, pinned.stderr).toBe(0);
    const state = JSON.parse(await readFile(path.join(pinnedDir, 'state.json'), 'utf8')) as { server: { fingerprint: string } };
    expect(state.server.fingerprint).toBe(tlsServer.fingerprint);
    const src = path.join(work, 'tree');
    expect((await runAgent(['schedule', 'add', '--name', 'tls', '--source', src, '--state-dir', pinnedDir])).code).toBe(0);
    const backup = await runAgent(['backup', '--schedule', 'tls', '--state-dir', pinnedDir]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/: success; 6 files scanned/);
  });
});
