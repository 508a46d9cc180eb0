/**
 * The seed migration handlers hand the source a fresh admin session of the target, signed in with the
 * password the vault keeps for the target (never the console's own token), and end that session again
 * when the source refuses. Against a real loopback HTTP "target" and a recorded source.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../src-shared/bridge.js';
import type { ConsoleState } from '../../src-main/core/console-state.js';
import { seedMigrationHandlers } from '../../src-main/core/handlers/seed-migration.js';

let target: http.Server;
let targetUrl = '';
let role = 'admin';
const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];

beforeAll(async () => {
  target = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/api/v1/session') {
        const { password } = JSON.parse(body) as { password: string };
        if (password !== 'target-pw') return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Wrong user name or password.' } }));
        return void res.end(JSON.stringify({ token: `fresh-${seen.length}`, role, resellerId: role === 'admin' ? null : 'r1', expiresAt: '2030-01-01T00:00:00.000Z' }));
      }
      if (req.method === 'DELETE' && req.url === '/api/v1/session') return void res.writeHead(204).end();
      res.writeHead(404).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No such route.' } }));
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  role = 'admin';
});

/** The console as the handlers see it: a source that records its writes, the target as registered, a vault with the target's password. */
function consoleWith(sourceAnswer: (path: string, body: unknown) => unknown) {
  const writes: { method: string; path: string; body: unknown }[] = [];
  const source = {
    name: 'A',
    connectionState: 'online',
    write: async (method: string, path: string, body: unknown) => {
      writes.push({ method, path, body });
      return sourceAnswer(path, body);
    },
  };
  const targetConnection = { view: () => ({ name: 'B', url: targetUrl, username: 'admin', fingerprint: null }) };
  const state = {
    options: { client: { timeoutMs: 5_000, retries: 0 } },
    servers: { get: (id: string) => (id === 'a' ? source : id === 'b' ? targetConnection : (() => { throw new BridgeError('NOT_FOUND', `No server with id "${id}".`); })()) },
    requireVault: () => ({ getPassword: async (id: string) => (id === 'b' ? 'target-pw' : null) }),
  } as unknown as ConsoleState;
  return { handlers: seedMigrationHandlers(state), writes };
}

describe('seedMigration.start', () => {
  it('signs in to the target with its stored password and gives the source that session, the url and the fingerprint', async () => {
    const { handlers, writes } = consoleWith(() => ({ id: 'm1', jobId: 'j1' }));
    const started = await handlers['seedMigration.start']({ serverId: 'a', clientIds: ['k1', 'k2'], targetServerId: 'b', targetCustomerName: 'East' });
    expect(started).toEqual({ id: 'm1', jobId: 'j1' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/v1/session']);
    expect(JSON.parse(seen[0]!.body)).toEqual({ username: 'admin', password: 'target-pw' });
    expect(writes).toEqual([{ method: 'POST', path: '/seed-migrations', body: { clientIds: ['k1', 'k2'], target: { url: targetUrl, token: 'fresh-1', fingerprint: null }, targetCustomerName: 'East' } }]);
    // The session is the source's now: the console does not end it.
    expect(JSON.stringify(started)).not.toContain('fresh-');
  });

  it('ends the target session again when the source refuses, and says why', async () => {
    const { handlers } = consoleWith(() => {
      throw new BridgeError('NOT_FOUND', 'No client with id "k9".');
    });
    await expect(handlers['seedMigration.start']({ serverId: 'a', clientIds: ['k9'], targetServerId: 'b' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(seen.map((r) => `${r.method} ${r.url} ${r.auth ?? ''}`)).toEqual(['POST /api/v1/session ', 'DELETE /api/v1/session Bearer fresh-1']);
  });

  it('refuses a reseller sign-in on the target (peer routes take an administrator) and the source itself as target', async () => {
    role = 'reseller';
    const { handlers, writes } = consoleWith(() => ({ id: 'm1', jobId: 'j1' }));
    await expect(handlers['seedMigration.start']({ serverId: 'a', clientIds: ['k1'], targetServerId: 'b' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', auth: 'Bearer fresh-1' });
    await expect(handlers['seedMigration.start']({ serverId: 'a', clientIds: ['k1'], targetServerId: 'a' })).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { field: 'targetServerId' } });
    expect(writes).toEqual([]);
  });
});

describe('seedMigration.resume', () => {
  it('continues with a fresh target session: only the token travels', async () => {
    const { handlers, writes } = consoleWith(() => ({ id: 'm1', jobId: 'j2' }));
    expect(await handlers['seedMigration.resume']({ serverId: 'a', id: 'm1', targetServerId: 'b' })).toEqual({ id: 'm1', jobId: 'j2' });
    expect(writes).toEqual([{ method: 'POST', path: '/seed-migrations/m1/resume', body: { token: 'fresh-1' } }]);
  });
});
