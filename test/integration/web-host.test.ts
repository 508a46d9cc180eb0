/**
 * The browser host for real: the real ConsoleService behind it, a real backup server process behind
 * that, and `npm run web -- --demo` as a process of its own with its embedded demo server.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cached, ServerView } from '../../src-shared/bridge.js';
import type { List } from '../../src-shared/api/common.js';
import type { Reseller } from '../../src-shared/api/resellers.js';
import { ConsoleService } from '../../src-main/core/console-service.js';
import { CredentialVault, MemorySecretStore } from '../../src-main/core/vault.js';
import { startWebHost, WEB_CSP, type WebHost } from '../../src-main/web/server.js';
import { bridgeCall as call, openEventStream, rawRequest, signInToWebHost as signIn, type EventStream } from '../support/http.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The next event named `name` on the stream, skipping others. */
async function nextEvent(stream: EventStream, name: string): Promise<unknown> {
  for (;;) {
    const frame = await stream.next();
    if (frame.event === name) return frame.data;
  }
}

describe('browser host with the real ConsoleService and a real backup server', () => {
  let server: RunningServer;
  let dataDir: string;
  let service: ConsoleService;
  let host: WebHost;
  let session: { port: number; headers: Record<string, string> };

  beforeAll(async () => {
    server = await startServer({ args: ['--demo'] });
    dataDir = await tempDir('bc-web-host-');
    const rendererDir = path.join(dataDir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Backup Console</title>');
    // A memory vault: the OS keychain has its own suite (core-keychain).
    service = await ConsoleService.open({ dataDir: path.join(dataDir, 'console'), host: 'browser', vault: new CredentialVault(new MemorySecretStore()), log: () => {} });
    host = await startWebHost({ backend: service, rendererDir });
    session = await signIn(host.url);
  });

  afterAll(async () => {
    await host?.close();
    await service?.close();
    await server?.stop();
    await removeDir(dataDir);
  });

  it('refuses page, asset and bridge without the token, and serves the page with the CSP after sign-in', async () => {
    const bare = { Host: `127.0.0.1:${host.port}` };
    expect((await rawRequest(host.port, { path: '/', headers: bare })).status).toBe(401);
    expect((await rawRequest(host.port, { path: '/index.html', headers: bare })).status).toBe(401);
    const bridge = await rawRequest(host.port, { method: 'POST', path: '/bridge/servers.list', headers: { ...bare, Origin: host.origin, 'Content-Type': 'application/json' }, body: '{}' });
    expect(bridge.status).toBe(401);

    const page = await rawRequest(host.port, { path: '/', headers: session.headers });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(WEB_CSP);
  });

  it('adds the server over the bridge, pushes the change as an event, and reads live data', async () => {
    const { Origin: _sameOrigin, ...getHeaders } = session.headers;
    const stream = await openEventStream(session.port, getHeaders);
    expect(stream.status).toBe(200);

    const added = await call<ServerView>(session.port, session.headers, 'servers.add', { name: 'Loopback', url: server.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: null });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ name: 'Loopback', url: server.url, state: 'online', role: 'admin' });

    const changed = (await nextEvent(stream, 'servers.changed')) as ServerView[];
    expect(changed.map((view) => view.id)).toEqual([added.body.id]);
    stream.close();

    const list = await call<ServerView[]>(session.port, session.headers, 'servers.list', {});
    expect(list.body).toEqual([expect.objectContaining({ id: added.body.id, state: 'online' })]);
    // Neither the password nor a session token ever reaches the page.
    expect(JSON.stringify(list.body)).not.toContain(ADMIN_PASSWORD);

    const resellers = await call<Cached<List<Reseller>>>(session.port, session.headers, 'resellers.list', { serverId: added.body.id });
    expect(resellers.status).toBe(200);
    expect(resellers.body.asOf).toBeNull();
    expect(resellers.body.data.items.map((r) => r.name)).toEqual(expect.arrayContaining(['Northwind IT', 'Contoso Managed Services', 'Fabrikam Cloud']));
  });

  it("passes the server's errors through with their code and status", async () => {
    const [view] = (await call<ServerView[]>(session.port, session.headers, 'servers.list', {})).body;
    const missing = await call<{ error: { code: string; message: string } }>(session.port, session.headers, 'customers.get', { serverId: view!.id, id: 'no-such-customer' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const invalid = await call<{ error: { code: string } }>(session.port, session.headers, 'customers.get', { serverId: view!.id });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('BAD_REQUEST');
  });
});

describe('npm run web -- --demo', () => {
  it('prints one `console <url>` line, serves servers.list with the demo server online, and exits 0 on SIGTERM', async () => {
    const dataDir = await tempDir('bc-web-cli-');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src-main/web/cli.ts'), '--demo', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        void exited.then((code) => reject(new Error(`web host exited with ${code} before it was ready:\n${stderr}`)));
      });
      expect(line).toMatch(/^console http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      const { port, headers } = await signIn(line.slice('console '.length));

      // The demo server connects in the background: wait (bounded) for it to come online.
      let demo: ServerView | undefined;
      for (const deadline = Date.now() + 60_000; demo?.state !== 'online' && Date.now() < deadline; ) {
        [demo] = (await call<ServerView[]>(port, headers, 'servers.list', {})).body;
        if (demo?.state !== 'online') await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(demo).toMatchObject({ name: 'Demo Server', state: 'online' });
      expect(new URL(demo!.url).hostname).toBe('127.0.0.1');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toBe(`${line}\n`);
      // Closing the service stopped the embedded demo server too.
      await expect(fetch(`${demo!.url}/api/v1/openapi.json`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      await removeDir(dataDir);
    }
    // Two tsx processes (the host and its demo server) on a 2-core machine that runs other suites too.
  }, 180_000);

  it('refuses unknown flags with a usage line and exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src-main/web/cli.ts'), '--port', 'eighty'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be a number');
    expect(stderr).toContain('usage: npm run web -- [--demo] [--port N] [--data-dir DIR]');
  });
});
