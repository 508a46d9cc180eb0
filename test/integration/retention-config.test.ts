/**
 * Retention policies and backup versions from the management side (API.md, "Retention and backup
 * versions"), against one real server with a real agent: the server default (administrator only), each
 * schedule's own policy or inheriting it, bad policies refused naming the field with nothing written,
 * the kept versions of a schedule, and a reseller seeing only its own schedules.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Client, Customer, List, Reseller, Schedule } from '../../src-shared/api/index.js';
import { KEEP_EVERYTHING, type BackupVersion, type RetentionPolicy, type RetentionPreview, type ScheduleRetention } from '../../src-shared/api/retention.js';
import { runAgent } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { expectError, ok } from '../support/api-assert.js';
import { removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const CUSTOMER = 'Retention Test Co';
const RESELLER_PASSWORD = 'retention-reseller-password';

let server: RunningServer;
let admin: TestClient;
/** Owns CUSTOMER. */
let reseller: TestClient;
/** Owns nothing of it. */
let stranger: TestClient;
let work: string;
let docs: Schedule;
/** The three backups of "docs", oldest first. */
const backupIds: string[] = [];

const policy = (rules: Partial<RetentionPolicy>): RetentionPolicy => ({ ...KEEP_EVERYTHING, ...rules });
const defaults = async () => ok(await admin.get<RetentionPolicy>('/retention-defaults'));
const retentionOf = async (client = admin) => ok(await client.get<ScheduleRetention>(`/schedules/${docs.id}/retention`));
const versions = async (query = '', client = admin) => ok(await client.get<List<BackupVersion>>(`/schedules/${docs.id}/backups${query}`));

async function agent(...args: string[]): Promise<string> {
  const result = await runAgent([...args, '--state-dir', path.join(work, 'state')]);
  expect(result.code, `agent ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  const own = ok(await admin.post<Reseller>('/resellers', { name: 'Retention Reseller', password: RESELLER_PASSWORD }), 201);
  ok(await admin.post<Reseller>('/resellers', { name: 'Other Reseller', password: RESELLER_PASSWORD }), 201);
  reseller = await new TestClient(server.api).login('Retention Reseller', RESELLER_PASSWORD);
  stranger = await new TestClient(server.api).login('Other Reseller', RESELLER_PASSWORD);
  const customer = ok(await admin.post<Customer>(`/resellers/${own.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);

  work = await tempDir('retention-config-');
  const src = path.join(work, 'tree');
  await mkdir(src, { recursive: true });
  await agent('register', '--server', server.url, '--customer', CUSTOMER, '--name', 'laptop');
  await agent('schedule', 'add', '--name', 'docs', '--source', src);
  for (const content of ['one', 'two!', 'three']) {
    await writeFile(path.join(src, 'a.txt'), content);
    const id = /^backup (\S+) of "docs": success/.exec(await agent('backup', '--schedule', 'docs'))?.[1];
    if (!id) throw new Error('no backup id');
    backupIds.push(id);
  }
  const [client] = ok(await admin.get<List<Client>>(`/customers/${customer.id}/clients`)).items;
  docs = ok(await admin.get<List<Schedule>>(`/clients/${client!.id}/schedules`)).items.find((s) => s.name === 'docs')!;
});

afterAll(async () => {
  await server?.stop();
  if (work) await removeDir(work);
  if (server) await removeDir(server.dataDir);
});

describe('GET /schedules/:id/backups', () => {
  it('lists the versions newest first, with their run times, status, files and logical size', async () => {
    const list = await versions();
    expect(list.total).toBe(3);
    expect(list.items.map((v) => v.id)).toEqual([...backupIds].reverse());
    for (const version of list.items) {
      expect(version.status).toBe('success');
      expect(version.files).toBe(1);
      expect(version.finishedAt! >= version.startedAt).toBe(true);
    }
    expect(list.items.map((v) => v.bytes)).toEqual([5, 4, 3]);
  });

  it('pages, sorts and searches as its spec says', async () => {
    expect((await versions('?sort=startedAt')).items.map((v) => v.id)).toEqual(backupIds);
    expect(await versions('?limit=1&offset=1')).toEqual({ items: [(await versions()).items[1]], total: 3 });
    expect((await versions('?q=partial')).total).toBe(0);
    expectError(await admin.get(`/schedules/${docs.id}/backups?sort=name`), 400, 'BAD_REQUEST');
  });
});

describe('POST /schedules/:id/retention/preview', () => {
  it('says what a policy would prune, and writes nothing', async () => {
    const preview = ok(await admin.post<RetentionPreview>(`/schedules/${docs.id}/retention/preview`, { policy: policy({ keepLast: 1 }) }));
    expect(preview).toMatchObject({ kept: 1, removed: 2 });
    expect(preview.bytesFreed).toBeGreaterThanOrEqual(0);
    expect(ok(await admin.post<RetentionPreview>(`/schedules/${docs.id}/retention/preview`, { policy: KEEP_EVERYTHING }))).toEqual({ kept: 3, removed: 0, bytesFreed: 0 });
    expect((await versions()).total).toBe(3);
  });
});

