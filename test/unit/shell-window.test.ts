import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from '../support/fake-electron.js';
import { createWindow, LOCKED_WEB_PREFERENCES, parseBounds, placeWindow, rememberBounds, settingsBoundsStore, WindowSet, type WindowBounds } from '../../src-main/shell/window.js';
import type { BridgeBackend } from '../../src-main/core/backend.js';

vi.mock('electron', () => import('../support/fake-electron.js'));

afterEach(() => {
  vi.useRealTimers();
});

describe('createWindow', () => {
  it('applies the security preferences last, whatever the caller asks for', () => {
    const win = createWindow({
      width: 900,
      preload: '/app/dist/main/preload.cjs',
      webPreferences: {
        contextIsolation: false,
        sandbox: false,
        nodeIntegration: true,
        nodeIntegrationInWorker: true,
        nodeIntegrationInSubFrames: true,
        webSecurity: false,
        allowRunningInsecureContent: true,
        webviewTag: true,
        experimentalFeatures: true,
        enableBlinkFeatures: 'CSSPseudoHas',
        preload: '/tmp/evil.js',
        spellcheck: false,
      },
    }) as unknown as FakeBrowserWindow;

    const prefs = win.options.webPreferences!;
    expect(prefs).toMatchObject(LOCKED_WEB_PREFERENCES);
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/app/dist/main/preload.cjs');
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    // Harmless caller preferences and window options pass through.
    expect(prefs.spellcheck).toBe(false);
    expect(win.options.width).toBe(900);
  });

  it('keeps the window hidden until it has painted', () => {
    const win = createWindow({ preload: '/p.cjs' }) as unknown as FakeBrowserWindow;
    expect(win.options.show).toBe(false);
    expect(win.isVisible()).toBe(false);
    win.fire('ready-to-show');
    expect(win.isVisible()).toBe(true);
  });
});

describe('WindowSet', () => {
  it('owns the web contents of its windows only, and forgets closed windows', () => {
    const windows = new WindowSet();
    const a = createWindow({ preload: '/p.cjs' });
    const b = createWindow({ preload: '/p.cjs' });
    const stranger = new FakeBrowserWindow({});
    windows.add(a);
    windows.add(b);
    expect(windows.owns(a.webContents)).toBe(true);
    expect(windows.owns(stranger.webContents as unknown as Electron.WebContents)).toBe(false);

    (b as unknown as FakeBrowserWindow).focused = true;
    expect(windows.current()).toBe(b);
    (b as unknown as FakeBrowserWindow).close();
    expect(windows.owns(b.webContents)).toBe(false);
    expect(windows.list()).toEqual([a]);
    expect(windows.current()).toBe(a);
  });
});

describe('window bounds', () => {
  const screenArea = { x: 0, y: 0, width: 1920, height: 1080 };

  it('parses only well-formed stored bounds', () => {
    expect(parseBounds({ x: 10, y: 20, width: 1000, height: 700, maximized: false })).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: false });
    expect(parseBounds(null)).toBeNull();
    expect(parseBounds('1000x700')).toBeNull();
    expect(parseBounds({ x: 10, y: 20, width: '1000', height: 700, maximized: false })).toBeNull();
    expect(parseBounds({ x: 10.5, y: 20, width: 1000, height: 700, maximized: false })).toBeNull();
    expect(parseBounds({ x: 10, y: 20, width: 1000, height: 700 })).toBeNull();
  });

  it('restores size and position while the title bar is on a screen', () => {
    expect(placeWindow(null, [screenArea])).toEqual({ width: 1280, height: 800 });
    expect(placeWindow({ x: 50, y: 60, width: 1000, height: 700, maximized: false }, [screenArea])).toEqual({ x: 50, y: 60, width: 1000, height: 700 });
    // The monitor it was on is gone: keep the size, let Electron center it.
    expect(placeWindow({ x: 3000, y: 60, width: 1000, height: 700, maximized: false }, [screenArea])).toEqual({ width: 1000, height: 700 });
    // Too small grows to the minimum; too big shrinks to the screen.
    expect(placeWindow({ x: 0, y: 0, width: 100, height: 100, maximized: false }, [screenArea])).toEqual({ x: 0, y: 0, width: 800, height: 500 });
    expect(placeWindow({ x: 0, y: 0, width: 5000, height: 5000, maximized: false }, [screenArea])).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
  });

  it('saves after moves and resizes settle, and at once on close', async () => {
    vi.useFakeTimers();
    const saved: WindowBounds[] = [];
    const win = createWindow({ preload: '/p.cjs', x: 10, y: 20, width: 1000, height: 700 }) as unknown as FakeBrowserWindow;
    const memory = rememberBounds(win as unknown as Electron.BrowserWindow, { load: async () => null, save: async (b) => void saved.push(b) }, 500);

    win.bounds = { x: 30, y: 40, width: 1000, height: 700 };
    win.fire('move');
    win.bounds = { x: 30, y: 40, width: 1100, height: 750 };
    win.fire('resize');
    await vi.advanceTimersByTimeAsync(499);
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await memory.idle();
    expect(saved).toEqual([{ x: 30, y: 40, width: 1100, height: 750, maximized: false }]);

    win.maximized = true;
    win.fire('maximize');
    win.close();
    await memory.idle();
    expect(saved.at(-1)).toEqual({ x: 30, y: 40, width: 1100, height: 750, maximized: true });
    // The pending debounce was replaced by the close-time save, not added to it.
    await vi.advanceTimersByTimeAsync(1000);
    expect(saved).toHaveLength(2);
  });

  it('keeps bounds in the console settings through the bridge backend', async () => {
    const settings = new Map<string, unknown>();
    const invoke = vi.fn(async (channel: string, arg: { key: string; value?: unknown }) => {
      if (channel === 'settings.set') settings.set(arg.key, arg.value);
      return channel === 'settings.get' ? (settings.get(arg.key) ?? null) : null;
    });
    const backend = { invoke, subscribe: () => () => {} } as unknown as BridgeBackend;
    const store = settingsBoundsStore(backend);
    expect(await store.load()).toBeNull();
    await store.save({ x: 1, y: 2, width: 900, height: 600, maximized: true });
    expect(invoke).toHaveBeenCalledWith('settings.set', { key: 'window.main', value: { x: 1, y: 2, width: 900, height: 600, maximized: true } });
    expect(await store.load()).toEqual({ x: 1, y: 2, width: 900, height: 600, maximized: true });
  });
});
