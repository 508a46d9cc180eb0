import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startShell } from '../../src-main/shell/app.js';
import { FakeBackend } from '../support/fake-backend.js';
import * as fake from '../support/fake-electron.js';

vi.mock('electron', () => import('../support/fake-electron.js'));

const signalListeners = new Map<string, NodeJS.SignalsListener[]>();

beforeEach(() => {
  fake.resetFakeElectron();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) signalListeners.set(signal, process.listeners(signal));
});

afterEach(() => {
  // startShell quits the app on SIGINT/SIGTERM; take those listeners off the test process again.
  for (const [signal, before] of signalListeners) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) if (!before.includes(listener)) process.off(signal, listener);
  }
});

const saved = { x: 40, y: 50, width: 1100, height: 720, maximized: true };

function backendWithSettings(): FakeBackend {
  const settings = new Map<string, unknown>([['window.main', saved]]);
  return new FakeBackend((channel, arg) => {
    const { key, value } = arg as { key: string; value?: unknown };
    if (channel === 'settings.get') return settings.get(key) ?? null;
    if (channel === 'settings.set') settings.set(key, value);
    if (channel === 'servers.list') return [{ url: 'https://backup.example.com' }];
    return null;
  });
}

/** Starts the shell and plays Electron's "ready". */
async function start(backend: FakeBackend, argv = ['electron', '.', '--demo', '--data-dir', '/tmp/bc-data']) {
  const opened: { dataDir: string; demo: boolean }[] = [];
  const running = startShell({ argv, openBackend: async (options) => (opened.push(options), backend) });
  await Promise.resolve();
  const beforeReady = { windows: fake.BrowserWindow.instances.length, privileged: [...fake.protocol.privileged] };
  fake.app.becomeReady();
  await running;
  return { opened, beforeReady };
}

describe('startShell', () => {
  it('sets up security before the first window, then opens the ConsoleService and the main window', async () => {
    const backend = backendWithSettings();
    const { opened, beforeReady } = await start(backend);

    expect(beforeReady.windows).toBe(0);
    expect(beforeReady.privileged).toEqual([expect.objectContaining({ scheme: 'app' })]);
    expect(fake.app.sandboxed).toBe(true);
    expect(fake.app.paths.get('userData')).toBe('/tmp/bc-data');
    expect(fake.app.listenerCount('web-contents-created')).toBe(1);
    expect(fake.app.listenerCount('certificate-error')).toBe(1);
    expect(fake.session.defaultSession.requestHandler).not.toBeNull();

    expect(opened).toEqual([{ dataDir: '/tmp/bc-data', demo: true }]);
    expect([...fake.ipcMain.handlers.keys()]).toEqual(['bridge']);
    expect([...fake.ipcMain.listeners.keys()]).toEqual(['context-menu']);
    expect([...fake.protocol.handlers.keys()]).toEqual(['app']);
    expect(fake.Menu.application).not.toBeNull();

    const [win] = fake.BrowserWindow.instances;
    expect(fake.BrowserWindow.instances).toHaveLength(1);
    expect(win!.options).toMatchObject({
      x: 40,
      y: 50,
      width: 1100,
      height: 720,
      title: 'Backup Console',
      webPreferences: { preload: '/app/dist/main/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    expect(win!.maximized).toBe(true);
    expect(win!.loaded).toEqual(['app://console/index.html']);
  });

  it('pushes menu actions to the focused window as menu.action events', async () => {
    await start(backendWithSettings());
    const [win] = fake.BrowserWindow.instances;
    const server = fake.Menu.application!.template.find((menu) => menu.label === '&Server')!;
    const refresh = (server.submenu as Electron.MenuItemConstructorOptions[]).find((item) => item.id === 'refresh')!;
    refresh.click!(...([{}, undefined, {}] as unknown as Parameters<NonNullable<Electron.MenuItemConstructorOptions['click']>>));
    expect(win!.webContents.sent).toEqual([{ channel: 'bridge-event', args: ['menu.action', { action: 'refresh' }] }]);
  });

  it('pops up context menus over the sending window and sends the choice back to it', async () => {
    await start(backendWithSettings());
    const [win] = fake.BrowserWindow.instances;
    const [listener] = fake.ipcMain.listeners.get('context-menu')!;
    listener!(fake.ipcEvent(win!.webContents, { url: 'app://console/index.html' }), ['make-available-offline', 'refresh']);
    const menu = fake.Menu.built.at(-1)!;
    expect(menu.template.map((item) => item.id)).toEqual(['make-available-offline', 'refresh']);
    expect(menu.popups).toEqual([{ window: win }]);
    menu.template[0]!.click!(...([{}, undefined, {}] as unknown as Parameters<NonNullable<Electron.MenuItemConstructorOptions['click']>>));
    expect(win!.webContents.sent).toEqual([{ channel: 'bridge-event', args: ['menu.action', { action: 'make-available-offline' }] }]);
  });

  it('opens only registered servers\u2019 API documents in the system browser', async () => {
    await start(backendWithSettings());
    const contents = new fake.FakeWebContents();
    fake.app.fire('web-contents-created', {}, contents);
    contents.windowOpenHandler!({ url: 'https://backup.example.com/api/v1/openapi.json' } as Electron.HandlerDetails);
    contents.windowOpenHandler!({ url: 'https://other.example.com/api/v1/openapi.json' } as Electron.HandlerDetails);
    contents.windowOpenHandler!({ url: 'https://backup.example.com/admin' } as Electron.HandlerDetails);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.shell.opened).toEqual(['https://backup.example.com/api/v1/openapi.json']);
  });

  it('saves the window bounds on close, quits when the last window closes, and closes the service before exiting', async () => {
    const backend = backendWithSettings();
    await start(backend);
    const [win] = fake.BrowserWindow.instances;
    win!.maximized = false;
    win!.bounds = { x: 10, y: 20, width: 1000, height: 700 };
    win!.close();
    fake.app.fire('window-all-closed');
    expect(fake.app.quitCalls).toBe(1);

    const quit = { prevented: false, preventDefault() { this.prevented = true; } };
    fake.app.fire('will-quit', quit);
    expect(quit.prevented).toBe(true);
    await vi.waitFor(() => expect(fake.app.exitCode).toBe(0));
    expect(backend.closed).toBe(1);
    expect(backend.calls).toContainEqual({ channel: 'settings.set', arg: { key: 'window.main', value: { x: 10, y: 20, width: 1000, height: 700, maximized: false } } });
    // The save came before the close.
    expect(backend.calls.at(-1)?.channel).toBe('settings.set');
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(backend.listeners.size).toBe(0);
  });

  it('lets the first instance have the window when another one runs', async () => {
    fake.app.singleInstance = false;
    const backend = backendWithSettings();
    const opened: unknown[] = [];
    await startShell({ argv: [], openBackend: async (o) => (opened.push(o), backend) });
    expect(fake.app.quitCalls).toBe(1);
    expect(opened).toEqual([]);
    expect(fake.BrowserWindow.instances).toEqual([]);
  });

  it('says why and exits 1 when the ConsoleService cannot open', async () => {
    const running = startShell({
      argv: [],
      openBackend: async () => {
        throw new Error('The settings folder is not writable.');
      },
    });
    fake.app.becomeReady();
    await running;
    expect(fake.dialog.errors).toEqual([{ title: 'Backup Console could not start', content: 'The settings folder is not writable.' }]);
    expect(fake.app.exitCode).toBe(1);
    expect(fake.BrowserWindow.instances).toEqual([]);
  });
});
