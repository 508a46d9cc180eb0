/**
 * The server process and its data dir: clean stop and restart, SIGKILL in the middle of a burst of
 * writes, TLS by default with the printed fingerprint, the loopback-only `--http`, and the generated
 * admin password. Each test runs its own server process(es) on its own temp data dir; each starts the
 * server more than once, hence the longer timeouts.
 */
import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRegistered, AuditEntry, Client, ClientCreated, Customer, List, Reseller, ServerInfo, TrialSettings } from '../../src-shared/api/index.js';
import { TestClient, type ApiResponse } from '../support/api-client.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';
import { ok } from '../support/api-assert.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src-server/cli.ts');

const normalize = (fingerprint: string) => fingerprint.replaceAll(':', '').toLowerCase();
const dbFile = (dataDir: string) => path.join(dataDir, 'server.sqlite');

/** Opens the database of a stopped server, runs `fn`, closes it. */
function withDatabase<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbFile(dataDir));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

interface CliRun {
  output: () => string;
  /** Resolves with the `listening` line, or rejects when the process exits first. */
  listening: Promise<string>;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/** Runs the server CLI as a user would, with exactly the given flags and environment. */
function runCli(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const line = output.split('\n').find((l) => l.startsWith('listening '));
      if (line) resolve(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  listening.catch(() => undefined);
  return {
    output: () => output,
    listening,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The environment without the admin password variable, so only the flags decide. */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  if (!('BACKUP_SERVER_ADMIN_PASSWORD' in extra)) delete env.BACKUP_SERVER_ADMIN_PASSWORD;
  return env;
};

const running: RunningServer[] = [];
const dirs: string[] = [];
async function start(options: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  const server = await startServer(options);
  running.push(server);
  if (!dirs.includes(server.dataDir)) dirs.push(server.dataDir);
  return server;
}

afterEach(async () => {
  for (const s of running.splice(0)) if (s.process.exitCode === null && s.process.signalCode === null) await s.kill();
  for (const d of dirs.splice(0)) await removeDir(d);
});

describe('restart persistence', () => {
  it('SIGTERM exits 0; a restart on the same data dir has every change, and the old tokens still work', { timeout: 120_000 }, async () => {
    const first = await start({ args: ['--mcals', '7', '--log-level', 'info'] });
    const admin = await new TestClient(first.api).login();
    const reseller = ok(await admin.post<Reseller>('/resellers', { name: 'Persistent Partner', password: 'partner-password-1' }), 201);
    const partner = await new TestClient(first.api).login('Persistent Partner', 'partner-password-1');
    const customer = ok(await partner.post<Customer>(`/resellers/${reseller.id}/customers`, { name: 'Durable Dental', mcalsAllotted: 2, spaceAllotted: 123456789 }), 201);
    const { client, registrationKey } = ok(await partner.post<ClientCreated>(`/customers/${customer.id}/clients`, { name: 'RECEPTION' }), 201);
    const authorized = ok(await partner.post<Client>(`/clients/${client.id}/authorize`));
    const agent = ok(await new TestClient(first.api).post<AgentRegistered>('/agent/register', { name: 'RECEPTION', key: registrationKey, hostname: 'reception' }), 201);
    const trial = ok(await new TestClient(first.api).post<AgentRegistered>('/agent/register', { name: 'TRIAL-BOX', trial: true }), 201);
    ok(await admin.patch('/server', { name: 'Persistent Server' }));
    ok(await admin.put('/trial-settings', { spaceBytes: 1024, trialDays: 9, deleteAfterDays: 3 }));
    const expected = {
      info: ok(await admin.get<ServerInfo>('/server')),
      reseller: ok(await admin.get<Reseller>(`/resellers/${reseller.id}`)),
      customer: ok(await admin.get<Customer>(`/customers/${customer.id}`)),
      clients: ok(await admin.get<List<Client>>(`/customers/${customer.id}/clients`)),
      trials: ok(await admin.get<List<Client>>('/trial-clients')),
      audit: ok(await admin.get<List<AuditEntry>>('/audit-log?limit=1000')),
    };
    expect(expected.info).toMatchObject({ name: 'Persistent Server', mcalPool: { total: 7, allotted: 2, used: 1 } });
    expect(expected.audit.total).toBeGreaterThanOrEqual(6);

    expect(await first.stop()).toBe(0);
    // Secrets never reach the logs, even at level info.
    const log = first.output();
    expect(log).toMatch(/SIGTERM/);
    for (const secret of [ADMIN_PASSWORD, 'partner-password-1', admin.token!, partner.token!, registrationKey, agent.token, trial.token]) expect(log).not.toContain(secret);
    expect(withDatabase(first.dataDir, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');

    // `--mcals` applies to a new data dir only.
    const second = await start({ dataDir: first.dataDir, args: ['--mcals', '99'] });
    const adminAgain = new TestClient(second.api, admin.token);
    const partnerAgain = new TestClient(second.api, partner.token);
    expect(ok(await adminAgain.get<ServerInfo>('/server'))).toEqual(expected.info);
    expect(ok(await adminAgain.get<Reseller>(`/resellers/${reseller.id}`))).toEqual(expected.reseller);
    expect(ok(await partnerAgain.get<Customer>(`/customers/${customer.id}`))).toEqual(expected.customer);
    expect(ok(await partnerAgain.get<List<Client>>(`/customers/${customer.id}/clients`))).toEqual(expected.clients);
    expect(expected.clients.items).toEqual([{ ...authorized, hostname: 'reception' }]);
    expect(ok(await adminAgain.get<List<Client>>('/trial-clients'))).toEqual(expected.trials);
    expect(ok(await adminAgain.get<TrialSettings>('/trial-settings'))).toEqual({ spaceBytes: 1024, trialDays: 9, deleteAfterDays: 3 });
    expect(ok(await adminAgain.get<List<AuditEntry>>('/audit-log?limit=1000'))).toEqual(expected.audit);
    // Logins still work, and a used registration key stays used.
    await new TestClient(second.api).login('Persistent Partner', 'partner-password-1');
    expect((await new TestClient(second.api).post('/agent/register', { name: 'AGAIN', key: registrationKey })).status).toBe(401);
    expect(await second.stop()).toBe(0);
  });
});

describe('SIGKILL during a burst of writes', () => {
  it('restarts to a database that passes integrity_check and holds every acknowledged write', { timeout: 120_000 }, async () => {
    const server = await start({ args: ['--maintenance-interval', '0'] });
    const admin = await new TestClient(server.api).login();
    const TOTAL = 200;
    const IN_FLIGHT = 10;
    const KILL_AFTER = 100;
    const acknowledged: string[] = [];
    let killed: Promise<void> | null = null;
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        const name = `Burst Customer ${String(next++).padStart(3, '0')}`;
        try {
          const res = await admin.post('/resellers/default/customers', { name, mcalsAllotted: 0, email: 'burst@example.com' });
          if (res.status === 201) acknowledged.push(name);
          if (acknowledged.length >= KILL_AFTER && !killed) killed = server.kill();
        } catch {
          // The connection died with the server: this write was never acknowledged.
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await killed;
    expect(server.process.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acknowledged.length).toBeLessThan(TOTAL);

    // The file as the crash left it (SQLite replays the WAL on open).
    const stored = withDatabase(server.dataDir, (db) => {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const names = (db.prepare('SELECT name FROM customers').all() as { name: string }[]).map((r) => r.name);
      const audited = (db.prepare("SELECT object_name AS name FROM audit_log WHERE action = 'customer.create'").all() as { name: string }[]).map((r) => r.name);
      // A customer and its audit entry commit together or not at all.
      expect(audited.sort()).toEqual([...names].sort());
      return names;
    });
    expect(stored).toEqual(expect.arrayContaining(acknowledged));
    expect(stored.length).toBeLessThanOrEqual(acknowledged.length + IN_FLIGHT);

    const restarted = await start({ dataDir: server.dataDir });
    const again = new TestClient(restarted.api, admin.token);
    const list = ok(await again.get<List<Customer>>('/resellers/default/customers?limit=1000'));
    expect(list.total).toBe(stored.length);
    expect(list.items.map((c) => c.name)).toEqual(expect.arrayContaining(acknowledged));
    expect(ok(await again.get<Reseller>('/resellers/default')).customerCount).toBe(stored.length);
    // The server goes on writing where it stopped.
    ok(await again.post('/resellers/default/customers', { name: 'After The Crash' }), 201);
    expectNameTaken(await again.post('/resellers/default/customers', { name: acknowledged[0]!.toUpperCase() }));

    // SIGTERM in the middle of another burst: in-flight requests finish or fail, the exit is clean.
    const second: string[] = [];
    let stopped: Promise<number | null> | null = null;
    let n = 0;
    const stopper = async () => {
      while (n < 100) {
        const name = `Second Burst ${n++}`;
        try {
          if ((await again.post('/resellers/default/customers', { name })).status === 201) second.push(name);
          if (second.length >= 30 && !stopped) stopped = restarted.stop();
        } catch {
          // refused once the server stopped listening
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, stopper));
    expect(await stopped).toBe(0);
    const afterStop = withDatabase(server.dataDir, (db) => {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      return (db.prepare('SELECT name FROM customers').all() as { name: string }[]).map((r) => r.name);
    });
    expect(afterStop).toEqual(expect.arrayContaining([...acknowledged, 'After The Crash', ...second]));
  });
});

function expectNameTaken(res: ApiResponse): void {
  expect(res.status).toBe(409);
  expect((res.body as { error: { code: string } }).error.code).toBe('NAME_TAKEN');
}

/** The certificate a TLS server presents, read without trusting it. */
function peerCertificate(url: string): Promise<X509Certificate> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert);
      else reject(new Error('no peer certificate'));
    });
    socket.once('error', reject);
  });
}

/** A JSON request over HTTPS that trusts exactly the given certificate. */
function httpsJson<T = unknown>(method: string, url: string, ca: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const req = https.request(url, { method, ca, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as T }));
    });
    req.once('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('TLS by default', () => {
  it('prints the SHA-256 fingerprint of the certificate it presents, which is tls/cert.pem in the data dir', { timeout: 120_000 }, async () => {
    const server = await start({ http: false });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const presented = await peerCertificate(server.url);
    expect(normalize(presented.fingerprint256)).toBe(server.fingerprint);
    expect(createHash('sha256').update(presented.raw).digest('hex')).toBe(server.fingerprint);

    const pem = await readFile(path.join(server.dataDir, 'tls', 'cert.pem'), 'utf8');
    const onDisk = new X509Certificate(pem);
    expect(normalize(onDisk.fingerprint256)).toBe(server.fingerprint);
    expect(onDisk.raw.equals(presented.raw)).toBe(true);
    // The private key is readable by the server's user only.
    expect((await stat(path.join(server.dataDir, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600);

    // A client that pins this certificate talks to the API.
    const res = await httpsJson('GET', `${server.api}/server`, pem);
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });

    // The certificate is made once: a restart presents the same one.
    expect(await server.stop()).toBe(0);
    const again = await start({ dataDir: server.dataDir, http: false });
    expect(again.fingerprint).toBe(server.fingerprint);
    expect(normalize((await peerCertificate(again.url)).fingerprint256)).toBe(server.fingerprint);
    expect(await again.stop()).toBe(0);
  });

  it('serves the certificate given with --tls-cert/--tls-key, takes the admin password from the environment, and marks --cloud', { timeout: 120_000 }, async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const pems = await generate([{ name: 'commonName', value: 'backup.example.test' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const certFile = path.join(dataDir, 'given-cert.pem');
    const keyFile = path.join(dataDir, 'given-key.pem');
    await writeFile(certFile, pems.cert);
    await writeFile(keyFile, pems.private, { mode: 0o600 });
    const run = runCli(
      ['--data-dir', path.join(dataDir, 'data'), '--port', '0', '--tls-cert', certFile, '--tls-key', keyFile, '--cloud'],
      cleanEnv({ BACKUP_SERVER_ADMIN_PASSWORD: 'from-the-environment' }),
    );
    try {
      const [, url, fingerprint] = /^listening (\S+) fingerprint=(\S+)$/.exec(await run.listening)!;
      expect(fingerprint).toBe(normalize(new X509Certificate(pems.cert).fingerprint256));
      expect(normalize((await peerCertificate(url!)).fingerprint256)).toBe(fingerprint);
      expect(existsSync(path.join(dataDir, 'data', 'tls'))).toBe(false); // nothing self-signed was made
      expect(run.output()).not.toMatch(/admin password/);
      const session = await httpsJson<{ token: string }>('POST', `${url}/api/v1/session`, pems.cert, { username: 'admin', password: 'from-the-environment' });
      expect(session.status).toBe(200);
      const info = await httpsJson<ServerInfo>('GET', `${url}/api/v1/server`, pems.cert, undefined, session.body.token);
      expect(info.body).toMatchObject({ deployment: 'cloud', features: { replication: false, seedMigration: false } });
    } catch (error) {
      await run.stop();
      throw error;
    }
    expect(await run.stop()).toBe(0);
  });

  it('refuses --http on a host that is not loopback: exit 1 with a message, nothing created', { timeout: 120_000 }, async () => {
    const parent = await tempDir();
    dirs.push(parent);
    const runs = ['0.0.0.0', '192.0.2.10'].map((host) => {
      const dataDir = path.join(parent, host);
      return { dataDir, run: runCli(['--data-dir', dataDir, '--http', '--host', host, '--port', '0', '--admin-password', ADMIN_PASSWORD], cleanEnv()) };
    });
    for (const { dataDir, run } of runs) {
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(/--http/);
      expect(run.output()).toMatch(/loopback/);
      expect(run.output()).not.toMatch(/listening/);
      expect(existsSync(dataDir)).toBe(false);
    }
  });
});

describe('admin password', () => {
  it('is generated and printed once when none is given, and later starts keep it (and may switch to --cloud)', { timeout: 120_000 }, async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    // An empty variable counts as not set.
    const first = runCli(['--data-dir', dataDir, '--http', '--port', '0'], cleanEnv({ BACKUP_SERVER_ADMIN_PASSWORD: '' }));
    let password: string;
    try {
      const url = /^listening (\S+) /.exec(await first.listening)![1]!;
      const printed = first.output().match(/^admin password \(shown once\): (\S+)$/gm) ?? [];
      expect(printed.length).toBe(1);
      password = printed[0]!.split(': ')[1]!;
      expect(password.length).toBeGreaterThanOrEqual(16);
      const admin = await new TestClient(`${url}/api/v1`).login('admin', password);
      expect(ok(await admin.get<ServerInfo>('/server')).deployment).toBe('on-premise');
    } catch (error) {
      await first.stop();
      throw error;
    }
    expect(await first.stop()).toBe(0);

    // A later start prints no password and ignores --admin-password: the stored one stays.
    const second = await start({ dataDir, args: ['--cloud'] });
    expect(second.output()).not.toMatch(/admin password/);
    const again = await new TestClient(second.api).login('admin', password);
    // --cloud also applies to an existing data dir.
    expect(ok(await again.get<ServerInfo>('/server'))).toMatchObject({ deployment: 'cloud', features: { replication: false, seedMigration: false } });
    expect((await new TestClient(second.api).post('/session', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(401);
    expect(await second.stop()).toBe(0);
  });
});
