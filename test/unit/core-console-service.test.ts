/**
 * The ConsoleService channel by channel, against the real backup server app running in this process
 * (plain http on 127.0.0.1, demo data set, its own SQLite file), with a this-session-only vault. Stopping
 * and restarting that app on the same port is how a server goes away and comes back here; the
 * integration tests do the same with real server processes, over TLS, two at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src-server/app.js';
import { bootstrap } from '../../src-server/bootstrap.js';
import { openDatabase } from '../../src-server/db/database.js';
import { seedDemo } from '../../src-server/demo.js';
import { Services } from '../../src-server/services.js';
import { BridgeError, type EventName, type Events, type ServerView } from '../../src-shared/bridge.js';
import { ConsoleService, SETTINGS_FILE, type ConsoleServiceOptions } from '../../src-main/core/console-service.js';
import { CredentialVault, MemorySecretStore } from '../../src-main/core/vault.js';

const ADMIN_PASSWORD = 'in-process-admin-pw';

/** The real server app in this process; `stop` and `start` keep its port, so the console sees the same address. */
class InProcessServer {
  url = '';
  private app: Awaited<ReturnType<typeof buildApp>> | null = null;
  private db: ReturnType<typeof openDatabase> | null = null;
  private port = 0;

  constructor(readonly dir: string) {}

  async start(): Promise<void> {
    this.db = openDatabase(path.join(this.dir, 'server.sqlite'));
    const services = new Services(this.db, this.dir);
    await bootstrap(services, { cloud: false, adminPassword: ADMIN_PASSWORD });
    await seedDemo(services);
    this.app = await buildApp(services);
    await this.app.listen({ host: '127.0.0.1', port: this.port });
    this.port = (this.app.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.db?.close();
    this.app = null;
  }
}

let root: string;
let server: InProcessServer;
const services: ConsoleService[] = [];

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'core-console-'));
  server = new InProcessServer(path.join(root, 'server'));
  await fs.promises.mkdir(server.dir);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  await fs.promises.rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

let dirs = 0;
async function openService(options: Partial<ConsoleServiceOptions> = {}) {
  const dataDir = options.dataDir ?? path.join(root, `console-${++dirs}`);
  // The vault tests look into: the service's own unless the test passes another (or null).
  const vault = new CredentialVault(new MemorySecretStore());
  const logs: string[] = [];
  const service = await ConsoleService.open({
    host: 'browser',
    client: { timeoutMs: 2_000, retries: 1, retryBaseMs: 10, retryMaxMs: 50 },
    reconnect: { firstDelayMs: 50, maxDelayMs: 200 },
    log: (line) => logs.push(line),
    ...options,
    dataDir,
    vault: options.vault === undefined ? vault : options.vault,
  });
  services.push(service);
  const events: { event: EventName; payload: unknown }[] = [];
  service.subscribe((event, payload) => events.push({ event, payload }));
  return { service, dataDir, vault, logs, events };
}

async function addServer(service: ConsoleService, password = ADMIN_PASSWORD): Promise<ServerView> {
  return service.invoke('servers.add', { name: 'In-process', url: server.url, username: 'admin', password, fingerprint: null });
}

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function stateEvents(events: { event: EventName; payload: unknown }[], serverId: string): string[] {
  return events.filter((e) => e.event === 'server.state' && (e.payload as ServerView).id === serverId).map((e) => (e.payload as ServerView).state);
}

/** Stops the shared server for one test and brings it back afterwards, whatever the test did. */
async function whileServerDown(work: () => Promise<void>): Promise<void> {
  await server.stop();
  try {
    await work();
  } finally {
    await server.start();
  }
}

