import { Compile } from 'typebox/compile';
import type { TValidationError } from 'typebox/error';
import { BridgeError, CHANNELS, REQUESTS, type ArgOf, type Channel, type EventName, type Events, type ResultOf } from '../../src-shared/bridge.js';

/**
 * What both hosts (Electron IPC, browser HTTP bridge) serve: the ConsoleService behind this interface.
 * A host validates the channel and argument with `checkRequest` before calling `invoke`, and forwards
 * every pushed event to its renderer.
 */
export interface BridgeBackend {
  invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>>;
  subscribe(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void;
}

const validators = new Map(CHANNELS.map((c) => [c, Compile(REQUESTS[c].arg)]));

/**
 * The argument properties that carry a server request's body (or list query): a field inside them is named
 * as the server names it (`name`, not `input.name`), so a form marks its input the same way for both.
 */
const BODY_PROPERTIES = new Set(['input', 'patch', 'settings', 'config', 'query']);

/**
 * The field an argument error is about, as API.md writes it (`name`, `frequency.at`, `ids[2]`), or null when
 * the argument as a whole is wrong. A missing or stray property is named itself, not its parent object.
 */
function fieldOf(error: TValidationError): string | null {
  const params = error.params as { requiredProperties?: unknown; additionalProperties?: unknown };
  const named = [params.requiredProperties, params.additionalProperties].find(Array.isArray)?.[0];
  const segments = [...error.instancePath.split('/').filter(Boolean), ...(typeof named === 'string' ? [named] : [])];
  if (segments.length > 1 && BODY_PROPERTIES.has(segments[0]!)) segments.shift();
  if (segments.length === 0) return null;
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** What is wrong with the field `fieldOf` names: a missing or stray property is named itself, so say so. */
function problemOf(error: { params: unknown; message: string }): string {
  const params = error.params as { requiredProperties?: unknown; additionalProperties?: unknown };
  if (Array.isArray(params.requiredProperties)) return 'is required';
  if (Array.isArray(params.additionalProperties)) return 'is not a field of this request';
  return error.message;
}

/** Checks an untrusted request from a renderer: a known channel and an argument of its schema. */
export function checkRequest(channel: unknown, arg: unknown): { channel: Channel; arg: ArgOf<Channel> } {
  if (typeof channel !== 'string' || !validators.has(channel as Channel)) throw new BridgeError('BAD_REQUEST', `Unknown request "${String(channel)}".`);
  const validator = validators.get(channel as Channel)!;
  if (!validator.Check(arg)) {
    const first = [...validator.Errors(arg)][0];
    const field = first ? fieldOf(first) : null;
    // The message names the field as details.field does, so a form can show it under that field as is.
    throw new BridgeError('BAD_REQUEST', `${channel}: ${field ?? 'argument'} ${first ? problemOf(first) : 'is invalid'}.`, field === null ? undefined : { field });
  }
  return { channel: channel as Channel, arg: arg as ArgOf<Channel> };
}

/** Any failure as the bridge reports it: a BridgeError keeps its code; anything else never shows a stack. */
export function toBridgeError(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BridgeError('INTERNAL', `The console failed: ${message}`);
}
