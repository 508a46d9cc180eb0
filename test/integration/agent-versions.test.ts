/**
 * Backup versions from the agent's side (API.md, "Retention and backup versions"), with real agent and
 * server processes: `backups --schedule NAME` lists a schedule's versions newest first, and
 * `restore --path PATH...` restores only some files or folders of the latest or an older version, at the
 * paths a full restore gives them. Mistaken paths and ids are refused before anything is written.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Customer, List, Reseller, RestoreReport, Schedule } from '../../src-shared/api/index.js';
import { bytesUnder, runAgent, treeDigest, type AgentResult } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { ok } from '../support/api-assert.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const CUSTOMER = 'Agent Versions Test Co';
const BIG = 2 * 1024 * 1024 + 123;

let server: RunningServer;
let admin: TestClient;
let work: string;
let stateDir: string;
let src: string;
/** The three backups of schedule "docs", oldest first. */
const backupIds: string[] = [];

const run = (...args: string[]) => runAgent([...args, '--state-dir', stateDir]);

async function agent(...args: string[]): Promise<AgentResult> {
  const result = await run(...args);
  expect(result.code, `agent ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result;
}

async function backup(): Promise<string> {
  const { stdout } = await agent('backup', '--schedule', 'docs');
  const id = /^backup (\S+) of "docs": success/.exec(stdout)?.[1];
  if (!id) throw new Error(`no backup id in: ${stdout}`);
  return id;
}

async function schedule(name: string): Promise<Schedule> {
  const reseller = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!;
  const customer = ok(await admin.get<List<Customer>>(`/resellers/${reseller.id}/customers`)).items.find((c) => c.name === CUSTOMER)!;
  const [client] = ok(await admin.get<List<Client>>(`/customers/${customer.id}/clients`)).items;
  const found = ok(await admin.get<List<Schedule>>(`/clients/${client!.id}/schedules`)).items.find((s) => s.name === name);
  if (!found) throw new Error(`no schedule ${name}`);
  return found;
}

const restoreReports = async () => ok(await admin.get<List<RestoreReport>>(`/schedules/${(await schedule('docs')).id}/reports/restore`)).items;

/** Every regular file below `root`, by path relative to it, with its content. */
async function filesUnder(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [rel, entry] of await treeDigest(root)) {
    if (entry.type === 'file') out[rel] = await readFile(path.join(root, rel), 'utf8');
  }
  return out;
}

beforeAll(async () => {
  server = await startServer();
  admin = await new TestClient(server.api).login();
  work = await tempDir('agent-versions-');
  stateDir = path.join(work, 'state');
  src = path.join(work, 'tree');
  const reseller = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!;
  ok(await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);
  await agent('register', '--server', server.url, '--customer', CUSTOMER, '--name', 'laptop');
  await agent('schedule', 'add', '--name', 'docs', '--source', src);
  await agent('schedule', 'add', '--name', 'empty', '--source', path.join(work, 'nothing'));

  // Version 1: three files; version 2 changes a.txt and adds c.txt; version 3 changes a.txt again.
  await mkdir(path.join(src, 'docs/sub'), { recursive: true });
  await writeFile(path.join(src, 'docs/a.txt'), 'one');
  await writeFile(path.join(src, 'docs/sub/b.bin'), pseudoRandom(7, BIG));
  await writeFile(path.join(src, 'notes.txt'), 'notes');
  backupIds.push(await backup());
  await writeFile(path.join(src, 'docs/a.txt'), 'two!');
  await writeFile(path.join(src, 'docs/sub/c.txt'), 'see');
  backupIds.push(await backup());
  await writeFile(path.join(src, 'docs/a.txt'), 'three');
  backupIds.push(await backup());
});

afterAll(async () => {
  await server?.stop();
  if (work) await removeDir(work);
  if (server) await removeDir(server.dataDir);
});

describe('backups --schedule', () => {
  it('prints one line per version, newest first, with full id, time, files and bytes', async () => {
    const { stdout, stderr } = await agent('backups', '--schedule', 'docs');
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    const expected = [
      { id: backupIds[2], files: 4, bytes: 5 + BIG + 5 + 3 },
      { id: backupIds[1], files: 4, bytes: 4 + BIG + 5 + 3 },
      { id: backupIds[0], files: 3, bytes: 3 + BIG + 5 },
    ];
    expect(lines).toHaveLength(3);
    const times = lines.map((line, i) => {
      const { id, files, bytes } = expected[i]!;
      const match = new RegExp(`^${id}  (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)  ${files} files  \\d+\\.\\d+ MiB \\(${bytes} bytes\\)$`).exec(line);
      expect(match, line).not.toBeNull();
      return match![1]!;
    });
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(times).size).toBe(3);
  });

  it('finds the schedule case-insensitively and prints nothing on stdout for one without backups', async () => {
    const { stdout } = await agent('backups', '--schedule', 'DOCS');
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^${backupIds[2]}  `));
    const empty = await agent('backups', '--schedule', 'empty');
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe('schedule "empty" has no backup yet\n');
  });

  it('fails with exit 1 naming a schedule that does not exist, or a missing --schedule', async () => {
    const unknown = await run('backups', '--schedule', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: no schedule named "nope"; this client has "docs", "empty"/);
    const missing = await run('backups');
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')[0]).toBe('error: --schedule is required');
  });
});