describe('app and settings', () => {
  it('reports the keychain backend, and switches to memory only when asked', async () => {
    const { service } = await openService({ vault: null, keychainProblem: 'The system keychain is not available: no D-Bus.' });
    expect(await service.invoke('app.info', {})).toMatchObject({ keychain: 'unavailable', keychainProblem: 'The system keychain is not available: no D-Bus.', host: 'browser', demo: false, version: '0.1.0' });
    const refused = await failure(addServer(service));
    expect(refused.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(await service.invoke('servers.list', {})).toEqual([]);
    expect(await service.invoke('app.useMemoryVault', {})).toMatchObject({ keychain: 'memory' });
    expect((await addServer(service)).state).toBe('online');
  });

  it('keeps UI settings, and refuses secrets and non-JSON values', async () => {
    const { service, dataDir } = await openService();
    await service.invoke('settings.set', { key: 'columns.customers', value: { widths: [120, 80], hidden: ['email'] } });
    expect(await service.invoke('settings.get', { key: 'columns.customers' })).toEqual({ widths: [120, 80], hidden: ['email'] });
    expect(await service.invoke('settings.get', { key: 'nothing' })).toBeNull();
    expect((await failure(service.invoke('settings.set', { key: 'serverPassword', value: 'x' }))).code).toBe('BAD_REQUEST');
    expect((await failure(service.invoke('settings.set', { key: 'layout', value: { apiToken: 'x' } }))).code).toBe('BAD_REQUEST');
    expect((await failure(service.invoke('settings.set', { key: 'when', value: new Date() }))).code).toBe('BAD_REQUEST');
    expect(fs.readFileSync(path.join(dataDir, SETTINGS_FILE), 'utf8')).toContain('columns.customers');
  });
});

describe('servers', () => {
  it('adds a server: the password goes to the vault, never to the settings file or the view', async () => {
    const { service, dataDir, vault, events } = await openService();
    const view = await addServer(service);
    expect(view).toMatchObject({ name: 'In-process', url: server.url, username: 'admin', fingerprint: null, state: 'online', problem: null, role: 'admin', resellerId: null });
    expect(view.info?.resellerManagement).toBe(true);
    expect(Object.keys(view).sort()).toEqual(['fingerprint', 'id', 'info', 'name', 'problem', 'resellerId', 'role', 'state', 'url', 'username']);
    expect(await vault.getPassword(view.id)).toBe(ADMIN_PASSWORD);
    const token = await vault.getToken(view.id);
    expect(token).toBeTruthy();
    const settings = fs.readFileSync(path.join(dataDir, SETTINGS_FILE), 'utf8');
    expect(settings).not.toContain(ADMIN_PASSWORD);
    expect(settings).not.toContain(token!);
    expect(events.some((e) => e.event === 'servers.changed')).toBe(true);
  });

  it('does not add a server it cannot sign in to, nor an address it should not use', async () => {
    const { service, vault } = await openService();
    const wrong = await failure(addServer(service, 'wrong-password'));
    expect(wrong.code).toBe('NOT_SIGNED_IN');
    expect(wrong.message).not.toContain('wrong-password');
    expect(await service.invoke('servers.list', {})).toEqual([]);
    expect(await vault.getPassword('anything')).toBeNull();

    const plainRemote = await failure(service.invoke('servers.add', { name: 'Remote', url: 'http://backup.example.com', username: 'admin', password: 'pw', fingerprint: null }));
    expect(plainRemote).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'url' } });
    const untrusted = await failure(service.invoke('servers.add', { name: 'Remote', url: 'https://backup.example.com', username: 'admin', password: 'pw', fingerprint: null }));
    expect(untrusted.code).toBe('UNTRUSTED_CERTIFICATE');
    const twice = await addServer(service);
    expect((await failure(addServer(service))).code).toBe('CONFLICT');
    expect((await service.invoke('servers.list', {})).map((s) => s.id)).toEqual([twice.id]);
  });

  it('probes http as having no certificate', async () => {
    const { service } = await openService();
    expect(await service.invoke('servers.probe', { url: server.url })).toEqual({ fingerprint: null, pinned: null });
  });

  it('renames, changes the password (signing in again), reorders and removes with everything kept for the server', async () => {
    const { service, vault } = await openService();
    const a = await addServer(service);
    const b = await service.invoke('servers.add', { name: 'Second login', url: server.url, username: 'Northwind IT', password: 'reseller-demo', fingerprint: null });
    expect(b).toMatchObject({ role: 'reseller', resellerId: expect.any(String) });
    expect((await service.invoke('servers.update', { serverId: a.id, name: 'Renamed' })).name).toBe('Renamed');

    const oldToken = await vault.getToken(a.id);
    const updated = await service.invoke('servers.update', { serverId: a.id, password: 'wrong-now' });
    expect(updated.state).toBe('signed-out');
    expect(await vault.getToken(a.id)).toBeNull();
    expect(oldToken).not.toBeNull();
    expect((await service.invoke('servers.update', { serverId: a.id, password: ADMIN_PASSWORD })).state).toBe('online');

    expect((await service.invoke('servers.reorder', { ids: [b.id, a.id] })).map((s) => s.name)).toEqual(['Second login', 'Renamed']);
    await service.invoke('resellers.list', { serverId: a.id });
    expect((await service.invoke('offline.size', {})).bytes).toBeGreaterThan(0);
    await service.invoke('servers.remove', { serverId: a.id });
    expect((await service.invoke('servers.list', {})).map((s) => s.id)).toEqual([b.id]);
    expect(await vault.getPassword(a.id)).toBeNull();
    expect(await vault.getToken(a.id)).toBeNull();
    expect((await failure(service.invoke('resellers.list', { serverId: a.id }))).code).toBe('NOT_FOUND');
  });
});

