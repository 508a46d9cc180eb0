/**
 * The one way this app makes a window, and the memory of where the user left it.
 *
 * Like VS Code's window factory, `createWindow` spreads the caller's options first and the security
 * preferences last, so no caller (nor a future edit at a call site) can turn isolation off.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions, type Rectangle, type WebContents, type WebPreferences } from 'electron';
import type { BridgeBackend } from '../core/backend.js';

/** Electron security checklist items 2–4, 6 and 8–12: no Node in any renderer, isolated, sandboxed, no webviews. */
export const LOCKED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
} as const satisfies WebPreferences;

export interface WindowOptions extends Omit<BrowserWindowConstructorOptions, 'webPreferences'> {
  /** Absolute path of the preload bundle. */
  preload: string;
  webPreferences?: WebPreferences;
}

export function createWindow(options: WindowOptions): BrowserWindow {
  // enableBlinkFeatures switches on experimental web platform features; no caller gets to.
  const { preload, webPreferences, ...windowOptions } = options;
  const { enableBlinkFeatures: _dropped, ...callerPreferences } = webPreferences ?? {};
  const win = new BrowserWindow({
    show: false,
    ...windowOptions,
    webPreferences: { ...callerPreferences, preload, ...LOCKED_WEB_PREFERENCES },
  });
  // Shown once painted, so the user never sees an empty white frame.
  if (!win.isVisible()) win.once('ready-to-show', () => win.show());
  return win;
}

/** The windows this app made: the only senders the bridge answers and the only receivers of its events. */
export class WindowSet {
  private readonly windows = new Set<BrowserWindow>();

  add(win: BrowserWindow): void {
    this.windows.add(win);
    win.once('closed', () => this.windows.delete(win));
  }

  list(): BrowserWindow[] {
    return [...this.windows].filter((win) => !win.isDestroyed());
  }

  owns(contents: WebContents): boolean {
    return this.list().some((win) => win.webContents === contents);
  }

  /** The focused window of ours, else the first one: where application-menu actions go. */
  current(): BrowserWindow | undefined {
    const windows = this.list();
    return windows.find((win) => win.isFocused()) ?? windows[0];
  }
}

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 800 } as const;
export const MIN_SIZE = { width: 800, height: 500 } as const;

/** The stored bounds if they have the right shape, else null (the setting is user-editable JSON). */
export function parseBounds(value: unknown): WindowBounds | null {
  if (typeof value !== 'object' || value === null) return null;
  const { x, y, width, height, maximized } = value as Record<string, unknown>;
  const ints = [x, y, width, height];
  if (!ints.every((n) => Number.isSafeInteger(n)) || typeof maximized !== 'boolean') return null;
  return { x: x as number, y: y as number, width: width as number, height: height as number, maximized };
}

/**
 * Where to open the window: the saved size (at least MIN_SIZE, at most the largest screen) and the saved
 * position only while its top edge is still on a screen (a monitor may have been unplugged since);
 * without a position Electron centers the window.
 */
export function placeWindow(saved: WindowBounds | null, workAreas: readonly Rectangle[]): Partial<Rectangle> & { width: number; height: number } {
  if (!saved) return { ...DEFAULT_SIZE };
  const maxWidth = Math.max(MIN_SIZE.width, ...workAreas.map((area) => area.width));
  const maxHeight = Math.max(MIN_SIZE.height, ...workAreas.map((area) => area.height));
  const width = Math.min(Math.max(saved.width, MIN_SIZE.width), maxWidth);
  const height = Math.min(Math.max(saved.height, MIN_SIZE.height), maxHeight);
  // The title bar (top 40 px, at least 100 px of it) must be reachable, or the user cannot move the window.
  const titleBarVisible = workAreas.some(
    (area) =>
      saved.y >= area.y &&
      saved.y + 40 <= area.y + area.height &&
      Math.min(saved.x + width, area.x + area.width) - Math.max(saved.x, area.x) >= 100,
  );
  return titleBarVisible ? { x: saved.x, y: saved.y, width, height } : { width, height };
}

export interface BoundsStore {
  load(): Promise<WindowBounds | null>;
  save(bounds: WindowBounds): Promise<void>;
}

/** Window bounds kept with the console's other non-secret settings (settings.get/settings.set). */
export function settingsBoundsStore(backend: BridgeBackend, key = 'window.main'): BoundsStore {
  return {
    load: async () => parseBounds(await backend.invoke('settings.get', { key })),
    save: async (bounds) => {
      await backend.invoke('settings.set', { key, value: bounds });
    },
  };
}

/**
 * Saves the window's bounds a moment after it stops moving or resizing, and at once when it closes.
 * `idle()` settles once no save is in flight: the service must stay open until the last one is written.
 */
export function rememberBounds(win: BrowserWindow, store: BoundsStore, delayMs = 500): { idle(): Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (win.isDestroyed()) return;
    // Normal bounds: a maximized or full-screen window restores to the size the user last chose.
    const bounds: WindowBounds = { ...win.getNormalBounds(), maximized: win.isMaximized() };
    inFlight = inFlight
      .then(() => store.save(bounds))
      .catch((err: unknown) => console.warn(`Could not save the window position: ${(err as Error).message}`));
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', save);
  return { idle: () => inFlight };
}
