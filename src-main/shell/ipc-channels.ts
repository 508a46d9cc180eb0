/**
 * The IPC messages between the main process (ipc.ts) and the preload (preload.ts): one definition both
 * sides import, so a renamed channel cannot go unnoticed. Type-only imports keep the sandboxed preload
 * bundle free of the bridge's runtime schemas.
 */
import type { BridgeErrorBody } from '../../src-shared/bridge.js';

/** `ipcRenderer.invoke(BRIDGE, channel, arg)`: every bridge request travels on this one IPC channel. */
export const BRIDGE = 'bridge';
/** `webContents.send(BRIDGE_EVENT, name, payload)`: every pushed event. */
export const BRIDGE_EVENT = 'bridge-event';
/** `ipcRenderer.send(CONTEXT_MENU, actionIds)`: pop up a native context menu with these MenuActions. */
export const CONTEXT_MENU = 'context-menu';

/**
 * What the main process replies to a bridge request. A rejection thrown from `ipcMain.handle` reaches the
 * renderer as a bare Error whose message is prefixed and whose code is lost, so failures travel as data
 * and the preload turns them back into a rejection.
 */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: BridgeErrorBody };