describe('reads, the offline cache and writes', () => {
  it('serves reads live, then from the cache with asOf while the server is down, and refuses writes', async () => {
    const { service, events } = await openService();
    const { id } = await addServer(service);
    const live = await service.invoke('resellers.list', { serverId: id, query: { sort: 'name' } });
    expect(live.asOf).toBeNull();
    expect(live.data.items.map((r) => r.name)).toContain('Northwind IT');
    const reseller = live.data.items.find((r) => r.name === 'Northwind IT')!;
    const page = await service.invoke('customers.list', { serverId: id, id: reseller.id, query: { limit: 5, sort: '-spaceUsed' } });
    const everything = await service.invoke('customers.list', { serverId: id, id: reseller.id, query: { limit: 1000 } });

    await whileServerDown(async () => {
      const cached = await service.invoke('resellers.list', { serverId: id, query: { sort: 'name' } });
      expect(cached.data).toEqual(live.data);
      expect(cached.asOf).toEqual(expect.any(String));
      expect(Date.parse(cached.asOf!)).toBeLessThanOrEqual(Date.now());
      await until(() => stateEvents(events, id).includes('offline'), 'an offline state event');
      const view = (await service.invoke('servers.list', {}))[0]!;
      expect(view.state).toBe('offline');
      expect(view.problem).toMatch(/Cannot reach "In-process"/);

      // The exact page, and pages never fetched, answered from the whole list the same way the server did.
      expect((await service.invoke('customers.list', { serverId: id, id: reseller.id, query: { limit: 5, sort: '-spaceUsed' } })).data).toEqual(page.data);
      const offline = await service.invoke('customers.list', { serverId: id, id: reseller.id, query: { q: 'dental', sort: '-spaceUsed' } });
      expect(offline.asOf).not.toBeNull();
      const expected = everything.data.items.filter((c) => c.name.toLowerCase().includes('dental')).sort((x, y) => y.spaceUsed - x.spaceUsed || (x.id < y.id ? -1 : 1));
      expect(offline.data).toEqual({ items: expected, total: expected.length });

      const refused = await failure(service.invoke('customers.create', { serverId: id, resellerId: reseller.id, input: { name: 'Offline Co' } }));
      expect(refused.code).toBe('OFFLINE');
      expect(refused.message).toBe('Server "In-process" is offline — changes are disabled until it is back.');
      const nothing = await failure(service.invoke('customers.get', { serverId: id, id: 'cus_never_seen' }));
      expect(nothing.code).toBe('OFFLINE');
      expect(nothing.message).toContain('Nothing of this view is cached');
    });

    // The reconnect loop notices the server is back.
    await until(() => stateEvents(events, id).at(-1) === 'online', 'the online state event');
    const created = await service.invoke('customers.create', { serverId: id, resellerId: reseller.id, input: { name: 'Back Online Co' } });
    expect(created.name).toBe('Back Online Co');
    expect((await service.invoke('customers.get', { serverId: id, id: created.id })).asOf).toBeNull();
  });

  it('answers the offline queries exactly as the server does, for every sortable field', async () => {
    const { service } = await openService();
    const { id } = await addServer(service);
    const resellers = (await service.invoke('resellers.list', { serverId: id })).data.items;
    const rid = resellers.find((r) => r.name === 'Contoso Managed Services')!.id;
    const fields = ['name', 'email', 'mcalsAllotted', 'mcalsUsed', 'spaceAllotted', 'spaceUsed', 'autoAuthorization', 'active', 'clientCount', 'createdAt'];
    const queries = fields.flatMap((field) => [{ sort: field }, { sort: `-${field}`, limit: 7, offset: 3 }, { sort: field, q: 'a' }]);
    const liveAnswers = [];
    for (const query of queries) liveAnswers.push((await service.invoke('customers.list', { serverId: id, id: rid, query })).data);
    await service.invoke('customers.list', { serverId: id, id: rid, query: { limit: 1000 } });
    await service.invoke('servers.update', { serverId: id, password: 'now-wrong' }); // signed out: reads come from the cache
    for (const [i, query] of queries.entries()) {
      const cached = await service.invoke('customers.list', { serverId: id, id: rid, query: { ...query, limit: query.limit ?? 100 } });
      expect(cached.asOf, JSON.stringify(query)).not.toBeNull();
      expect(cached.data, JSON.stringify(query)).toEqual(liveAnswers[i]);
    }
  });

  it('serves the cache while signed out, and keeps the server signed out until the user acts', async () => {
    const { service, vault } = await openService();
    const { id } = await addServer(service);
    const live = await service.invoke('resellers.list', { serverId: id });
    // The session ends on the server (expired or revoked), and the stored password is no longer right.
    const revoked = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE', headers: { authorization: `Bearer ${await vault.getToken(id)}` } });
    expect(revoked.status).toBe(204);
    await vault.setPassword(id, 'rejected-password');
    const view = await service.invoke('servers.connect', { serverId: id });
    expect(view.state).toBe('signed-out');
    expect(view.problem).toContain('Wrong username or password.');
    const cached = await service.invoke('resellers.list', { serverId: id });
    expect(cached).toEqual({ data: live.data, asOf: expect.any(String) });
    expect((await failure(service.invoke('maintenance.run', { serverId: id }))).code).toBe('NOT_SIGNED_IN');
    await vault.setPassword(id, ADMIN_PASSWORD);
    expect((await service.invoke('servers.connect', { serverId: id })).state).toBe('online');
  });

  it('maps server errors with their code and message', async () => {
    const { service } = await openService();
    const { id } = await addServer(service);
    const missing = await failure(service.invoke('customers.get', { serverId: id, id: 'cus_missing' }));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'Customer was not found.' });
    expect((await service.invoke('servers.list', {}))[0]!.state).toBe('online');
    const resellers = (await service.invoke('resellers.list', { serverId: id })).data.items;
    const taken = await failure(service.invoke('customers.create', { serverId: id, resellerId: resellers[0]!.id, input: { name: 'Acme Dental' } }));
    expect(taken.code).toBe('NAME_TAKEN');
  });
});

