/**
 * The server client against small test peers on 127.0.0.1 that misbehave on purpose (errors, 5xx, 429,
 * resets, silence, another certificate): the retry, re-login, error mapping and pinning rules of
 * server-client.ts. The client against the real server is covered by the integration tests.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { ServerInfo } from '../../src-shared/api/session.js';
import { BridgeError } from '../../src-shared/bridge.js';
import { loadTls, type TlsMaterial } from '../../src-server/tls.js';
import { ServerClient, queryString, type ClientTuning } from '../../src-main/core/server-client.js';
import { CertificateChangedError, UntrustedCertificateError, probeFingerprint } from '../../src-main/core/tls-pin.js';
import { normalizeFingerprint } from '../../src-shared/pinned-tls.js';
import { CredentialVault, MemorySecretStore } from '../../src-main/core/vault.js';

const PASSWORD = 'peer-password-1234';
const INFO: ServerInfo = {
  id: '6f1c2b9e-3d4a-4e5b-8c7d-9a0b1c2d3e4f',
  name: 'Peer',
  version: '1.0.0',
  deployment: 'on-premise',
  resellerManagement: true,
  mcalPool: { total: 10, allotted: 0, used: 0 },
  features: { replication: true, seedMigration: true },
};
const FAST: ClientTuning = { timeoutMs: 1_000, retries: 2, retryBaseMs: 10, retryMaxMs: 100 };

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A peer speaking just enough of API.md: POST /session, and whatever `route` answers. It issues one token per sign-in. */
class Peer {
  readonly seen: Seen[] = [];
  route: Handler = (_req, res) => json(res, 200, INFO);
  tokens = new Set<string>();
  signIns = 0;
  private server: http.Server | https.Server;

