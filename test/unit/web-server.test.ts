import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError, type ServerView } from '../../src-shared/bridge.js';
import { startWebHost, statusOf, WEB_CSP, type WebHost } from '../../src-main/web/server.js';
import { FakeBackend } from '../support/fake-backend.js';
import { openEventStream, rawRequest, type RawRequest } from '../support/http.js';

const view = { id: 's1', name: 'Main', state: 'online' } as ServerView;

let base: string;
let host: WebHost;
let backend: FakeBackend;
let token: string;
let cookie: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'bc-web-'));
  const dist = path.join(base, 'renderer');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Backup Console</title>');
  await writeFile(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(path.join(base, 'secret.txt'), 'not for the browser');
  backend = new FakeBackend((channel) => {
    if (channel === 'servers.list') return [view];
    if (channel === 'servers.connect') throw new BridgeError('OFFLINE', 'Main is offline.', { serverId: 's1' });
    if (channel === 'offline.size') throw new Error('disk on fire');
    return null;
  });
  host = await startWebHost({ backend, rendererDir: dist });
  token = new URL(host.url).searchParams.get('token')!;
  cookie = `${host.cookieName}=${token}`;
});

afterAll(async () => {
  await host.close();
  await rm(base, { recursive: true, force: true });
});

beforeEach(() => {
  backend.calls.length = 0;
});

/** What a browser showing our page sends along. */
const own = () => ({ Host: `127.0.0.1:${host.port}`, Origin: host.origin, Cookie: cookie });
const send = (request: RawRequest) => rawRequest(host.port, request);
const bridge = (channel: string, arg: unknown, headers: Record<string, string> = own()) =>
  send({ method: 'POST', path: `/bridge/${channel}`, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(arg) });