describe('every other channel', () => {
  it('reaches its route on the server', async () => {
    const { service } = await openService();
    const { id: serverId } = await addServer(service);
    expect((await service.invoke('server.update', { serverId, patch: { name: 'Renamed by the console' } })).name).toBe('Renamed by the console');
    expect((await service.invoke('server.info', { serverId })).data.name).toBe('Renamed by the console');
    expect((await service.invoke('servers.list', {}))[0]!.info?.name).toBe('Renamed by the console');

    const reseller = await service.invoke('resellers.create', { serverId, input: { name: 'Channel Reseller', password: 'channel-reseller-pw' } });
    expect((await service.invoke('resellers.update', { serverId, id: reseller.id, patch: { email: 'ops@channel.example' } })).email).toBe('ops@channel.example');
    const customer = await service.invoke('customers.create', { serverId, resellerId: reseller.id, input: { name: 'Channel Co', autoAuthorization: false } });
    const other = await service.invoke('customers.create', { serverId, resellerId: reseller.id, input: { name: 'Channel Two' } });
    expect((await service.invoke('customers.update', { serverId, id: customer.id, patch: { mcalsAllotted: 3 } })).mcalsAllotted).toBe(3);

    const created = await service.invoke('clients.create', { serverId, customerId: customer.id, input: { name: 'Channel PC' } });
    expect(created.client.status).toBe('pending');
    expect(created.registrationKey).toEqual(expect.any(String));
    expect((await service.invoke('clients.authorize', { serverId, id: created.client.id })).status).toBe('authorized');
    expect((await service.invoke('clients.update', { serverId, id: created.client.id, patch: { name: 'Renamed PC' } })).name).toBe('Renamed PC');
    expect((await service.invoke('clients.migrate', { serverId, id: created.client.id, input: { customerId: other.id } })).customerId).toBe(other.id);
    expect((await service.invoke('customers.deletionPreview', { serverId, id: other.id })).clients).toBe(1);
    expect(await service.invoke('clients.delete', { serverId, id: created.client.id })).toBeNull();
    expect((await service.invoke('clients.listTrial', { serverId })).data.items.every((c) => c.trial)).toBe(true);
    expect(await service.invoke('customers.delete', { serverId, id: customer.id })).toBeNull();
    expect(await service.invoke('customers.delete', { serverId, id: other.id })).toBeNull();
    expect(await service.invoke('resellers.delete', { serverId, id: reseller.id })).toBeNull();

    const northwind = (await service.invoke('resellers.list', { serverId })).data.items.find((r) => r.name === 'Northwind IT')!;
    const someone = (await service.invoke('customers.list', { serverId, id: northwind.id })).data.items.find((c) => c.clientCount > 0)!;
    const client = (await service.invoke('clients.list', { serverId, id: someone.id })).data.items[0]!;
    const schedule = (await service.invoke('schedules.list', { serverId, id: client.id })).data.items[0]!;
    expect((await service.invoke('schedules.update', { serverId, id: schedule.id, patch: { enabled: !schedule.enabled } })).enabled).toBe(!schedule.enabled);
    expect(await service.invoke('schedules.delete', { serverId, id: schedule.id })).toBeNull();
    expect((await service.invoke('schedules.list', { serverId, id: client.id })).data.items.map((s) => s.id)).not.toContain(schedule.id);

    expect((await service.invoke('reports.deletedForTrialClients', { serverId })).data.items.every((r) => r.clientName !== '')).toBe(true);
    const trial = (await service.invoke('trialSettings.get', { serverId })).data;
    expect(await service.invoke('trialSettings.update', { serverId, settings: { ...trial, trialDays: trial.trialDays + 1 } })).toEqual({ ...trial, trialDays: trial.trialDays + 1 });
    const audit = await service.invoke('auditLog.list', { serverId, query: { q: 'Channel Co', limit: 50 } });
    expect(audit.data.items.some((e) => e.objectName === 'Channel Co')).toBe(true);
    expect((await service.invoke('maintenance.run', { serverId })).ranAt).toEqual(expect.any(String));
    expect((await failure(service.invoke('jobs.get', { serverId, id: 'job_unknown' }))).code).toBe('NOT_FOUND');
  });
});

