/**
 * `restore --from URL [--fingerprint HEX | --insecure-tls]` and `restore --path PATH...` with real agent
 * and server processes. A replication server's copy of a client only exists once replication does, so
 * "another server holding this client" is played here by the same server reached at another address (a
 * TCP relay on its own port, or the server itself after the registered address went away): what is
 * checked is that --from decides where that one restore goes and how its certificate is trusted, that
 * the state dir is left exactly as it was, and that a mistaken command line is refused before anything
 * is sent. Restores from a real replica are in the replication tests.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, List, Reseller } from '../../src-shared/api/index.js';
import { bytesUnder, runAgent, treeDigest, type AgentResult } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { ok } from '../support/api-assert.js';
import { pseudoRandom } from '../support/pseudo-random.js';
import { removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';

const CUSTOMER = 'Restore From Test Co';

/** A TCP relay to `port` on 127.0.0.1: the same server under another address. Counts the connections it carried. */
interface Relay {
  url: (scheme: 'http' | 'https') => string;
  connections: () => number;
  close: () => Promise<void>;
}

async function relayTo(port: number): Promise<Relay> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    connections++;
    const outbound = net.connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address() as net.AddressInfo;
  return {
    url: (scheme) => `${scheme}://127.0.0.1:${address.port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        relay.close(() => resolve());
      }),
  };
}

const portOf = (url: string) => Number(new URL(url).port);

async function expectOk(result: AgentResult, what: string): Promise<AgentResult> {
  expect(result.code, `${what} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  return result;
}

let work: string;

/** A small tree with a nested folder, a big-enough file of several chunks and a symlink. */
async function makeTree(root: string): Promise<void> {
  await mkdir(path.join(root, 'docs/nested'), { recursive: true });
  await mkdir(path.join(root, 'photos'), { recursive: true });
  await writeFile(path.join(root, 'docs/readme.txt'), 'restore me from elsewhere\n');
  await writeFile(path.join(root, 'docs/nested/data.bin'), pseudoRandom(11, 3 * 1024 * 1024 + 77));
  await writeFile(path.join(root, 'photos/a.jpg'), pseudoRandom(12, 200_000));
  await writeFile(path.join(root, 'top.txt'), 'top level');
}

async function registerCustomer(server: RunningServer): Promise<void> {
  const admin = await new TestClient(server.api).login();
  const reseller = ok(await admin.get<List<Reseller>>('/resellers')).items[0]!;
  ok(await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true }), 201);
}

/**
 * A relay to `server` and a client registered with `register(relay)`, with a backup of a small tree in
 * schedule "docs"; `name` keeps its state dir and tree apart from the other describe's.
 */
async function backedUp(name: string, server: RunningServer, register: (relay: Relay) => string[]): Promise<{ relay: Relay; stateDir: string; src: string }> {
  const relay = await relayTo(portOf(server.url));
  const stateDir = path.join(work, `${name}-state`);
  const src = path.join(work, `${name}-tree`);
  await makeTree(src);
  const agent = (...args: string[]) => runAgent([...args, '--state-dir', stateDir]);
  await expectOk(await agent('register', ...register(relay)), 'register');
  await expectOk(await agent('schedule', 'add', '--name', 'docs', '--source', src), 'schedule add');
  await expectOk(await agent('backup', '--schedule', 'docs'), 'backup');
  return { relay, stateDir, src };
}

async function stopAll(server: RunningServer | undefined, relay: Relay | undefined): Promise<void> {
  await relay?.close();
  await server?.stop();
  if (server) await removeDir(server.dataDir);
}

beforeAll(async () => {
  work = await tempDir('agent-restore-from-');
});

afterAll(async () => {
  if (work) await removeDir(work);
});

