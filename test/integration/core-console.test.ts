/**
 * The console core against real backup server processes over TLS on 127.0.0.1: two (and for the
 * certificate test, three) servers at once, one stopped or frozen mid-test, a replaced certificate, a
 * revoked token, make-available-offline, cross-server search, the secrets audit of the files and logs a
 * session leaves, the embedded demo server, and one session on the real OS keychain.
 *
 * A this-session-only vault stands in for the keychain except in the keychain test (the vault itself is
 * covered by core-keychain.test.ts). The tests of the main block share the console and run in order.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError, type Events, type EventName, type ServerView } from '../../src-shared/bridge.js';
import { ConsoleService, DEMO_SERVER_NAME, type ConsoleServiceOptions } from '../../src-main/core/console-service.js';
import { probeFingerprint } from '../../src-main/core/tls-pin.js';
import { CredentialVault, KEYCHAIN_SERVICE, KeychainUnavailableError, MemorySecretStore, openVault } from '../../src-main/core/vault.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const SERVER_ARGS = ['--demo', '--maintenance-interval', '0'];
const RESELLER_PASSWORD = 'reseller-demo';
const TUNING: Partial<ConsoleServiceOptions> = {
  client: { timeoutMs: 5_000, retries: 1, retryBaseMs: 50, retryMaxMs: 200 },
  reconnect: { firstDelayMs: 100, maxDelayMs: 500 },
};

type Recorded = { event: EventName; payload: unknown };

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

async function until<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const statesOf = (events: Recorded[], serverId: string) =>
  events.filter((e) => e.event === 'server.state' && (e.payload as ServerView).id === serverId).map((e) => (e.payload as ServerView).state);

/** Restarts a stopped server on its data dir and its old port, so the console sees the same address. */
function restart(server: RunningServer): Promise<RunningServer> {
  return startServer({ dataDir: server.dataDir, http: false, args: [...SERVER_ARGS, '--port', new URL(server.url).port] });
}