const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe('the launch URL', () => {
  it('is on 127.0.0.1 and carries a 32-byte base64url token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });
});

describe('without the token', () => {
  it.each<[string, { path: string; cookie?: string }]>([
    ['the page', { path: '/' }],
    ['an asset', { path: '/assets/app-1234.js' }],
    ['the event stream', { path: '/bridge/events' }],
    ['a wrong token', { path: '/?token=AAAA' }],
    ['a wrong cookie', { path: '/', cookie: 'nope' }],
  ])('%s gets 401', async (_what, { path: p, cookie: value }) => {
    const response = await send({ path: p, headers: { Host: `127.0.0.1:${host.port}`, ...(value ? { Cookie: `${host.cookieName}=${value}` } : {}) } });
    expect(response.status).toBe(401);
    expect(errorOf(response.body).code).toBe('UNAUTHENTICATED');
    expect(response.body).not.toContain('Backup Console</title>');
  });

  it('a bridge request gets 401 and never reaches the backend', async () => {
    const { Cookie: _none, ...withoutCookie } = own();
    const response = await bridge('servers.list', {}, withoutCookie);
    expect(response.status).toBe(401);
    expect(backend.calls).toEqual([]);
  });

  it("another console's cookie (same token value, other port's name) does not count", async () => {
    const response = await send({ path: '/', headers: { Host: `127.0.0.1:${host.port}`, Cookie: `backup_console_1=${token}` } });
    expect(response.status).toBe(401);
  });
});

describe('trading the token for a cookie', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for / and redirects to the URL without the token', async () => {
    const response = await send({ path: `/index.html?view=customers&token=${token}`, headers: { Host: `127.0.0.1:${host.port}` } });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/index.html?view=customers');
    const [setCookie] = response.headers['set-cookie'] ?? [];
    expect(setCookie).toBe(`${host.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`);
  });

  it('never redirects to another host', async () => {
    const response = await send({ path: `//evil.example.com//x?token=${token}`, headers: { Host: `127.0.0.1:${host.port}` } });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/x');
  });

  it('then serves the page and its assets with the cookie', async () => {
    const page = await send({ path: '/', headers: { Host: `127.0.0.1:${host.port}`, Cookie: `theme=dark; ${cookie}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Backup Console</title>');
    const asset = await send({ path: '/assets/app-1234.js', headers: { Host: `localhost:${host.port}`, Cookie: cookie } });
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('console.log(1)');
  });

  it('lets a scripted client use ?token= on bridge requests without a cookie', async () => {
    const response = await send({
      method: 'POST',
      path: `/bridge/servers.list?token=${token}`,
      headers: { Host: `127.0.0.1:${host.port}`, Origin: host.origin, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual([view]);
  });
});

describe('DNS rebinding and cross-site requests', () => {
  it.each(['evil.example.com', `evil.example.com:${0}`, '127.0.0.1', '127.0.0.1:1', '[::1]', '0.0.0.0'])('refuses Host %s with 403, even with the cookie', async (name) => {
    const hostHeader = name.endsWith(':0') ? name.replace(':0', `:${host.port}`) : name;
    const response = await send({ path: '/', headers: { Host: hostHeader, Cookie: cookie } });
    expect(response.status).toBe(403);
    expect(response.body).not.toContain('Backup Console</title>');
  });

  it('accepts localhost:<port> with the matching Origin', async () => {
    const response = await bridge('servers.list', {}, { Host: `localhost:${host.port}`, Origin: `http://localhost:${host.port}`, Cookie: cookie });
    expect(response.status).toBe(200);
  });

  it.each([
    ['a foreign Origin', { Origin: 'https://evil.example.com' }],
    ['another port of 127.0.0.1', { Origin: 'http://127.0.0.1:1' }],
    ['the null Origin', { Origin: 'null' }],
    ['a cross-site fetch', { 'Sec-Fetch-Site': 'cross-site' }],
    ['a same-site fetch (another port)', { 'Sec-Fetch-Site': 'same-site' }],
  ])('refuses bridge requests from %s with 403', async (_what, extra) => {
    const response = await bridge('servers.list', {}, { ...own(), ...extra });
    expect(response.status).toBe(403);
    expect(backend.calls).toEqual([]);
  });

  it('refuses state-changing requests that carry no Origin', async () => {
    const { Origin: _none, ...withoutOrigin } = own();
    const response = await bridge('servers.list', {}, withoutOrigin);
    expect(response.status).toBe(403);
  });

  it('refuses GETs from a foreign Origin but serves same-origin GETs without one', async () => {
    expect((await send({ path: '/bridge/events', headers: { ...own(), Origin: 'http://127.0.0.1:1' } })).status).toBe(403);
    const { Origin: _none, ...sameOriginGet } = own();
    expect((await send({ path: '/', headers: sameOriginGet })).status).toBe(200);
  });

  it('accepts bridge posts only as JSON, so HTML forms cannot forge them', async () => {
    const form = await send({ method: 'POST', path: '/bridge/servers.list', headers: { ...own(), 'Content-Type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    expect(backend.calls).toEqual([]);
  });
});

describe('headers', () => {
  it('serves pages with the strict CSP (connect-src self), nosniff and same-origin resource policy', async () => {
    const page = await send({ path: '/', headers: own() });
    expect(page.headers['content-security-policy']).toBe(WEB_CSP);
    expect(WEB_CSP).toContain("connect-src 'self'");
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_CSP).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(page.headers['cache-control']).toBe('no-store');
    const asset = await send({ path: '/assets/app-1234.js', headers: own() });
    expect(asset.headers['cache-control']).toContain('immutable');
  });
});

describe('the bridge over HTTP', () => {
  it('answers a request with the backend result as JSON', async () => {
    const response = await bridge('servers.list', {});
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual([view]);
    expect(backend.calls).toEqual([{ channel: 'servers.list', arg: {} }]);
    expect(JSON.parse((await bridge('customers.get', { serverId: 's1', id: 'c1' })).body)).toBeNull();
  });

  it('refuses invalid payloads and unknown channels with 400 BAD_REQUEST', async () => {
    for (const [channel, arg] of [
      ['customers.get', { serverId: 's1' }],
      ['servers.list', { extra: 1 }],
      ['no.such.channel', {}],
      ['%E0%A4%A', {}],
    ] as const) {
      const response = await bridge(channel, arg);
      expect(response.status, channel).toBe(400);
      expect(errorOf(response.body).code).toBe('BAD_REQUEST');
    }
    const malformed = await send({ method: 'POST', path: '/bridge/servers.list', headers: { ...own(), 'Content-Type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    const huge = await bridge('search.all', { q: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(backend.calls).toEqual([]);
  });

  it('reports failures as {error:{code,message,details}} with a matching status, never a stack', async () => {
    const offline = await bridge('servers.connect', { serverId: 's1' });
    expect(offline.status).toBe(503);
    expect(JSON.parse(offline.body)).toEqual({ error: { code: 'OFFLINE', message: 'Main is offline.', details: { serverId: 's1' } } });
    const internal = await bridge('offline.size', {});
    expect(internal.status).toBe(500);
    expect(JSON.parse(internal.body)).toEqual({ error: { code: 'INTERNAL', message: 'The console failed: disk on fire' } });
  });

  it('maps error codes to statuses, keeping 401 for the host itself', () => {
    expect(statusOf('BAD_REQUEST')).toBe(400);
    expect(statusOf('NOT_FOUND')).toBe(404);
    expect(statusOf('NAME_TAKEN')).toBe(409);
    expect(statusOf('MCAL_EXHAUSTED')).toBe(403);
    expect(statusOf('UNAUTHENTICATED')).toBe(403);
    expect(statusOf('NOT_SIGNED_IN')).toBe(403);
    expect(statusOf('TIMEOUT')).toBe(504);
    expect(statusOf('CERTIFICATE_CHANGED')).toBe(502);
    expect(statusOf('SOMETHING_NEW')).toBe(500);
  });

  it('only POSTs to channels and only GETs the event stream', async () => {
    expect((await send({ path: '/bridge/servers.list', headers: own() })).status).toBe(405);
    expect((await send({ method: 'POST', path: '/bridge/events', headers: { ...own(), 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(405);
    expect((await send({ method: 'DELETE', path: '/', headers: own() })).status).toBe(405);
  });

  it('streams backend events as Server-Sent Events', async () => {
    const { Origin: _none, ...sameOriginGet } = own();
    const stream = await openEventStream(host.port, sameOriginGet);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    backend.emit('server.state', view);
    backend.emit('menu.action', { action: 'refresh' });
    expect(await stream.next()).toEqual({ event: 'server.state', data: view });
    expect(await stream.next()).toEqual({ event: 'menu.action', data: { action: 'refresh' } });
    stream.close();
  });
});

describe('static files', () => {
  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets%2f..%2f..%2fsecret.txt', '/..%5csecret.txt', '/.git/config', '/%00'])(
    'refuses %s with 403',
    async (p) => {
      const response = await send({ path: p, headers: own() });
      expect(response.status).toBe(403);
      expect(response.body).not.toContain('not for the browser');
    },
  );

  it('answers missing files with 404', async () => {
    expect((await send({ path: '/nope.js', headers: own() })).status).toBe(404);
  });
});

describe('close', () => {
  it('ends event streams, stops listening and unsubscribes from the backend', async () => {
    const other = await startWebHost({ backend, rendererDir: base });
    const otherToken = new URL(other.url).searchParams.get('token')!;
    const listenersBefore = backend.listeners.size;
    const stream = await openEventStream(other.port, { Host: `127.0.0.1:${other.port}`, Cookie: `${other.cookieName}=${otherToken}` });
    expect(stream.status).toBe(200);
    await other.close();
    expect(backend.listeners.size).toBe(listenersBefore - 1);
    await expect(rawRequest(other.port, { path: '/' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
