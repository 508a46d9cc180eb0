import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError, type ServerView } from '../../src-shared/bridge.js';
import { createWebBridge, reviveBridgeError, type EventSourceLike, type FetchLike } from '../../src-shared/web-bridge-client.js';
import { startWebHost, type WebHost } from '../../src-main/web/server.js';
import { FakeBackend } from '../support/fake-backend.js';

const view = { id: 's1', name: 'Main', state: 'online' } as ServerView;

/** A stand-in for the browser's EventSource: records what is listened to and lets the test deliver frames. */
class FakeEventSource implements EventSourceLike {
  static opened: FakeEventSource[] = [];
  readonly listeners = new Map<string, ((event: { data: string }) => void)[]>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, listener: (event: { data: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  deliver(type: string, data: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener({ data });
  }
}

describe('createWebBridge against the browser host', () => {
  let base: string;
  let host: WebHost;
  let fetchWithCookie: FetchLike;
  const backend = new FakeBackend((channel) => {
    if (channel === 'servers.list') return [view];
    throw new BridgeError('NOT_FOUND', 'No such customer.', { id: 'c9' });
  });

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'bc-client-'));
    host = await startWebHost({ backend, rendererDir: base });
    const token = new URL(host.url).searchParams.get('token')!;
    // What the browser adds by itself on our page: the cookie and the Origin.
    fetchWithCookie = (url, init) => fetch(url, { ...init, headers: { ...init.headers, Cookie: `${host.cookieName}=${token}`, Origin: host.origin } });
  });
  afterAll(async () => {
    await host.close();
    await rm(base, { recursive: true, force: true });
  });

  it('invokes a channel and resolves with its result', async () => {
    const bridge = createWebBridge({ baseUrl: host.origin, fetch: fetchWithCookie });
    expect(await bridge.invoke('servers.list', {})).toEqual([view]);
  });

  it('rejects with a BridgeError carrying the code, message and details', async () => {
    const bridge = createWebBridge({ baseUrl: host.origin, fetch: fetchWithCookie });
    const error = await bridge.invoke('customers.get', { serverId: 's1', id: 'c9' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No such customer.', details: { id: 'c9' } });
  });

  it('reports a missing session as UNAUTHENTICATED', async () => {
    const bridge = createWebBridge({ baseUrl: host.origin, fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, Origin: host.origin } }) });
    await expect(bridge.invoke('servers.list', {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('reports a host that is gone as HOST_UNREACHABLE', async () => {
    const bridge = createWebBridge({ baseUrl: 'http://127.0.0.1:1', fetch: (url, init) => fetch(url, init) });
    await expect(bridge.invoke('servers.list', {})).rejects.toMatchObject({ code: 'HOST_UNREACHABLE' });
  });
});

describe('createWebBridge events', () => {
  it('opens one event stream, delivers each event to its subscribers, and closes it when nobody listens', () => {
    FakeEventSource.opened = [];
    const bridge = createWebBridge({ baseUrl: 'http://127.0.0.1:9', EventSource: FakeEventSource });
    const states: ServerView[] = [];
    const actions: string[] = [];
    const offState = bridge.on('server.state', (v) => states.push(v));
    const offMenu = bridge.on('menu.action', ({ action }) => actions.push(action));
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(['http://127.0.0.1:9/bridge/events']);
    const [source] = FakeEventSource.opened;

    source!.deliver('server.state', JSON.stringify(view));
    source!.deliver('menu.action', JSON.stringify({ action: 'refresh' }));
    source!.deliver('server.state', 'not json');
    expect(states).toEqual([view]);
    expect(actions).toEqual(['refresh']);

    offState();
    source!.deliver('server.state', JSON.stringify(view));
    expect(states).toHaveLength(1);
    expect(source!.closed).toBe(false);
    offMenu();
    expect(source!.closed).toBe(true);

    // Subscribing again opens a new stream.
    bridge.on('servers.changed', () => {});
    expect(FakeEventSource.opened).toHaveLength(2);
  });
});

describe('reviveBridgeError', () => {
  it('turns what a host rejected with into a BridgeError', () => {
    expect(reviveBridgeError({ name: 'BridgeError', code: 'OFFLINE', message: 'Main is offline.' })).toMatchObject({ code: 'OFFLINE', message: 'Main is offline.' });
    expect(reviveBridgeError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(reviveBridgeError('???')).toMatchObject({ code: 'INTERNAL', message: 'The console failed.' });
    const original = new BridgeError('TIMEOUT', 'Too slow.');
    expect(reviveBridgeError(original)).toBe(original);
  });
});
