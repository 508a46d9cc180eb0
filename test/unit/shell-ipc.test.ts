import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeError, CHANNELS, MENU_ACTIONS, type ServerView } from '../../src-shared/bridge.js';
import { parseMenuActions, serveBridge, serveContextMenu } from '../../src-main/shell/ipc.js';
import type { BridgeReply } from '../../src-main/shell/ipc-channels.js';
import { WindowSet } from '../../src-main/shell/window.js';
import { FakeBackend } from '../support/fake-backend.js';
import { FakeBrowserWindow, ipcEvent, ipcMain, resetFakeElectron } from '../support/fake-electron.js';

vi.mock('electron', () => import('../support/fake-electron.js'));

const server: ServerView = {
  id: 's1',
  name: 'Main',
  url: 'https://backup.example.com',
  username: 'admin',
  fingerprint: null,
  state: 'online',
  problem: null,
  info: null,
  role: 'admin',
  resellerId: null,
};

let windows: WindowSet;
let ours: FakeBrowserWindow;
let backend: FakeBackend;
let stop: () => void;

beforeEach(() => {
  resetFakeElectron();
  windows = new WindowSet();
  ours = new FakeBrowserWindow({});
  windows.add(ours as unknown as Electron.BrowserWindow);
  backend = new FakeBackend((channel) => (channel === 'servers.list' ? [server] : null));
  stop = serveBridge(backend, windows);
});

/** Calls the registered 'bridge' handler the way ipcRenderer.invoke('bridge', channel, arg) would. */
async function invoke(channel: unknown, arg: unknown, event = ipcEvent(ours.webContents, { url: 'app://console/index.html' })): Promise<BridgeReply> {
  const handler = ipcMain.handlers.get('bridge');
  if (!handler) throw new Error('no bridge handler');
  return (await handler(event, channel, arg)) as BridgeReply;
}

describe('the bridge over IPC', () => {
  it('registers one invoke handler, "bridge", and nothing else', () => {
    expect([...ipcMain.handlers.keys()]).toEqual(['bridge']);
    expect([...ipcMain.listeners.values()].flat()).toEqual([]);
    stop();
    expect(ipcMain.handlers.size).toBe(0);
    expect(backend.listeners.size).toBe(0);
  });

  it('answers a valid request with the backend result', async () => {
    expect(await invoke('servers.list', {})).toEqual({ ok: true, result: [server] });
    expect(await invoke('customers.get', { serverId: 's1', id: 'c1' })).toEqual({ ok: true, result: null });
    expect(backend.calls).toEqual([
      { channel: 'servers.list', arg: {} },
      { channel: 'customers.get', arg: { serverId: 's1', id: 'c1' } },
    ]);
  });

  it('handles every channel of the contract, each validated against its own schema', async () => {
    for (const channel of CHANNELS) {
      const reply = await invoke(channel, { notAnArgument: true });
      expect(reply.ok, channel).toBe(false);
      if (reply.ok) continue;
      expect(reply.error.code).toBe('BAD_REQUEST');
      // The channel was recognised (not "Unknown request") and its schema refused the stray property.
      expect(reply.error.message.startsWith(`${channel}:`), reply.error.message).toBe(true);
    }
    expect(backend.calls).toEqual([]);
  });

  it('rejects unknown channels and invalid payloads with BAD_REQUEST, before the backend sees them', async () => {
    expect(await invoke('fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'Unknown request "fs.readFile".' } });
    expect(await invoke({ toString: () => 'servers.list' }, {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await invoke('customers.get', { serverId: 's1' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await invoke('customers.get', { serverId: '../../x', id: 'c1' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await invoke('servers.list', undefined)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(backend.calls).toEqual([]);
  });

  it('refuses senders that are not the top frame of one of our windows showing app://console', async () => {
    const stranger = new FakeBrowserWindow({});
    const refused = [
      ipcEvent(ours.webContents, { url: 'https://evil.example.com/' }),
      ipcEvent(ours.webContents, { url: 'file:///etc/passwd' }),
      ipcEvent(ours.webContents, { url: 'app://console.evil/index.html' }),
      ipcEvent(ours.webContents, { url: 'app://console/index.html', parent: {} }),
      ipcEvent(ours.webContents, null),
      ipcEvent(stranger.webContents, { url: 'app://console/index.html' }),
    ];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const event of refused) {
      expect(await invoke('servers.list', {}, event)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'This page may not use the console bridge.' } });
    }
    expect(warn).toHaveBeenCalledTimes(refused.length);
    warn.mockRestore();
    expect(backend.calls).toEqual([]);
  });

  it('sends failures as {code, message, details}, never a stack', async () => {
    const failing = new FakeBackend((channel) => {
      if (channel === 'servers.connect') throw new BridgeError('OFFLINE', 'Main is offline.', { asOf: '2024-01-01T00:00:00Z' });
      throw new TypeError('boom');
    });
    stop();
    serveBridge(failing, windows);
    const offline = await invoke('servers.connect', { serverId: 's1' });
    expect(offline).toEqual({ ok: false, error: { code: 'OFFLINE', message: 'Main is offline.', details: { asOf: '2024-01-01T00:00:00Z' } } });
    const internal = await invoke('servers.list', {});
    expect(internal).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'The console failed: boom' } });
    expect(JSON.stringify(internal)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('pushes backend events to our windows', () => {
    const second = new FakeBrowserWindow({});
    windows.add(second as unknown as Electron.BrowserWindow);
    const stranger = new FakeBrowserWindow({});
    backend.emit('server.state', server);
    for (const win of [ours, second]) expect(win.webContents.sent).toEqual([{ channel: 'bridge-event', args: ['server.state', server] }]);
    expect(stranger.webContents.sent).toEqual([]);
  });
});

describe('context menus over IPC', () => {
  it('accepts only a non-empty list of distinct menu actions', () => {
    expect(parseMenuActions(['refresh', 'make-available-offline'])).toEqual(['refresh', 'make-available-offline']);
    expect(parseMenuActions([...MENU_ACTIONS])).toEqual([...MENU_ACTIONS]);
    expect(parseMenuActions([])).toBeNull();
    expect(parseMenuActions('refresh')).toBeNull();
    expect(parseMenuActions(['refresh', 'refresh'])).toBeNull();
    expect(parseMenuActions(['refresh', 'rm -rf /'])).toBeNull();
    expect(parseMenuActions([{}])).toBeNull();
  });

  it('pops up menus for trusted senders with valid ids only', () => {
    const popup = vi.fn();
    serveContextMenu(windows, popup);
    expect([...ipcMain.listeners.keys()]).toEqual(['context-menu']);
    const [listener] = ipcMain.listeners.get('context-menu')!;
    const trusted = ipcEvent(ours.webContents, { url: 'app://console/index.html' });
    listener!(trusted, ['refresh']);
    listener!(trusted, ['format-disk']);
    listener!(ipcEvent(ours.webContents, { url: 'https://evil.example.com/' }), ['refresh']);
    expect(popup.mock.calls).toEqual([[ours.webContents, ['refresh']]]);
  });
});
