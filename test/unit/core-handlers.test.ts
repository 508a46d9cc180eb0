/**
 * The bridge registry and the handler registry resolve each other: every channel declared in a
 * `src-shared/bridge/<feature>.ts` belongs to one feature and has exactly one handler in
 * `src-main/core/handlers/`, and every handler serves a declared channel. Argument errors at the host
 * boundary name their field the way the server does (API.md, Conventions: `details.field`).
 */
import { describe, expect, it } from 'vitest';
import { CHANNELS, FEATURES, REQUESTS } from '../../src-shared/bridge.js';
import { reviveBridgeError } from '../../src-shared/web-bridge-client.js';
import { checkRequest } from '../../src-main/core/backend.js';
import type { ConsoleState } from '../../src-main/core/console-state.js';
import { bridgeHandlers } from '../../src-main/core/handlers/index.js';
import { replicationHandlers } from '../../src-main/core/handlers/replication.js';

/** Building the handler maps must not touch the console: any use of this state fails the test. */
const untouchable = new Proxy({} as ConsoleState, {
  get: (_target, property) => () => {
    throw new Error(`a handler map used state.${String(property)} while being built`);
  },
});

function refusal(channel: string, arg: unknown) {
  try {
    checkRequest(channel, arg);
  } catch (error) {
    // Across either host the error travels as JSON (IPC reply or HTTP body) and is revived on the page.
    return reviveBridgeError(JSON.parse(JSON.stringify(error)));
  }
  throw new Error(`${channel} accepted ${JSON.stringify(arg)}`);
}

describe('the bridge registry', () => {
  it('has each channel in exactly one feature, with an argument and a result schema', () => {
    const declared = FEATURES.flatMap((feature) => Object.keys(feature));
    expect(new Set(declared).size).toBe(declared.length);
    expect([...declared].sort()).toEqual([...CHANNELS].sort());
    for (const channel of CHANNELS) {
      expect(REQUESTS[channel].arg, channel).toMatchObject({ type: 'object' });
      expect(REQUESTS[channel].result, channel).toBeDefined();
    }
  });

  it('has a handler for every channel, and no handler without a channel', () => {
    const handlers = bridgeHandlers(untouchable);
    expect(Object.keys(handlers).sort()).toEqual([...CHANNELS].sort());
    for (const [channel, handler] of Object.entries(handlers)) expect(typeof handler, channel).toBe('function');
  });
});

describe('bridge argument errors', () => {
  it('name the field inside the request body as the server does, not the argument wrapper', () => {
    const tooShort = refusal('customers.create', { serverId: 's1', resellerId: 'r1', input: { name: '' } });
    expect(tooShort).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'name' } });
    expect(refusal('customers.create', { serverId: 's1', resellerId: 'r1', input: {} }).details).toEqual({ field: 'name' });
    expect(refusal('customers.list', { serverId: 's1', id: 'r1', query: { sort: '1' } }).details).toEqual({ field: 'sort' });
    expect(refusal('schedules.update', { serverId: 's1', id: 'x', patch: { frequency: { kind: 'daily', at: 'noon' } } }).details).toEqual({ field: 'frequency.at' });
  });

  it('name a missing, stray or listed argument itself', () => {
    expect(refusal('customers.get', { serverId: 's1' }).details).toEqual({ field: 'id' });
    expect(refusal('servers.list', { extra: 1 }).details).toEqual({ field: 'extra' });
    expect(refusal('servers.reorder', { ids: ['ok', '../x'] }).details).toEqual({ field: 'ids[1]' });
    expect(refusal('servers.add', { name: 'HQ', url: 'https://hq.test', username: 'admin', password: 'p', fingerprint: 'zz' }).details).toEqual({ field: 'fingerprint' });
  });

  it('carry no field when the argument as a whole is wrong', () => {
    expect(refusal('servers.list', undefined)).toMatchObject({ code: 'BAD_REQUEST', details: undefined });
  });
});

describe('replication handlers', () => {
  /** A connection that records what each handler asks of it: a cached read (with its list kind) or a change. */
  function recorder() {
    const calls: unknown[][] = [];
    const connection = {
      read: async (...args: unknown[]) => (calls.push(['read', ...args]), { data: {}, asOf: null }),
      write: async (...args: unknown[]) => (calls.push(['write', ...args]), {}),
    };
    const state = { servers: { get: (id: string) => (calls.push(['server', id]), connection) } } as unknown as ConsoleState;
    return { calls, handlers: replicationHandlers(state) };
  }
  const what = (calls: unknown[][]) => calls.filter((c) => c[0] !== 'server').map(([kind, ...args]) => [kind, ...args.filter((a) => typeof a !== 'object' || a === null || !('$id' in a || 'type' in a))]);

  it('read through the offline cache (the overview as a list the cache can query) and change only live', async () => {
    const { calls, handlers } = recorder();
    const config = { enabled: true, frequency: { kind: 'daily' as const, at: '01:00' }, bandwidthLimitKBps: null, servers: [] };
    await handlers['replication.get']({ serverId: 's1' });
    await handlers['replication.update']({ serverId: 's1', config });
    await handlers['replication.overview']({ serverId: 's1', query: { q: 'con', sort: 'urgency' } });
    await handlers['replication.customer']({ serverId: 's1', id: 'c/1' });
    await handlers['replication.updateCustomer']({ serverId: 's1', id: 'c1', config: { mode: 'off' } });
    await handlers['replication.status']({ serverId: 's1', id: 'c1' });
    await handlers['replication.run']({ serverId: 's1', id: 'c1' });
    expect(calls.filter((c) => c[0] === 'server').every((c) => c[1] === 's1')).toBe(true);
    expect(what(calls)).toEqual([
      ['read', '/replication', undefined],
      ['write', 'PUT', '/replication', config],
      ['read', '/replication/customers', { q: 'con', sort: 'urgency' }, { kind: 'replicationOverview' }],
      ['read', '/customers/c%2F1/replication', undefined],
      ['write', 'PUT', '/customers/c1/replication', { mode: 'off' }],
      ['read', '/customers/c1/replication/status', undefined],
      ['write', 'POST', '/customers/c1/replication/run', undefined],
    ]);
  });

  it('refuse bad configurations at the host boundary, naming the field inside the configuration', () => {
    const config = { enabled: true, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: null, servers: [] };
    expect(refusal('replication.update', { serverId: 's1', config: { ...config, frequency: { kind: 'manual' } } }).details).toEqual({ field: 'frequency.kind' });
    expect(refusal('replication.update', { serverId: 's1', config: { ...config, bandwidthLimitKBps: 0 } }).details).toEqual({ field: 'bandwidthLimitKBps' });
    const server = { url: 'https://replica.test:8443', username: 'admin', fingerprint: 'AB' };
    expect(refusal('replication.updateCustomer', { serverId: 's1', id: 'c1', config: { mode: 'custom', frequency: { kind: 'hourly' }, servers: [server] } }).details).toEqual({
      field: 'servers[0].fingerprint',
    });
    expect(refusal('replication.run', { serverId: 's1' }).details).toEqual({ field: 'id' });
  });
});
