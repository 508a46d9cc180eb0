/**
 * The retention channels of the ConsoleService against the real backup server (its CLI on loopback, plain
 * http, its own data dir) and three real agent backups of one schedule: the server default, the schedule's
 * own policy, a preview that writes nothing, the kept versions and what a prune leaves of them and records
 * in the deleted report; then what the offline cache answers once the server is gone.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Customer, List, Reseller, Schedule } from '../../src-shared/api/index.js';
import { KEEP_EVERYTHING } from '../../src-shared/api/retention.js';
import { BridgeError } from '../../src-shared/bridge.js';
import { ConsoleService } from '../../src-main/core/console-service.js';
import { CredentialVault, MemorySecretStore } from '../../src-main/core/vault.js';
import { runAgent } from '../support/agent-process.js';
import { ok } from '../support/api-assert.js';
import { TestClient } from '../support/api-client.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const CUSTOMER = 'Retention Console Co';
/** Each version's own file: what pruning a version frees. */
const UNIQUE = 256 * 1024;

let server: RunningServer;
let work: string;
let consoleDir: string;
let service: ConsoleService;
let serverId: string;
let scheduleId: string;
/** The three backups, oldest first. */
const backupIds: string[] = [];

async function agent(...args: string[]): Promise<string> {
  const result = await runAgent([...args, '--state-dir', path.join(work, 'state')]);
  expect(result.code, `agent ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  const admin = await new TestClient(server.api).login();
  work = await tempDir('core-retention-');
  const src = path.join(work, 'tree');
  const reseller = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!;
  const customer = ok(await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);
  await agent('register', '--server', server.url, '--customer', CUSTOMER, '--name', 'laptop');
  await agent('schedule', 'add', '--name', 'docs', '--source', src);
  await mkdir(src, { recursive: true });
  for (let i = 0; i < 3; i++) {
    await writeFile(path.join(src, 'changing.bin'), pseudoRandom(100 + i, UNIQUE));
    const id = /^backup (\S+) of "docs": success/.exec(await agent('backup', '--schedule', 'docs'))?.[1];
    backupIds.push(id ?? '');
  }
  const [client] = ok(await admin.get<List<Client>>(`/customers/${customer.id}/clients`)).items;
  scheduleId = ok(await admin.get<List<Schedule>>(`/clients/${client!.id}/schedules`)).items[0]!.id;

  consoleDir = await tempDir('core-retention-console-');
  service = await ConsoleService.open({
    host: 'browser',
    dataDir: consoleDir,
    vault: new CredentialVault(new MemorySecretStore()),
    client: { timeoutMs: 5_000, retries: 0 },
    reconnect: { firstDelayMs: 60_000, maxDelayMs: 60_000 },
    log: () => undefined,
  });
  ({ id: serverId } = await service.invoke('servers.add', { name: 'Retention', url: server.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: null }));
}, 120_000);

afterAll(async () => {
  await service?.close();
  await server?.stop();
  if (server) await removeDir(server.dataDir);
  if (work) await removeDir(work);
  if (consoleDir) await removeDir(consoleDir);
});

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

const versionIds = async () => (await service.invoke('retention.versions', { serverId, id: scheduleId, query: {} })).data.items.map((v) => v.id);

describe('retention channels', () => {
  it('the kept versions, newest first, with time, status, files and logical size', async () => {
    const { data, asOf } = await service.invoke('retention.versions', { serverId, id: scheduleId, query: {} });
    expect(asOf).toBeNull();
    expect(data.total).toBe(3);
    expect(data.items.map((v) => v.id)).toEqual([...backupIds].reverse());
    for (const v of data.items) expect(v).toMatchObject({ status: 'success', files: 1, bytes: UNIQUE });
    expect(data.items[0]!.finishedAt).not.toBeNull();
  });

  it('the server default: keep everything at first, then what the administrator sets; a schedule inherits it', async () => {
    expect((await service.invoke('retention.defaults.get', { serverId })).data).toEqual(KEEP_EVERYTHING);
    const defaults = { ...KEEP_EVERYTHING, keepDaily: 30, keepMonthly: 12 };
    expect(await service.invoke('retention.defaults.set', { serverId, policy: defaults })).toEqual(defaults);
    const retention = await service.invoke('retention.schedule.get', { serverId, id: scheduleId });
    expect(retention.data).toEqual({ inherit: true, policy: KEEP_EVERYTHING, effective: defaults });
  });

  it('a preview says what a policy would keep and free, and writes nothing', async () => {
    const preview = await service.invoke('retention.preview', { serverId, id: scheduleId, policy: { ...KEEP_EVERYTHING, keepLast: 1 } });
    expect(preview.kept).toBe(1);
    expect(preview.removed).toBe(2);
    // The two older versions' own files, at least (stored compressed or not, they are random).
    expect(preview.bytesFreed).toBeGreaterThanOrEqual(UNIQUE);
    expect(await service.invoke('retention.preview', { serverId, id: scheduleId, policy: KEEP_EVERYTHING })).toEqual({ kept: 3, removed: 0, bytesFreed: 0 });
    expect(await versionIds()).toHaveLength(3);
  });

  it("the schedule's own policy; a bad one is refused naming its field, nothing stored", async () => {
    const own = { ...KEEP_EVERYTHING, keepLast: 2 };
    expect(await service.invoke('retention.schedule.set', { serverId, id: scheduleId, retention: { inherit: false, policy: own } })).toEqual({ inherit: false, policy: own, effective: own });
    const bad = await failure(service.invoke('retention.schedule.set', { serverId, id: scheduleId, retention: { inherit: false, policy: { ...own, keepDaily: -1 } } }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.details?.['field']).toBe('policy.keepDaily');
    expect((await service.invoke('retention.schedule.get', { serverId, id: scheduleId })).data.effective).toEqual(own);
  });

  it('a prune keeps what the policy selects and records each removal in the deleted report', async () => {
    const admin = await new TestClient(server.api).login();
    ok(await admin.post('/maintenance/run', {}));
    expect(await versionIds()).toEqual([backupIds[2], backupIds[1]]);
    const deleted = (await service.invoke('reports.deletedForSchedule', { serverId, id: scheduleId, query: {} })).data.items;
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ kind: 'backup', reason: 'retention', scheduleName: 'docs' });
    expect(deleted[0]!.bytes).toBeGreaterThanOrEqual(UNIQUE);
  });

  it('offline: policies and versions from the cache, no preview and no change', async () => {
    await server.stop();
    const versions = await service.invoke('retention.versions', { serverId, id: scheduleId, query: {} });
    expect(versions.asOf).not.toBeNull();
    expect(versions.data.items.map((v) => v.id)).toEqual([backupIds[2], backupIds[1]]);
    // Sorted another way offline: answered from the whole cached list.
    const oldestFirst = await service.invoke('retention.versions', { serverId, id: scheduleId, query: { sort: 'startedAt' } });
    expect(oldestFirst.data.items.map((v) => v.id)).toEqual([backupIds[1], backupIds[2]]);
    expect((await service.invoke('retention.schedule.get', { serverId, id: scheduleId })).data.inherit).toBe(false);
    expect((await service.invoke('retention.defaults.get', { serverId })).asOf).not.toBeNull();
    expect((await failure(service.invoke('retention.preview', { serverId, id: scheduleId, policy: KEEP_EVERYTHING }))).code).toBe('OFFLINE');
    expect((await failure(service.invoke('retention.defaults.set', { serverId, policy: KEEP_EVERYTHING }))).code).toBe('OFFLINE');
  });
});
