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