/** Ends a session the way an expiry or another admin would: DELETE /session with its token (test code: no pinning). */
async function revokeSession(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.request(`${url}/api/v1/session`, { method: 'DELETE', rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/** Fails naming the file (or log) and which secret it holds; never prints the secret itself. */
function expectNoSecrets(where: Record<string, Buffer | string>, secrets: Record<string, string>): void {
  for (const [place, content] of Object.entries(where)) {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
    for (const [name, secret] of Object.entries(secrets)) expect(bytes.includes(secret), `${place} holds ${name}`).toBe(false);
  }
}

describe('console core with real servers', () => {
  let a: RunningServer;
  let b: RunningServer;
  let c: RunningServer | null = null;
  let dataDir: string;
  let service: ConsoleService;
  let vault: CredentialVault;
  const logs: string[] = [];
  const events: Recorded[] = [];
  /** Every token the console held, for the secrets audit at the end. */
  const tokens = new Set<string>();
  let serverA: ServerView;
  let serverB: ServerView;

  const rememberToken = async (serverId: string) => {
    const token = await vault.getToken(serverId);
    if (token) tokens.add(token);
    return token;
  };

  async function add(server: RunningServer, name: string, username = 'admin', password = ADMIN_PASSWORD): Promise<ServerView> {
    const probe = await service.invoke('servers.probe', { url: server.url });
    expect(probe).toEqual({ fingerprint: server.fingerprint, pinned: null });
    const view = await service.invoke('servers.add', { name, url: server.url, username, password, fingerprint: probe.fingerprint });
    await rememberToken(view.id);
    return view;
  }

  beforeAll(async () => {
    [a, b] = await Promise.all([startServer({ http: false, args: SERVER_ARGS }), startServer({ http: false, args: SERVER_ARGS })]);
    dataDir = await tempDir('core-console-');
    vault = new CredentialVault(new MemorySecretStore());
    service = await ConsoleService.open({ ...TUNING, dataDir, host: 'browser', vault, log: (line) => logs.push(line) });
    service.subscribe((event, payload) => events.push({ event, payload }));
    serverA = await add(a, 'Server A');
    serverB = await add(b, 'Server B');
  });

  afterAll(async () => {
    await service?.close();
    await Promise.all([a, b, c].map(async (server) => server && (await server.kill(), await removeDir(server.dataDir))));
    if (dataDir) await removeDir(dataDir);
  });

  it('connects to both servers over pinned TLS', async () => {
    const views = await service.invoke('servers.list', {});
    expect(views.map((v) => [v.name, v.state, v.fingerprint, v.role])).toEqual([
      ['Server A', 'online', a.fingerprint, 'admin'],
      ['Server B', 'online', b.fingerprint, 'admin'],
    ]);
    expect((await service.invoke('server.info', { serverId: serverA.id })).data.resellerManagement).toBe(true);
  });

  it('finds customers on both servers in one search', async () => {
    const hits = await service.invoke('search.all', { q: 'dental' });
    const customers = hits.filter((h) => h.kind === 'customer');
    expect(new Set(customers.map((h) => h.serverId))).toEqual(new Set([serverA.id, serverB.id]));
    expect(customers.every((h) => h.name.toLowerCase().includes('dental'))).toBe(true);
    // Server order, customers first.
    expect(hits.findIndex((h) => h.serverId === serverB.id)).toBeGreaterThan(hits.findLastIndex((h) => h.serverId === serverA.id));
    const clientHits = (await service.invoke('search.all', { q: 'frontdesk' })).filter((h) => h.kind === 'client');
    expect(new Set(clientHits.map((h) => h.serverId))).toEqual(new Set([serverA.id, serverB.id]));
  });

  it('keeps serving one server while another is frozen, then stopped: cached reads with asOf, writes refused', async () => {
    // Make one customer of B available offline, and browse some lists of both.
    const resellersB = await service.invoke('resellers.list', { serverId: serverB.id });
    const northwind = resellersB.data.items.find((r) => r.name === 'Northwind IT')!;
    const customersB = await service.invoke('customers.list', { serverId: serverB.id, id: northwind.id, query: { sort: 'name', limit: 100 } });
    const customer = customersB.data.items.find((x) => x.clientCount >= 3)!;
    const { jobId } = await service.invoke('offline.makeAvailable', { serverId: serverB.id, customerId: customer.id });
    const job = await until(
      () => events.map((e) => e.payload as Events['job.progress']).find((p) => p.jobId === jobId && p.status !== 'running'),
      'the prefetch to finish',
    );
    expect(job).toMatchObject({ status: 'done', done: job.total });
    const liveClients = await service.invoke('clients.list', { serverId: serverB.id, id: customer.id, query: { sort: 'name' } });
    const resellersA = await service.invoke('resellers.list', { serverId: serverA.id });

    // Frozen: B accepts connections but never answers. A's answer does not wait for B's timeout.
    b.process.kill('SIGSTOP');
    try {
      const order: string[] = [];
      const fromB = service.invoke('customers.get', { serverId: serverB.id, id: customer.id }).then((r) => {
        order.push('B');
        return r;
      });
      const fromA = await service.invoke('resellers.list', { serverId: serverA.id });
      order.push('A');
      expect(fromA.asOf).toBeNull();
      const slow = await fromB;
      expect(order).toEqual(['A', 'B']);
      // B timed out, so its answer came from the cache.
      expect(slow.asOf).not.toBeNull();
      expect(slow.data.id).toBe(customer.id);
    } finally {
      b.process.kill('SIGCONT');
    }

    await b.stop();

    // A: live as ever, reads and writes.
    const aLive = await service.invoke('resellers.list', { serverId: serverA.id });
    expect(aLive).toEqual({ data: resellersA.data, asOf: null });
    const aCustomer = (await service.invoke('customers.list', { serverId: serverA.id, id: aLive.data.items[0]!.id, query: { limit: 1 } })).data.items[0]!;
    expect((await service.invoke('customers.update', { serverId: serverA.id, id: aCustomer.id, patch: { email: 'changed@a.example' } })).email).toBe('changed@a.example');

    // B: cached, with the time it was fetched.
    const bCached = await service.invoke('resellers.list', { serverId: serverB.id });
    expect(bCached.data).toEqual(resellersB.data);
    expect(bCached.asOf).toEqual(expect.any(String));
    const clients = await service.invoke('clients.list', { serverId: serverB.id, id: customer.id, query: { sort: 'name' } });
    expect(clients.data).toEqual(liveClients.data);
    expect(clients.asOf).not.toBeNull();
    for (const client of clients.data.items) {
      const schedules = await service.invoke('schedules.list', { serverId: serverB.id, id: client.id });
      expect(schedules.asOf).not.toBeNull();
      for (const schedule of schedules.data.items) {
        for (const channel of ['reports.backup', 'reports.restore', 'reports.deletedForSchedule'] as const) {
          expect((await service.invoke(channel, { serverId: serverB.id, id: schedule.id })).asOf).not.toBeNull();
        }
      }
    }
    expect((await service.invoke('reports.deletedForCustomer', { serverId: serverB.id, id: customer.id })).asOf).not.toBeNull();

    const refused = await failure(service.invoke('customers.update', { serverId: serverB.id, id: customer.id, patch: { email: 'x@b.example' } }));
    expect(refused.code).toBe('OFFLINE');
    expect(refused.message).toBe('Server "Server B" is offline — changes are disabled until it is back.');

    expect(statesOf(events, serverB.id)).toContain('offline');
    expect(statesOf(events, serverA.id)).not.toContain('offline');
    // The last failure B's connection saw may still be a timeout from while it was frozen; its reconnect
    // attempts (every ≤ 500 ms here) find it stopped.
    const views = await until(async () => {
      const list = await service.invoke('servers.list', {});
      return /^Cannot reach "Server B"/.test(list[1]?.problem ?? '') && list;
    }, 'B to be reported unreachable');
    expect(views.map((v) => v.state)).toEqual(['online', 'offline']);
    expect(views[1]!.problem).toMatch(/^Cannot reach "Server B"/);
  });

  it('notices when the stopped server is back', async () => {
    b = await restart(b);
    await until(() => statesOf(events, serverB.id).at(-1) === 'online', 'B online again');
    expect((await service.invoke('resellers.list', { serverId: serverB.id })).asOf).toBeNull();
  });

  it('signs in again with the stored password when its token was revoked', async () => {
    const before = (await rememberToken(serverA.id))!;
    expect(await revokeSession(a.url, before)).toBe(204);
    const read = await service.invoke('customers.list', { serverId: serverA.id, id: (await service.invoke('resellers.list', { serverId: serverA.id })).data.items[0]!.id });
    expect(read.asOf).toBeNull();
    const after = await rememberToken(serverA.id);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect((await service.invoke('servers.list', {}))[0]!.state).toBe('online');
  });

  it('blocks a server whose certificate changed, showing both fingerprints, until the user trusts the new one', async () => {
    c = await startServer({ http: false, args: SERVER_ARGS });
    const serverC = await add(c, 'Server C');
    const resellers = await service.invoke('resellers.list', { serverId: serverC.id });
    const oldPrint = c.fingerprint;

    await c.stop();
    fs.rmSync(path.join(c.dataDir, 'tls'), { recursive: true, force: true });
    c = await restart(c);
    const newPrint = c.fingerprint;
    expect(newPrint).not.toBe(oldPrint);

    const view = await service.invoke('servers.connect', { serverId: serverC.id });
    expect(view.state).toBe('certificate-changed');
    expect(view.problem).toContain(oldPrint);
    expect(view.problem).toContain(newPrint);
    expect(view.fingerprint).toBe(oldPrint);
    // Reads fail too, even those in the cache: the user decides first.
    const blocked = await failure(service.invoke('resellers.list', { serverId: serverC.id }));
    expect(blocked).toMatchObject({ code: 'CERTIFICATE_CHANGED', details: { pinned: oldPrint, presented: newPrint } });
    expect((await failure(service.invoke('maintenance.run', { serverId: serverC.id }))).code).toBe('CERTIFICATE_CHANGED');
    expect(await service.invoke('servers.probe', { url: c.url })).toEqual({ fingerprint: newPrint, pinned: oldPrint });
    // Other servers are untouched.
    expect((await service.invoke('resellers.list', { serverId: serverA.id })).asOf).toBeNull();

    const trusted = await service.invoke('servers.trust', { serverId: serverC.id, fingerprint: newPrint });
    expect(trusted).toMatchObject({ state: 'online', fingerprint: newPrint, problem: null });
    expect(await service.invoke('resellers.list', { serverId: serverC.id })).toEqual({ data: resellers.data, asOf: null });
    await rememberToken(serverC.id);
  });

  it('works as a reseller login too, seeing only its own customers', async () => {
    const reseller = await add(a, 'Server A (Northwind)', 'Northwind IT', RESELLER_PASSWORD);
    expect(reseller).toMatchObject({ role: 'reseller', resellerId: expect.any(String) });
    const own = await service.invoke('customers.list', { serverId: reseller.id, id: reseller.resellerId!, query: { limit: 1000 } });
    expect(own.data.total).toBeGreaterThan(0);
    expect((await failure(service.invoke('resellers.list', { serverId: reseller.id }))).code).toBe('FORBIDDEN');
    await service.invoke('servers.remove', { serverId: reseller.id });
  });

  it('leaves no password or token in the settings file, the cache file or the logs', async () => {
    for (const view of await service.invoke('servers.list', {})) await rememberToken(view.id);
    expect(tokens.size).toBeGreaterThanOrEqual(4);
    const files = filesUnder(dataDir);
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['config.json', 'offline-cache.sqlite']));
    // The cache is not empty: the audit is of real content.
    expect((await service.invoke('offline.size', {})).bytes).toBeGreaterThan(10_000);
    const secrets = Object.fromEntries([['the admin password', ADMIN_PASSWORD], ['the reseller password', RESELLER_PASSWORD], ...[...tokens].map((t, i) => [`token ${i}`, t])]);
    expectNoSecrets(Object.fromEntries(files.map((file) => [file, fs.readFileSync(file)])), secrets);
    expectNoSecrets({ 'the console log': logs.join('\n'), 'the events': JSON.stringify(events) }, secrets);
    // The servers' logs carry no token either (they never log headers).
    expectNoSecrets({ 'server A output': a.output(), 'server B output': b.output() }, Object.fromEntries([...tokens].map((t, i) => [`token ${i}`, t])));
  });
});

describe('demo mode', () => {
  it('starts the embedded server, registers it once, connects, and stops it on close', async () => {
    const dataDir = await tempDir('core-demo-');
    // Kept across the two runs, as the keychain would be.
    const vault = new CredentialVault(new MemorySecretStore());
    const logs: string[] = [];
    const open = () => ConsoleService.open({ ...TUNING, dataDir, host: 'electron', vault, demo: true, log: (line) => logs.push(line) });
    let service = await open();
    try {
      const [demo] = await service.invoke('servers.list', {});
      expect(demo).toMatchObject({ name: DEMO_SERVER_NAME, username: 'admin', url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const online = await until(async () => (await service.invoke('servers.connect', { serverId: demo!.id })).state === 'online', 'the demo server online');
      expect(online).toBe(true);
      expect(await service.invoke('app.info', {})).toMatchObject({ demo: true, host: 'electron' });
      const resellers = await service.invoke('resellers.list', { serverId: demo!.id });
      expect(resellers.data.items.map((r) => r.name)).toEqual(expect.arrayContaining(['Contoso Managed Services', 'Fabrikam Cloud', 'Northwind IT']));
      const password = await vault.getPassword(demo!.id);
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const created = await service.invoke('customers.create', { serverId: demo!.id, resellerId: resellers.data.items[0]!.id, input: { name: 'Made In The Demo' } });

      await service.close();
      expect((await failure(probeFingerprint(demo!.url, 2_000))).code).toBe('OFFLINE');

      // Second run: the same entry, a new port, the same data.
      service = await open();
      const [again] = await service.invoke('servers.list', {});
      expect(again!.id).toBe(demo!.id);
      expect(again!.url).not.toBe(demo!.url);
      expect(again!.fingerprint).toBe(demo!.fingerprint);
      await until(async () => (await service.invoke('servers.connect', { serverId: demo!.id })).state === 'online', 'the demo server online again');
      expect((await service.invoke('customers.get', { serverId: demo!.id, id: created.id })).data.name).toBe('Made In The Demo');
      expect(logs.join('\n')).not.toContain(password!);
      const settings = fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8');
      expect(settings).not.toContain(password!);
    } finally {
      await service.close();
      await removeDir(dataDir);
    }
  }, 180_000);
});

/** Why the keychain test cannot run here, or null when it must (under CI a missing keychain fails it). */
async function keychainAbsence(): Promise<string | null> {
  try {
    await openVault({ allowMemory: false });
    return null;
  } catch (error) {
    if (error instanceof KeychainUnavailableError && !process.env['CI']) return `no OS keychain here (${error.problem}); run under dbus-run-session with gnome-keyring, as CI does.`;
    return null;
  }
}
const noKeychain = await keychainAbsence();

describe('on the OS keychain', () => {
  it.skipIf(noKeychain !== null)('keeps credentials in the keychain only, and reuses the token after a restart', async () => {
    const server = await startServer({ http: false, args: SERVER_ARGS });
    const dataDir = await tempDir('core-console-keychain-');
    const logs: string[] = [];
    const open = () => ConsoleService.open({ ...TUNING, dataDir, host: 'browser', log: (line) => logs.push(line) });
    let service = await open();
    try {
      expect(await service.invoke('app.info', {})).toMatchObject({ keychain: 'keychain', keychainProblem: null });
      const view = await service.invoke('servers.add', { name: 'Keychain', url: server.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: server.fingerprint });
      const keytar = (await import('keytar')).default;
      const token = await keytar.getPassword(KEYCHAIN_SERVICE, `${view.id}:token`);
      expect(await keytar.getPassword(KEYCHAIN_SERVICE, view.id)).toBe(ADMIN_PASSWORD);
      expect(token).toBeTruthy();
      await service.invoke('resellers.list', { serverId: view.id });
      await service.close();

      service = await open();
      const reconnected = await service.invoke('servers.connect', { serverId: view.id });
      expect(reconnected.state).toBe('online');
      // The kept token was good: no new sign-in.
      expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${view.id}:token`)).toBe(token);
      expectNoSecrets(Object.fromEntries([...filesUnder(dataDir).map((f) => [f, fs.readFileSync(f)]), ['the console log', logs.join('\n')]]), { password: ADMIN_PASSWORD, token: token! });

      await service.invoke('servers.remove', { serverId: view.id });
      expect(await keytar.getPassword(KEYCHAIN_SERVICE, view.id)).toBeNull();
      expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${view.id}:token`)).toBeNull();
    } finally {
      await service.close();
      await server.kill();
      await removeDir(server.dataDir);
      await removeDir(dataDir);
    }
  }, 120_000);
});