describe('restore --from over http', () => {
  let server: RunningServer;
  let relay: Relay;
  let stateDir: string;
  let src: string;
  const agent = (...args: string[]) => runAgent([...args, '--state-dir', stateDir]);

  beforeAll(async () => {
    server = await startServer();
    await registerCustomer(server);
    // Registered through the relay: that address is "the registered server" for this client.
    ({ relay, stateDir, src } = await backedUp('http', server, (r) => ['--server', r.url('http'), '--customer', CUSTOMER, '--name', 'laptop']));
  });

  afterAll(() => stopAll(server, relay));

  it('refuses a command line that cannot work before reading the state or sending anything', async () => {
    const stateBefore = await readFile(path.join(stateDir, 'state.json'), 'utf8');
    const connectionsBefore = relay.connections();
    const base = ['restore', '--schedule', 'docs', '--target', path.join(work, 'never')];
    const cases: [string[], RegExp][] = [
      [['--fingerprint', 'ab'.repeat(32)], /--fingerprint applies to the server named by --from/],
      [['--insecure-tls'], /--insecure-tls applies to the server named by --from/],
      [['--from', 'not a url'], /--from: "not a url" is not a URL/],
      [['--from', 'ftp://127.0.0.1:21'], /--from: use an https:\/\/ URL/],
      [['--from', server.url, '--fingerprint', 'ab'.repeat(32)], /--fingerprint pins a TLS certificate; it needs an https:\/\/ --from URL/],
      [['--from', server.url, '--insecure-tls'], /--insecure-tls trusts a TLS certificate; an http:\/\/ --from URL has none/],
      [['--from', 'https://127.0.0.1:1', '--fingerprint', 'ab'.repeat(32), '--insecure-tls'], /contradict each other/],
      [['--from', 'https://127.0.0.1:1', '--fingerprint', 'xyz'], /--fingerprint: expected the 64 hex digits/],
      [['--from', server.url, '--from', relay.url('http')], /--from was given 2 times/],
      [['--from'], /--from needs a value/],
      [['--path', ''], /--path: an empty path selects nothing/],
    ];
    for (const [extra, message] of cases) {
      const result = await agent(...base, ...extra);
      expect(result.code, `${extra.join(' ')}: ${result.stderr}`).toBe(1);
      const [first, ...rest] = result.stderr.split('\n');
      expect(first, extra.join(' ')).toMatch(/^error: /);
      expect(first, extra.join(' ')).toMatch(message);
      // The usage hint follows, and it shows the restore flags.
      expect(rest.join('\n')).toContain('restore --schedule NAME --target DIR [--backup ID] [--path PATH...] [--from URL [--fingerprint HEX | --insecure-tls]]');
    }
    expect(await readFile(path.join(stateDir, 'state.json'), 'utf8')).toBe(stateBefore);
    expect(relay.connections()).toBe(connectionsBefore);
    expect(await bytesUnder(path.join(work, 'never'))).toBe(0);
  });

  it('restores from the registered server named by --from exactly like a plain restore', async () => {
    const plainTarget = path.join(work, 'plain');
    const fromTarget = path.join(work, 'from-same');
    await expectOk(await agent('restore', '--schedule', 'docs', '--target', plainTarget), 'plain restore');
    const from = await expectOk(await agent('restore', '--schedule', 'docs', '--target', fromTarget, '--from', `${relay.url('http')}/api/v1/`), 'restore --from');
    expect(from.stdout).toMatch(new RegExp(`: success; 4 files .* to ${fromTarget} in .*, from ${relay.url('http')}\\n$`));
    // The folders above the source are made by the restore, with its own times: the source's tree is what compares.
    expect(await treeDigest(path.join(fromTarget, src))).toEqual(await treeDigest(path.join(plainTarget, src)));
    expect(await treeDigest(path.join(fromTarget, src))).toEqual(await treeDigest(src));
  });

  it('sends that one restore to the --from server and leaves the state dir as it was', async () => {
    const stateBefore = await readFile(path.join(stateDir, 'state.json'), 'utf8');
    const connectionsBefore = relay.connections();
    const target = path.join(work, 'from-direct');
    // The server's own address: not the registered one, which goes through the relay.
    const result = await expectOk(await agent('restore', '--schedule', 'docs', '--target', target, '--from', server.url), 'restore --from');
    expect(result.stdout).toContain(`, from ${server.url}`);
    expect(relay.connections()).toBe(connectionsBefore);
    expect(await treeDigest(path.join(target, src))).toEqual(await treeDigest(src));
    expect(await readFile(path.join(stateDir, 'state.json'), 'utf8')).toBe(stateBefore);
    // The next plain command goes to the registered address again.
    await expectOk(await agent('backup', '--schedule', 'docs'), 'backup after restore --from');
    expect(relay.connections()).toBeGreaterThan(connectionsBefore);
  });

  it('restores with --from while the registered server cannot be reached', async () => {
    const down = path.join(work, 'down-state');
    const stranded = await relayTo(portOf(server.url));
    const run = (...args: string[]) => runAgent([...args, '--state-dir', down]);
    await expectOk(await run('register', '--server', stranded.url('http'), '--customer', CUSTOMER, '--name', 'stranded'), 'register');
    await expectOk(await run('schedule', 'add', '--name', 'docs', '--source', src), 'schedule add');
    await expectOk(await run('backup', '--schedule', 'docs'), 'backup');
    await stranded.close();

    const plain = await run('restore', '--schedule', 'docs', '--target', path.join(work, 'down-plain'));
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^error: cannot talk to http:\/\/127\.0\.0\.1:\d+/);
    const target = path.join(work, 'down-from');
    await expectOk(await run('restore', '--schedule', 'docs', '--target', target, '--from', server.url), 'restore --from');
    expect(await treeDigest(path.join(target, src))).toEqual(await treeDigest(src));
    expect(JSON.parse(await readFile(path.join(down, 'state.json'), 'utf8')).server).toEqual({ url: stranded.url('http'), fingerprint: null });
  });

  it('fails clearly against a server that does not know this client, and changes nothing', async () => {
    const other = await startServer();
    try {
      const stateBefore = await readFile(path.join(stateDir, 'state.json'), 'utf8');
      const target = path.join(work, 'from-stranger');
      const result = await agent('restore', '--schedule', 'docs', '--target', target, '--from', other.url);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: UNAUTHENTICATED: /);
      expect(await readFile(path.join(stateDir, 'state.json'), 'utf8')).toBe(stateBefore);
      expect(await bytesUnder(target)).toBe(0);
    } finally {
      await other.stop();
      await removeDir(other.dataDir);
    }
  });

  it('restores only the files and folders given with --path, at their full paths', async () => {
    const target = path.join(work, 'partial');
    const result = await expectOk(
      await agent('restore', '--schedule', 'docs', '--target', target, '--path', path.join(src, 'docs/nested/'), path.join(src, 'top.txt'), '--from', server.url),
      'restore --path',
    );
    expect(result.stdout).toMatch(/: success; 2 files/);
    const restored = await treeDigest(path.join(target, src));
    const original = await treeDigest(src);
    expect([...restored.keys()].sort()).toEqual(['docs', 'docs/nested', 'docs/nested/data.bin', 'top.txt']);
    for (const name of ['docs/nested', 'docs/nested/data.bin', 'top.txt']) expect(restored.get(name), name).toEqual(original.get(name));

    const missing = await agent('restore', '--schedule', 'docs', '--target', path.join(work, 'partial-missing'), '--path', path.join(src, 'docs'), path.join(src, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^error: backup \\S+ holds nothing at "${path.join(src, 'nope')}"`));
    expect(missing.stderr).not.toContain(`"${path.join(src, 'docs')}"`);
    expect(await bytesUnder(path.join(work, 'partial-missing'))).toBe(0);
  });
});

describe('restore --from over TLS', () => {
  let server: RunningServer;
  let relay: Relay;
  let stateDir: string;
  let src: string;
  const agent = (...args: string[]) => runAgent([...args, '--state-dir', stateDir]);

  beforeAll(async () => {
    server = await startServer({ http: false });
    ({ relay, stateDir, src } = await backedUp('tls', server, () => ['--server', server.url, '--trial', '--name', 'tls-laptop', '--fingerprint', server.fingerprint]));
  });

  afterAll(() => stopAll(server, relay));

  it('keeps the registered pin when --from names the registered server without pin flags', async () => {
    const target = path.join(work, 'tls-same');
    await expectOk(await agent('restore', '--schedule', 'docs', '--target', target, '--from', server.url), 'restore --from');
    expect(await treeDigest(path.join(target, src))).toEqual(await treeDigest(src));
  });

  it('pins --fingerprint for another address, and refuses a certificate that does not match it', async () => {
    const stateBefore = await readFile(path.join(stateDir, 'state.json'), 'utf8');
    const target = path.join(work, 'tls-pinned');
    await expectOk(await agent('restore', '--schedule', 'docs', '--target', target, '--from', relay.url('https'), '--fingerprint', server.fingerprint.toUpperCase()), 'restore --fingerprint');
    expect(await treeDigest(path.join(target, src))).toEqual(await treeDigest(src));

    const wrong = await agent('restore', '--schedule', 'docs', '--target', path.join(work, 'tls-wrong'), '--from', relay.url('https'), '--fingerprint', 'ab'.repeat(32));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`does not match the pinned fingerprint (expected ${'ab'.repeat(32)}, got ${server.fingerprint})`);
    expect(await bytesUnder(path.join(work, 'tls-wrong'))).toBe(0);

    // Another address without a pin: the system's CAs must vouch for it, and they cannot for a self-signed certificate.
    const unpinned = await agent('restore', '--schedule', 'docs', '--target', path.join(work, 'tls-unpinned'), '--from', relay.url('https'));
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toMatch(/give --fingerprint HEX as the server prints it, or --insecure-tls/);
    expect(await readFile(path.join(stateDir, 'state.json'), 'utf8')).toBe(stateBefore);
  });

  it('trusts the certificate presented for this restore only with --insecure-tls', async () => {
    const stateBefore = await readFile(path.join(stateDir, 'state.json'), 'utf8');
    const target = path.join(work, 'tls-tofu');
    const result = await expectOk(await agent('restore', '--schedule', 'docs', '--target', target, '--from', relay.url('https'), '--insecure-tls'), 'restore --insecure-tls');
    expect(result.stdout).toContain(`trusting the certificate ${relay.url('https')} presented for this restore: fingerprint=${server.fingerprint}`);
    expect(await treeDigest(path.join(target, src))).toEqual(await treeDigest(src));
    expect(await readFile(path.join(stateDir, 'state.json'), 'utf8')).toBe(stateBefore);
  });
});