  constructor(tlsMaterial?: TlsMaterial) {
    const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
        if (req.method === 'POST' && req.url === '/api/v1/session') {
          const login = JSON.parse(body) as { username: string; password: string };
          if (login.password !== PASSWORD) return json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password.' } });
          this.signIns++;
          const token = `token-${this.signIns}-${'x'.repeat(20)}`;
          this.tokens.add(token);
          return json(res, 200, { token, role: 'admin', resellerId: null, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
        }
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
        if (!this.tokens.has(token)) return json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } });
        this.route(req, res, body);
      });
    };
    this.server = tlsMaterial ? https.createServer({ key: tlsMaterial.key, cert: tlsMaterial.cert }, handle) : http.createServer(handle);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const scheme = this.server instanceof https.Server ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests other than sign-ins. */
  requests(): Seen[] {
    return this.seen.filter((s) => s.url !== '/api/v1/session');
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const peers: Peer[] = [];
const clients: ServerClient[] = [];
let tlsDir: string;
let tlsA: TlsMaterial;
let tlsB: TlsMaterial;

beforeAll(async () => {
  tlsDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'core-client-tls-'));
  [tlsA, tlsB] = await Promise.all([loadTls(path.join(tlsDir, 'a')), loadTls(path.join(tlsDir, 'b'))]);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

afterAll(async () => {
  await fs.promises.rm(tlsDir, { recursive: true, force: true });
});

async function setup(options: { tls?: TlsMaterial; pin?: string | null; password?: string | null; tuning?: ClientTuning } = {}) {
  const peer = new Peer(options.tls);
  peers.push(peer);
  const url = await peer.listen();
  const vault = new CredentialVault(new MemorySecretStore());
  if (options.password !== null) await vault.setPassword('srv', options.password ?? PASSWORD);
  const identities: unknown[] = [];
  const client = new ServerClient({
    ...FAST,
    ...options.tuning,
    serverId: 'srv',
    label: `"Peer" (${url})`,
    url,
    username: 'admin',
    fingerprint: options.pin === undefined ? (options.tls?.fingerprint ?? null) : options.pin,
    credentials: vault,
    onSignIn: (identity) => identities.push(identity),
  });
  clients.push(client);
  return { peer, url, vault, client, identities };
}

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

describe('sign-in and tokens', () => {
  it('signs in with the stored password on first use, keeps the token in the vault and reuses it', async () => {
    const { peer, vault, client, identities } = await setup();
    expect(await client.request('GET', '/server', { schema: ServerInfo })).toEqual(INFO);
    expect(await client.request('GET', '/server', { schema: ServerInfo })).toEqual(INFO);
    expect(peer.signIns).toBe(1);
    const token = await vault.getToken('srv');
    expect(peer.tokens.has(token!)).toBe(true);
    expect(peer.requests().map((r) => r.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
    expect(identities).toEqual([{ role: 'admin', resellerId: null }]);
  });

  it('reuses a token from the vault without signing in (a restart)', async () => {
    const { peer, vault, client } = await setup();
    peer.tokens.add('kept-token-from-last-run-0000');
    await vault.setToken('srv', 'kept-token-from-last-run-0000');
    await client.request('GET', '/server', { schema: ServerInfo });
    expect(peer.signIns).toBe(0);
  });

  it('signs in again once when the token expired or was revoked, and retries the request (writes too)', async () => {
    const { peer, vault, client } = await setup();
    await client.request('GET', '/server', { schema: ServerInfo });
    peer.tokens.clear(); // the server forgot every session
    peer.route = (req, res) => json(res, 200, req.method === 'POST' ? { ok: true } : INFO);
    expect(await client.request('POST', '/anything', { schema: Type.Object({ ok: Type.Boolean() }), body: { a: 1 } })).toEqual({ ok: true });
    expect(peer.signIns).toBe(2);
    expect(peer.tokens.has((await vault.getToken('srv'))!)).toBe(true);
    // The write was sent twice: rejected at authentication, then carried out.
    expect(peer.requests().filter((r) => r.method === 'POST').map((r) => r.body)).toEqual(['{"a":1}', '{"a":1}']);
  });

  it('signs in only once when several requests find their token expired together', async () => {
    const { peer, client } = await setup();
    await client.request('GET', '/server', { schema: ServerInfo });
    peer.tokens.clear();
    await Promise.all(Array.from({ length: 5 }, () => client.request('GET', '/server', { schema: ServerInfo })));
    expect(peer.signIns).toBe(2);
  });

  it('reports NOT_SIGNED_IN without a stored password, and when the server rejects it', async () => {
    const none = await setup({ password: null });
    const missing = await failure(none.client.request('GET', '/server', { schema: ServerInfo }));
    expect(missing.code).toBe('NOT_SIGNED_IN');
    expect(none.peer.seen).toEqual([]);

    const wrong = await setup({ password: 'not-the-password' });
    const rejected = await failure(wrong.client.request('GET', '/server', { schema: ServerInfo }));
    expect(rejected.code).toBe('NOT_SIGNED_IN');
    expect(rejected.message).toContain('Wrong username or password.');
    expect(rejected.message).not.toContain('not-the-password');
  });
});

describe('errors', () => {
  it("maps an API error body to a BridgeError with the server's code, message and details", async () => {
    const { peer, client } = await setup();
    peer.route = (_req, res) => json(res, 409, { error: { code: 'NAME_TAKEN', message: 'A customer named "Acme" exists.', details: { field: 'name' } } });
    const error = await failure(client.request('POST', '/resellers/r/customers', { schema: ServerInfo, body: { name: 'Acme' } }));
    expect(error.toJSON()).toEqual({ code: 'NAME_TAKEN', message: 'A customer named "Acme" exists.', details: { field: 'name' } });
  });

  it('reports OFFLINE when nothing listens, without retrying', async () => {
    const { peer, url } = await setup();
    await peer.close();
    peers.splice(peers.indexOf(peer), 1);
    const vault = new CredentialVault(new MemorySecretStore());
    await vault.setToken('srv', 'some-token-0000000000');
    // A backoff of seconds: had the refused connection been retried, this would take over 2.5 s.
    const client = new ServerClient({ ...FAST, retryBaseMs: 5_000, retryMaxMs: 5_000, serverId: 'srv', label: '"Gone"', url, username: 'admin', fingerprint: null, credentials: vault });
    clients.push(client);
    const started = Date.now();
    const error = await failure(client.request('GET', '/server', { schema: ServerInfo }));
    expect(error.code).toBe('OFFLINE');
    expect(error.message).toMatch(/^Cannot reach "Gone": nothing is listening/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports TIMEOUT when the server does not answer in time', async () => {
    const { peer, client } = await setup({ tuning: { timeoutMs: 300 } });
    await client.request('GET', '/server', { schema: ServerInfo });
    peer.route = () => undefined; // never answers
    const error = await failure(client.request('GET', '/server', { schema: ServerInfo }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('did not answer within 0.3 s');
    // Timeouts are not retried: a GET that took the whole timeout would take it three times.
    expect(peer.requests()).toHaveLength(2);
  });

  it('maps 502/503/504 without an API body to OFFLINE, and rejects answers that do not match the schema', async () => {
    const { peer, client } = await setup({ tuning: { retries: 0 } });
    peer.route = (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<h1>Service Unavailable</h1>');
    };
    expect((await failure(client.request('GET', '/server', { schema: ServerInfo }))).code).toBe('OFFLINE');
    peer.route = (_req, res) => json(res, 200, { name: 'Peer' });
    const mismatch = await failure(client.request('GET', '/server', { schema: ServerInfo }));
    expect(mismatch.code).toBe('INTERNAL');
    expect(mismatch.message).toContain('does not understand');
  });

  it('never puts the password or the token into an error message', async () => {
    const { peer, vault, client } = await setup();
    await client.request('GET', '/server', { schema: ServerInfo });
    const token = (await vault.getToken('srv'))!;
    const messages: string[] = [];
    for (const status of [400, 403, 500]) {
      peer.route = (_req, res) => json(res, status, { error: { code: 'X', message: 'no' } });
      messages.push((await failure(client.request('GET', '/x', { schema: ServerInfo, retry: false }))).message);
    }
    peer.tokens.clear();
    await vault.setPassword('srv', 'wrong-password-here');
    const rejected = await failure(client.request('GET', '/server', { schema: ServerInfo }));
    messages.push(rejected.message, JSON.stringify(rejected.toJSON()));
    for (const message of messages) {
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain('wrong-password-here');
      expect(message).not.toContain(token);
    }
  });
});

describe('bodies', () => {
  it('sends JSON bodies as JSON, and a bodyless POST with no content type (the server refuses a form)', async () => {
    const { peer, client } = await setup();
    peer.route = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    expect(await client.request('POST', '/clients/c1/authorize', { schema: Type.Null() })).toBeNull();
    expect(await client.request('PATCH', '/clients/c1', { schema: Type.Null(), body: { name: 'PC' } })).toBeNull();
    expect(peer.requests().map((r) => [r.method, r.contentType, r.body])).toEqual([
      ['POST', undefined, ''],
      ['PATCH', 'application/json', '{"name":"PC"}'],
    ]);
  });
});

describe('retries', () => {
  it('retries a GET on 5xx with backoff, up to the configured attempts', async () => {
    const { peer, client } = await setup();
    let calls = 0;
    peer.route = (_req, res) => (++calls < 3 ? json(res, 500, { error: { code: 'INTERNAL', message: 'hiccup' } }) : json(res, 200, INFO));
    expect(await client.request('GET', '/server', { schema: ServerInfo })).toEqual(INFO);
    expect(calls).toBe(3);

    calls = 0;
    peer.route = (_req, res) => {
      calls++;
      json(res, 500, { error: { code: 'INTERNAL', message: 'down for good' } });
    };
    const error = await failure(client.request('GET', '/server', { schema: ServerInfo }));
    expect(error.message).toBe('down for good');
    expect(calls).toBe(3);
  });

  it('never retries a write, whatever the failure', async () => {
    const { peer, client } = await setup();
    let calls = 0;
    peer.route = (_req, res) => {
      calls++;
      json(res, 503, { error: { code: 'INTERNAL', message: 'busy' } });
    };
    await failure(client.request('POST', '/customers', { schema: ServerInfo, body: {} }));
    await failure(client.request('PATCH', '/customers/c', { schema: ServerInfo, body: {} }));
    expect(calls).toBe(2);
  });

  it('honours a short Retry-After on 429 and gives up on a long one', async () => {
    const { peer, client } = await setup({ tuning: { retryMaxMs: 2_000 } });
    let calls = 0;
    const times: number[] = [];
    peer.route = (_req, res) => {
      times.push(Date.now());
      if (++calls === 1) return json(res, 429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }, { 'retry-after': '1' });
      json(res, 200, INFO);
    };
    expect(await client.request('GET', '/server', { schema: ServerInfo })).toEqual(INFO);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);

    calls = 0;
    peer.route = (_req, res) => {
      calls++;
      json(res, 429, { error: { code: 'RATE_LIMITED', message: 'come back in an hour', details: { retryAfterSeconds: 3600 } } });
    };
    expect((await failure(client.request('GET', '/server', { schema: ServerInfo }))).code).toBe('RATE_LIMITED');
    expect(calls).toBe(1);
  });

  it('retries a GET whose connection was reset', async () => {
    const { peer, client } = await setup();
    await client.request('GET', '/server', { schema: ServerInfo });
    let calls = 0;
    peer.route = (req, res) => (++calls === 1 ? req.socket.destroy() : json(res, 200, INFO));
    expect(await client.request('GET', '/server', { schema: ServerInfo })).toEqual(INFO);
    expect(calls).toBe(2);
  });
});

describe('certificate pinning', () => {
  it('talks to a server presenting the pinned certificate', async () => {
    const { client } = await setup({ tls: tlsA });
    expect(await client.request('GET', '/server', { schema: ServerInfo })).toEqual(INFO);
  });

  it('fails closed on another certificate, naming both fingerprints, before sending anything', async () => {
    const { peer, client } = await setup({ tls: tlsB, pin: tlsA.fingerprint });
    const error = await failure(client.request('GET', '/server', { schema: ServerInfo }));
    expect(error).toBeInstanceOf(CertificateChangedError);
    expect(error.code).toBe('CERTIFICATE_CHANGED');
    expect(error.details).toEqual({ pinned: tlsA.fingerprint, presented: tlsB.fingerprint });
    expect(error.message).toContain(tlsA.fingerprint);
    expect(error.message).toContain(tlsB.fingerprint);
    // Not even the sign-in (with its password) reached the impostor.
    expect(peer.seen).toEqual([]);
  });

  it('sends nothing to an https server whose certificate was never trusted', async () => {
    const { peer, client } = await setup({ tls: tlsA, pin: null });
    const error = await failure(client.request('GET', '/server', { schema: ServerInfo }));
    expect(error).toBeInstanceOf(UntrustedCertificateError);
    expect(error.details).toEqual({ pinned: null, presented: tlsA.fingerprint });
    expect(peer.seen).toEqual([]);
  });

  it('probes the presented fingerprint for trust on first use (none for http)', async () => {
    const tlsPeer = await setup({ tls: tlsA });
    expect(await probeFingerprint(tlsPeer.url)).toBe(tlsA.fingerprint);
    expect(tlsPeer.peer.seen).toEqual([]);
    const plain = await setup();
    expect(await probeFingerprint(plain.url)).toBeNull();
    await tlsPeer.peer.close();
    peers.splice(peers.indexOf(tlsPeer.peer), 1);
    expect((await failure(probeFingerprint(tlsPeer.url))).code).toBe('OFFLINE');
  });
});

describe('helpers', () => {
  it('normalizes fingerprints and builds stable query strings', () => {
    expect(normalizeFingerprint('AB:CD:EF')).toBe('abcdef');
    expect(queryString({ sort: 'name', limit: 10, q: 'a b', offset: undefined })).toBe('?limit=10&q=a+b&sort=name');
    expect(queryString({})).toBe('');
  });
});