describe('search and make available offline', () => {
  it('finds customers and clients by name across logins', async () => {
    const { service } = await openService();
    const admin = await addServer(service);
    const reseller = await service.invoke('servers.add', { name: 'Reseller login', url: server.url, username: 'Northwind IT', password: 'reseller-demo', fingerprint: null });
    const hits = await service.invoke('search.all', { q: 'dental' });
    const adminCustomers = hits.filter((h) => h.serverId === admin.id && h.kind === 'customer');
    const resellerCustomers = hits.filter((h) => h.serverId === reseller.id && h.kind === 'customer');
    expect(adminCustomers.length).toBeGreaterThan(resellerCustomers.length);
    expect(resellerCustomers.length).toBeGreaterThan(0);
    expect(resellerCustomers.every((h) => h.resellerId === reseller.resellerId && h.serverName === 'Reseller login')).toBe(true);
    expect(adminCustomers.every((h) => h.name.toLowerCase().includes('dental'))).toBe(true);

    const clientHits = await service.invoke('search.all', { q: 'frontdesk' });
    const client = clientHits.find((h) => h.kind === 'client' && h.serverId === admin.id)!;
    expect(client).toMatchObject({ customerId: expect.any(String), customerName: expect.any(String) });
    const clients = await service.invoke('clients.list', { serverId: admin.id, id: client.customerId!, query: { limit: 1000 } });
    expect(clients.data.items.map((c) => c.id)).toContain(client.id);
  });

  it('does not scan clients on a server with more customers than the bound', async () => {
    const { service } = await openService({ search: { clientScanCustomers: 10 } });
    await addServer(service);
    expect((await service.invoke('search.all', { q: 'frontdesk' })).filter((h) => h.kind === 'client')).toEqual([]);
    expect((await service.invoke('search.all', { q: 'dental' })).length).toBeGreaterThan(0);
  });

  it("prefetches a customer's subtree with progress events, and serves all of it offline", async () => {
    const { service, events } = await openService();
    const { id } = await addServer(service);
    const resellers = (await service.invoke('resellers.list', { serverId: id })).data.items;
    const customers = (await service.invoke('customers.list', { serverId: id, id: resellers.find((r) => r.name === 'Northwind IT')!.id })).data.items;
    const customer = customers.find((c) => c.clientCount > 0)!;
    const { jobId } = await service.invoke('offline.makeAvailable', { serverId: id, customerId: customer.id });
    const progress = () => events.filter((e) => e.event === 'job.progress').map((e) => e.payload as Events['job.progress']).filter((p) => p.jobId === jobId);
    const final = await until(() => progress().find((p) => p.status !== 'running'), 'the job to finish');
    expect(final).toMatchObject({ status: 'done', error: null, label: `Making "${customer.name}" available offline` });
    expect(final.done).toBe(final.total);
    expect(final.total).toBeGreaterThan(3);

    await whileServerDown(async () => {
      expect((await service.invoke('customers.get', { serverId: id, id: customer.id })).data.name).toBe(customer.name);
      const clients = await service.invoke('clients.list', { serverId: id, id: customer.id, query: { sort: '-spaceUsed' } });
      expect(clients.asOf).not.toBeNull();
      expect(clients.data.total).toBe(customer.clientCount);
      let reports = 0;
      for (const client of clients.data.items) {
        const schedules = await service.invoke('schedules.list', { serverId: id, id: client.id });
        for (const schedule of schedules.data.items) {
          const backups = await service.invoke('reports.backup', { serverId: id, id: schedule.id, query: { limit: 10 } });
          reports += backups.data.items.length;
          expect(backups.asOf).not.toBeNull();
          await service.invoke('reports.restore', { serverId: id, id: schedule.id });
          await service.invoke('reports.deletedForSchedule', { serverId: id, id: schedule.id });
        }
      }
      expect(reports).toBeGreaterThan(0);
      expect((await service.invoke('reports.deletedForCustomer', { serverId: id, id: customer.id })).asOf).not.toBeNull();
      expect((await failure(service.invoke('offline.makeAvailable', { serverId: id, customerId: customer.id }))).code).toBe('OFFLINE');
    });

    expect((await service.invoke('offline.size', {})).bytes).toBeGreaterThan(0);
    await service.invoke('offline.clear', {});
    expect((await service.invoke('offline.size', {})).bytes).toBe(0);
  });

  it('reports a prefetch that fails', async () => {
    const { service, events } = await openService();
    const { id } = await addServer(service);
    const { jobId } = await service.invoke('offline.makeAvailable', { serverId: id, customerId: 'cus_missing' });
    const final = await until(() => events.map((e) => e.payload as Events['job.progress']).find((p) => p.jobId === jobId && p.status !== 'running'), 'the job to fail');
    expect(final).toMatchObject({ status: 'failed', error: 'Customer was not found.' });
  });
});
