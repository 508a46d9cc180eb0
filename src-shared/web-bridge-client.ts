/**
 * The renderer's way to its host, whichever it is: `connectBridge()` returns the Electron preload's bridge
 * when there is one, else a bridge over the browser host's HTTP endpoints (`POST /bridge/<channel>`,
 * Server-Sent Events on `GET /bridge/events`). Browser APIs only (fetch, EventSource), typed here by the few
 * members used, so the file compiles with or without the DOM library and runs in any page.
 */
import { BridgeError, type ArgOf, type Bridge, type Channel, type EventName, type Events, type ResultOf } from './bridge.js';

/** The global the Electron preload exposes the bridge under (`window.backupConsole`). */
export const BRIDGE_GLOBAL = 'backupConsole';

interface FetchResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}
interface FetchInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  credentials: 'same-origin';
}
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

interface MessageLike {
  data: string;
}
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageLike) => void): void;
  close(): void;
}
export type EventSourceFactory = new (url: string) => EventSourceLike;

export interface WebBridgeOptions {
  /** Where the host is; '' (the default) means the page's own origin. */
  baseUrl?: string;
  fetch?: FetchLike;
  EventSource?: EventSourceFactory;
}

type Listener = (payload: never) => void;

/** A bridge over the browser host's HTTP API. Failures reject with BridgeError, as in Electron. */
export function createWebBridge(options: WebBridgeOptions = {}): Bridge {
  const base = options.baseUrl ?? '';
  const page = globalThis as { fetch?: FetchLike; EventSource?: EventSourceFactory };
  const fetchFn = options.fetch ?? page.fetch?.bind(globalThis);
  const EventSourceCtor = options.EventSource ?? page.EventSource;
  const listeners = new Map<string, Set<Listener>>();
  let source: EventSourceLike | null = null;

  // One stream for all subscriptions; a name gets its SSE listener when first subscribed.
  const listen = (name: string) =>
    source?.addEventListener(name, (message) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        return; // the host only sends JSON; anything else is not an event of ours
      }
      for (const listener of listeners.get(name) ?? []) (listener as (payload: unknown) => void)(payload);
    });

  return {
    async invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>> {
      if (!fetchFn) throw new BridgeError('HOST_UNREACHABLE', 'This page has no fetch(): it cannot reach the console host.');
      let response: FetchResponse;
      try {
        response = await fetchFn(`${base}/bridge/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(arg),
          credentials: 'same-origin',
        });
      } catch {
        throw new BridgeError('HOST_UNREACHABLE', 'The console host does not answer: is `npm run web` still running?');
      }
      const body = await response.json().catch(() => undefined);
      if (response.ok) return body as ResultOf<C>;
      throw reviveBridgeError(isRecord(body) ? body.error : undefined, `The console host answered ${response.status}.`);
    },

    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      if (!EventSourceCtor) throw new BridgeError('HOST_UNREACHABLE', 'This page has no EventSource: it cannot receive console events.');
      source ??= new EventSourceCtor(`${base}/bridge/events`);
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        listen(event);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if ([...listeners.values()].every((s) => s.size === 0)) {
          // Nobody listens any more: close the stream rather than keep a connection to the host open.
          source?.close();
          source = null;
          listeners.clear();
        }
      };
    },
  };
}

/**
 * A BridgeError from whatever a host rejected with. The Electron preload rejects with a plain
 * `{code, message, details}` object (contextBridge strips an Error's own properties); the browser host
 * sends the same object as JSON.
 */
export function reviveBridgeError(value: unknown, fallback = 'The console failed.'): BridgeError {
  if (value instanceof BridgeError) return value;
  if (isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string') {
    return new BridgeError(value.code, value.message, isRecord(value.details) ? value.details : undefined);
  }
  return new BridgeError('INTERNAL', value instanceof Error ? value.message : fallback);
}

/**
 * The bridge for this page: Electron's (`window.backupConsole`, with its rejections turned into
 * BridgeError) or, in a plain browser, the HTTP one.
 */
export function connectBridge(): Bridge {
  const preload = (globalThis as { [BRIDGE_GLOBAL]?: Bridge })[BRIDGE_GLOBAL];
  if (!preload) return createWebBridge();
  return {
    invoke: (channel, arg) =>
      preload.invoke(channel, arg).catch((err: unknown) => {
        throw reviveBridgeError(err);
      }),
    on: (event, listener) => preload.on(event, listener),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
