import { Compile } from 'typebox/compile';
import { BridgeError, CHANNELS, REQUEST_ARGS, type ArgOf, type Channel, type EventName, type Events, type ResultOf } from '../../src-shared/bridge.js';

/**
 * What both hosts (Electron IPC, browser HTTP bridge) serve: the ConsoleService behind this interface.
 * A host validates the channel and argument with `checkRequest` before calling `invoke`, and forwards
 * every pushed event to its renderer.
 */
export interface BridgeBackend {
  invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>>;
  subscribe(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void;
}

const validators = new Map(CHANNELS.map((c) => [c, Compile(REQUEST_ARGS[c])]));

/** Checks an untrusted request from a renderer: a known channel and an argument of its schema. */
export function checkRequest(channel: unknown, arg: unknown): { channel: Channel; arg: ArgOf<Channel> } {
  if (typeof channel !== 'string' || !validators.has(channel as Channel)) throw new BridgeError('BAD_REQUEST', `Unknown request "${String(channel)}".`);
  const validator = validators.get(channel as Channel)!;
  if (!validator.Check(arg)) {
    const first = [...validator.Errors(arg)][0];
    const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'argument';
    throw new BridgeError('BAD_REQUEST', `${channel}: ${where} ${first?.message ?? 'is invalid'}.`);
  }
  return { channel: channel as Channel, arg: arg as ArgOf<Channel> };
}

/** Any failure as the bridge reports it: a BridgeError keeps its code; anything else never shows a stack. */
export function toBridgeError(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BridgeError('INTERNAL', `The console failed: ${message}`);
}
