/**
 * The preload: gives the page `window.backupConsole`, exactly the Bridge of the contract (invoke, on) and
 * nothing else — never ipcRenderer itself (Electron security checklist item 20). The only file that
 * touches `ipcRenderer` (lint-enforced). Bundled as CommonJS (dist/main/preload.cjs) because sandboxed
 * preloads cannot be ES modules; it imports only types, so the bundle stays a few lines.
 *
 * It also turns right-clicks on elements marked `data-context-actions="refresh make-available-offline"`
 * into a native context menu: the page declares which actions apply, the main process checks the ids.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ArgOf, Bridge, BridgeErrorBody, Channel, EventName, Events, ResultOf } from '../../src-shared/bridge.js';
import { BRIDGE, BRIDGE_EVENT, CONTEXT_MENU, type BridgeReply } from './ipc-channels.js';

/** Kept in step with BRIDGE_GLOBAL in src-shared/web-bridge-client.ts (a test checks it). */
const GLOBAL_NAME = 'backupConsole';

const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(BRIDGE_EVENT, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

/**
 * Rejections are plain `{name, code, message, details}` objects: contextBridge copies an Error with its
 * message only, and the page needs the code (connectBridge() in web-bridge-client.ts revives a BridgeError).
 */
function rejection(error: BridgeErrorBody): BridgeErrorBody & { name: 'BridgeError' } {
  return { name: 'BridgeError', ...error };
}

const bridge: Bridge = {
  async invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>> {
    let reply: BridgeReply;
    try {
      reply = (await ipcRenderer.invoke(BRIDGE, channel, arg)) as BridgeReply;
    } catch (err) {
      throw rejection({ code: 'INTERNAL', message: `The console's main process did not answer: ${(err as Error).message}` });
    }
    if (reply.ok) return reply.result as ResultOf<C>;
    throw rejection(reply.error);
  },
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    // The main process sends each event with its contract payload; the map just cannot say so per name.
    const untyped = listener as (payload: unknown) => void;
    set.add(untyped);
    return () => {
      set.delete(untyped);
    };
  },
};

contextBridge.exposeInMainWorld(GLOBAL_NAME, bridge);

/** The few DOM members used below: this file compiles without the DOM library. */
interface ContextMenuEvent {
  target: unknown;
  preventDefault(): void;
}
interface MarkedElement {
  closest(selector: string): { getAttribute(name: string): string | null } | null;
}
const page = globalThis as unknown as { addEventListener(type: 'contextmenu', listener: (event: ContextMenuEvent) => void): void };

page.addEventListener('contextmenu', (event) => {
  const target = event.target as Partial<MarkedElement> | null;
  const marked = typeof target?.closest === 'function' ? target.closest('[data-context-actions]') : null;
  const ids = marked?.getAttribute('data-context-actions')?.trim();
  if (!ids) return;
  event.preventDefault();
  ipcRenderer.send(CONTEXT_MENU, ids.split(/\s+/));
});
