/**
 * The main-process end of IPC, and the only file that touches `ipcMain` (lint-enforced). Like GitHub
 * Desktop's typed wrappers, nothing else registers a channel, and every message is checked twice: who sent
 * it (one of our windows, showing app://console) and what it carries (the bridge schemas).
 */
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { BridgeError, MENU_ACTIONS, type EventName, type Events, type MenuAction } from '../../src-shared/bridge.js';
import { checkRequest, toBridgeError, type BridgeBackend } from '../core/backend.js';
import { BRIDGE, BRIDGE_EVENT, CONTEXT_MENU, type BridgeReply } from './ipc-channels.js';
import { isAppUrl } from './protocol.js';

/** What ipc.ts needs to know about the app's windows (window.ts's WindowSet). */
export interface OwnWindows {
  owns(contents: WebContents): boolean;
  list(): readonly { webContents: WebContents }[];
}

/**
 * A sender is trusted when it is the top frame of one of our windows and shows our renderer: not an
 * iframe, not a page that got navigated elsewhere, not a window some other code opened.
 */
export function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent, windows: OwnWindows): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url) && windows.owns(event.sender);
}

/**
 * Serves the bridge: `ipcRenderer.invoke('bridge', channel, arg)` → the backend, and the backend's events →
 * every window of ours. Returns the function that stops both.
 */
export function serveBridge(backend: BridgeBackend, windows: OwnWindows): () => void {
  ipcMain.handle(BRIDGE, async (event, channel: unknown, arg: unknown): Promise<BridgeReply> => {
    try {
      if (!isTrustedSender(event, windows)) {
        console.warn(`Refused a bridge request from an untrusted sender (${event.senderFrame?.url ?? 'no frame'}).`);
        throw new BridgeError('FORBIDDEN', 'This page may not use the console bridge.');
      }
      const request = checkRequest(channel, arg);
      return { ok: true, result: await backend.invoke(request.channel, request.arg) };
    } catch (err) {
      // Code, message and details only: a stack trace would tell the page about our internals.
      return { ok: false, error: toBridgeError(err).toJSON() };
    }
  });
  const unsubscribe = backend.subscribe((event, payload) => sendEvent(windows.list(), event, payload));
  return () => {
    ipcMain.removeHandler(BRIDGE);
    unsubscribe();
  };
}

/** Pushes one bridge event to the given windows (the preload hands it to the page's `on` listeners). */
export function sendEvent<E extends EventName>(targets: readonly { webContents: WebContents }[], event: E, payload: Events[E]): void {
  for (const { webContents } of targets) webContents.send(BRIDGE_EVENT, event, payload);
}

/** The action ids of a context-menu request, if they are a non-empty list of distinct MenuActions. */
export function parseMenuActions(ids: unknown): MenuAction[] | null {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MENU_ACTIONS.length || new Set(ids).size !== ids.length) return null;
  return ids.every((id): id is MenuAction => (MENU_ACTIONS as readonly unknown[]).includes(id)) ? ids : null;
}

/**
 * Serves `ipcRenderer.send('context-menu', actionIds)` (sent by the preload on right-click): trusted
 * senders with valid ids get `popup(sender, actions)`; anything else is dropped.
 */
export function serveContextMenu(windows: OwnWindows, popup: (sender: WebContents, actions: MenuAction[]) => void): () => void {
  const listener = (event: IpcMainEvent, ids: unknown) => {
    const actions = parseMenuActions(ids);
    if (actions && isTrustedSender(event, windows)) popup(event.sender, actions);
  };
  ipcMain.on(CONTEXT_MENU, listener);
  return () => ipcMain.removeListener(CONTEXT_MENU, listener);
}