describe('restore --path', () => {
  it('restores one file of the latest version, at its full path, and reports it', async () => {
    const target = path.join(work, 'one-file');
    const reportsBefore = (await restoreReports()).length;
    const { stdout } = await agent('restore', '--schedule', 'docs', '--target', target, '--path', path.join(src, 'docs/a.txt'));
    expect(stdout).toMatch(new RegExp(`^restore \\S+ of backup ${backupIds[2]}: success; 1 files \\(5 B\\)`));
    expect(await filesUnder(target)).toEqual({ [path.relative('/', path.join(src, 'docs/a.txt'))]: 'three' });
    const reports = await restoreReports();
    expect(reports).toHaveLength(reportsBefore + 1);
    expect(reports[0]).toMatchObject({ status: 'success', files: 1, bytes: 5, target });
  });

  it('restores a folder with everything below it, as a full restore puts it', async () => {
    const target = path.join(work, 'one-folder');
    const full = path.join(work, 'full');
    await agent('restore', '--schedule', 'docs', '--target', full);
    await agent('restore', '--schedule', 'docs', '--target', target, '--path', `${path.join(src, 'docs/sub')}/`);
    const sub = path.join(src, 'docs/sub');
    expect(await treeDigest(path.join(target, sub))).toEqual(await treeDigest(sub));
    expect(await treeDigest(path.join(target, sub))).toEqual(await treeDigest(path.join(full, sub)));
    // Nothing beside the folder: only the directories leading to it.
    expect(Object.keys(await filesUnder(target)).sort()).toEqual(['b.bin', 'c.txt'].map((f) => path.relative('/', path.join(sub, f))));
    expect((await restoreReports())[0]).toMatchObject({ status: 'success', files: 2, bytes: BIG + 3 });
  });

  it('restores paths of an older version with --backup ID', async () => {
    const target = path.join(work, 'older');
    const { stdout } = await agent('restore', '--schedule', 'docs', '--target', target, '--backup', backupIds[0]!, '--path', path.join(src, 'docs/a.txt'), path.join(src, 'notes.txt'));
    expect(stdout).toMatch(new RegExp(`of backup ${backupIds[0]}: success; 2 files`));
    expect(await filesUnder(path.join(target, src))).toEqual({ 'docs/a.txt': 'one', 'notes.txt': 'notes' });
    // c.txt came with version 2: version 1's docs folder does not have it.
    const folder = path.join(work, 'older-folder');
    await agent('restore', '--schedule', 'docs', '--target', folder, '--backup', backupIds[1]!, '--path', path.join(src, 'docs'));
    expect(await filesUnder(path.join(folder, src))).toEqual({ 'docs/a.txt': 'two!', 'docs/sub/c.txt': 'see', 'docs/sub/b.bin': pseudoRandom(7, BIG).toString('utf8') });
    const none = path.join(work, 'older-none');
    const missing = await run('restore', '--schedule', 'docs', '--target', none, '--backup', backupIds[0]!, '--path', path.join(src, 'docs/sub/c.txt'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`holds nothing at "${path.join(src, 'docs/sub/c.txt')}"`);
  });

  it('refuses a path that matches nothing with exit 1, naming it, and writes nothing', async () => {
    const target = path.join(work, 'typo');
    const reportsBefore = await restoreReports();
    const typo = path.join(src, 'docs/a.txtt');
    const result = await run('restore', '--schedule', 'docs', '--target', target, '--path', path.join(src, 'docs'), typo);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: backup ${backupIds[2]} holds nothing at "${typo}" (--path takes a file or folder's absolute path as it was backed up)\n`);
    // A prefix of a name is not a folder: /docs/a.tx selects neither a.txt nor anything else.
    const prefix = await run('restore', '--schedule', 'docs', '--target', target, '--path', path.join(src, 'docs/a.tx'));
    expect(prefix.code).toBe(1);
    expect(await bytesUnder(target)).toBe(0);
    expect(await restoreReports()).toEqual(reportsBefore);
  });

  it('refuses a --backup id the schedule does not have, naming it, and writes nothing', async () => {
    const target = path.join(work, 'bad-id');
    const reportsBefore = await restoreReports();
    for (const id of ['bkp_doesnotexist', 'not/an id']) {
      const result = await run('restore', '--schedule', 'docs', '--target', target, '--backup', id);
      expect(result.code, id).toBe(1);
      expect(result.stderr, id).toMatch(/^error: /);
      expect(result.stderr.split('\n')).toHaveLength(2);
    }
    const unknown = await run('restore', '--schedule', 'docs', '--target', target, '--backup', 'bkp_doesnotexist');
    expect(unknown.stderr).toBe('error: schedule "docs" has no backup bkp_doesnotexist; list its backups with: backups --schedule "docs"\n');
    // A backup of this client, but of another schedule.
    const other = await run('restore', '--schedule', 'empty', '--target', target, '--backup', backupIds[0]!);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(`error: schedule "empty" has no backup ${backupIds[0]}; list its backups with: backups --schedule "empty"\n`);
    expect(await bytesUnder(target)).toBe(0);
    expect(await restoreReports()).toEqual(reportsBefore);
  });
});

describe('usage', () => {
  const line = 'backups --schedule NAME';

  it('prints the usage on stdout for --help and help, exit 0', async () => {
    for (const args of [['--help'], ['help'], ['backups', '--help']]) {
      const result = await runAgent(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toMatch(/^usage: agent <command> --state-dir DIR \[flags\]\n/);
      expect(result.stdout).toContain(`\n  ${line}\n`);
      expect(result.stdout).toContain('\n  restore --schedule NAME --target DIR [--backup ID] [--path PATH...]');
      expect(result.stderr).toBe('');
    }
  });

  it('shows the usage after a mistaken backups command line', async () => {
    const result = await run('backups', '--schedule', 'docs', '--path', '/x');
    expect(result.code).toBe(1);
    const [first, ...rest] = result.stderr.split('\n');
    expect(first).toBe('error: unknown flag --path for "backups"');
    expect(rest.join('\n')).toContain(line);
  });
});