describe('retention defaults', () => {
  it('keep everything until the administrator sets them; resellers read them but cannot change them', async () => {
    expect(await defaults()).toEqual(KEEP_EVERYTHING);
    expect(ok(await reseller.get<RetentionPolicy>('/retention-defaults'))).toEqual(KEEP_EVERYTHING);
    expectError(await reseller.put('/retention-defaults', policy({ keepLast: 1 })), 403, 'FORBIDDEN');
    expect(await defaults()).toEqual(KEEP_EVERYTHING);
  });

  it('a change applies to inheriting schedules and is audited', async () => {
    const daily = policy({ keepLast: 3, keepDaily: 7, keepYearly: 0 });
    expect(ok(await admin.put<RetentionPolicy>('/retention-defaults', daily))).toEqual(daily);
    expect(await defaults()).toEqual(daily);
    expect(await retentionOf()).toEqual({ inherit: true, policy: KEEP_EVERYTHING, effective: daily });
    const [entry] = ok(await admin.get<List<AuditEntry>>('/audit-log?q=retention.defaults')).items;
    expect(entry).toMatchObject({ action: 'retention.defaults.update', before: KEEP_EVERYTHING, after: daily });
  });

  it.each([
    [{ keepLast: -1 }, 'keepLast'],
    [{ keepDaily: 1.5 }, 'keepDaily'],
    [{ keepWeekly: 100_001 }, 'keepWeekly'],
    [{ keepMonthly: '3' }, 'keepMonthly'],
    [{ keepHourly: 2 }, 'keepHourly'],
  ])('refuses %j naming the field, changing nothing', async (bad, field) => {
    const before = await defaults();
    const error = expectError(await admin.put('/retention-defaults', { ...KEEP_EVERYTHING, ...bad }), 400, 'BAD_REQUEST');
    expect(error.details?.['field']).toBe(field);
    expect(await defaults()).toEqual(before);
  });
});

describe("a schedule's retention", () => {
  it('follows its own policy, and keeps it while inheriting so switching back restores it', async () => {
    const own = policy({ keepWeekly: 4, keepMonthly: 12 });
    expect(ok(await admin.put<ScheduleRetention>(`/schedules/${docs.id}/retention`, { inherit: false, policy: own }))).toEqual({ inherit: false, policy: own, effective: own });
    const inherited = ok(await admin.put<ScheduleRetention>(`/schedules/${docs.id}/retention`, { inherit: true, policy: policy({ keepLast: 1 }) }));
    expect(inherited).toEqual({ inherit: true, policy: own, effective: await defaults() });
    expect(await retentionOf()).toEqual(inherited);
    const [entry] = ok(await admin.get<List<AuditEntry>>('/audit-log?q=schedule.retention')).items;
    expect(entry).toMatchObject({ action: 'schedule.retention.update', objectId: docs.id, objectName: 'laptop / docs' });
  });

  it('refuses a policy that is missing or bad, naming the field, changing nothing', async () => {
    const before = await retentionOf();
    expect(expectError(await admin.put(`/schedules/${docs.id}/retention`, { inherit: false }), 400, 'BAD_REQUEST').details?.['field']).toBe('policy');
    const bad = { inherit: false, policy: { ...KEEP_EVERYTHING, keepLast: -2 } };
    expect(expectError(await admin.put(`/schedules/${docs.id}/retention`, bad), 400, 'BAD_REQUEST').details?.['field']).toBe('policy.keepLast');
    expectError(await admin.put(`/schedules/${docs.id}/retention`, { inherit: 'no' }), 400, 'BAD_REQUEST');
    expect(await retentionOf()).toEqual(before);
  });

  it("is its reseller's to read and change, and no other reseller's", async () => {
    const own = policy({ keepLast: 5 });
    expect(ok(await reseller.put<ScheduleRetention>(`/schedules/${docs.id}/retention`, { inherit: false, policy: own })).effective).toEqual(own);
    expect((await retentionOf(reseller)).policy).toEqual(own);
    expect((await versions('', reseller)).total).toBe(3);
    expectError(await stranger.get(`/schedules/${docs.id}/retention`), 404, 'NOT_FOUND');
    expectError(await stranger.put(`/schedules/${docs.id}/retention`, { inherit: true }), 404, 'NOT_FOUND');
    expectError(await stranger.get(`/schedules/${docs.id}/backups`), 404, 'NOT_FOUND');
    expectError(await stranger.post(`/schedules/${docs.id}/retention/preview`, { policy: KEEP_EVERYTHING }), 404, 'NOT_FOUND');
    expect((await retentionOf()).policy).toEqual(own);
    expectError(await admin.get('/schedules/nope/retention'), 404, 'NOT_FOUND');
  });
});
