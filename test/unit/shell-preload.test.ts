import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bridge, ServerView } from '../../src-shared/bridge.js';
import { BRIDGE_GLOBAL, connectBridge } from '../../src-shared/web-bridge-client.js';
import { BridgeError } from '../../src-shared/bridge.js';
import { contextBridge, ipcRenderer } from '../support/fake-electron.js';

vi.mock('electron', () => import('../support/fake-electron.js'));

type ContextMenuListener = (event: { target: unknown; preventDefault(): void }) => void;
const pageListeners: { type: string; listener: ContextMenuListener }[] = [];
let exposed: Bridge;

beforeAll(async () => {
  // The sandboxed preload runs with the page's window as its global; give the test's global the one method used.
  vi.stubGlobal('addEventListener', (type: string, listener: ContextMenuListener) => pageListeners.push({ type, listener }));
  await import('../../src-main/shell/preload.js');
  exposed = contextBridge.exposed.get(BRIDGE_GLOBAL) as Bridge;
});

beforeEach(() => {
  ipcRenderer.invoked.length = 0;
  ipcRenderer.sent.length = 0;
});

/** The main process sending webContents.send('bridge-event', name, payload). */
function push(name: unknown, payload: unknown): void {
  for (const listener of ipcRenderer.listeners.get('bridge-event') ?? []) listener({} as Electron.IpcRendererEvent, name, payload);
}

describe('preload', () => {
  it('exposes exactly the Bridge (invoke, on) under the name the renderer looks for', () => {
    expect([...contextBridge.exposed.keys()]).toEqual([BRIDGE_GLOBAL]);
    expect(Object.keys(exposed).sort()).toEqual(['invoke', 'on']);
    expect(typeof exposed.invoke).toBe('function');
    expect(typeof exposed.on).toBe('function');
  });

  it('invokes the one bridge channel and resolves with the result', async () => {
    ipcRenderer.answer = async () => ({ ok: true, result: { bytes: 42 } });
    expect(await exposed.invoke('offline.size', {})).toEqual({ bytes: 42 });
    expect(ipcRenderer.invoked).toEqual([{ channel: 'bridge', args: ['offline.size', {}] }]);
  });

  it('rejects with a plain {name, code, message, details} object the page can read', async () => {
    ipcRenderer.answer = async () => ({ ok: false, error: { code: 'OFFLINE', message: 'Main is offline.', details: { serverId: 's1' } } });
    await expect(exposed.invoke('servers.connect', { serverId: 's1' })).rejects.toEqual({ name: 'BridgeError', code: 'OFFLINE', message: 'Main is offline.', details: { serverId: 's1' } });
    ipcRenderer.answer = async () => {
      throw new Error('No handler registered for bridge');
    };
    await expect(exposed.invoke('offline.size', {})).rejects.toMatchObject({ name: 'BridgeError', code: 'INTERNAL' });
  });

  it('delivers pushed events to subscribers until they unsubscribe', () => {
    const states: ServerView[] = [];
    const unsubscribe = exposed.on('server.state', (view) => states.push(view));
    const view = { id: 's1', name: 'Main' } as ServerView;
    push('server.state', view);
    push('servers.changed', [view]);
    push(42, view);
    unsubscribe();
    push('server.state', view);
    expect(states).toEqual([view]);
  });

  it('turns right-clicks on marked elements into context-menu requests', () => {
    const [contextmenu] = pageListeners.filter((l) => l.type === 'contextmenu');
    if (!contextmenu) throw new Error('no contextmenu listener');
    const rightClick = (attribute: string | null) => {
      const event = { prevented: false, preventDefault() { this.prevented = true; }, target: { closest: () => (attribute === null ? null : { getAttribute: () => attribute }) } };
      contextmenu.listener(event);
      return event.prevented;
    };
    expect(rightClick(' refresh  make-available-offline ')).toBe(true);
    expect(rightClick(null)).toBe(false);
    expect(rightClick('')).toBe(false);
    expect(ipcRenderer.sent).toEqual([{ channel: 'context-menu', args: [['refresh', 'make-available-offline']] }]);
  });
});

describe('connectBridge in Electron', () => {
  it('uses the preload bridge and revives its rejections as BridgeError', async () => {
    vi.stubGlobal(BRIDGE_GLOBAL, exposed);
    ipcRenderer.answer = async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'No such customer.' } });
    const bridge = connectBridge();
    const error = await bridge.invoke('customers.get', { serverId: 's1', id: 'c9' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No such customer.' });
    vi.unstubAllGlobals();
  });
});
