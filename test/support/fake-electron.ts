/**
 * A typed fake of the parts of the `electron` module the shell uses, for `vi.mock('electron', …)`: the
 * Electron binary cannot be downloaded on our build machines (DESIGN.md), and no test may load it.
 *
 * Every fake records what the shell asked of it (window options, IPC handlers, menu templates, app
 * listeners, protocol handlers, the API exposed to the page) and lets the test play Electron's part
 * (emit app and window events, call handlers). Inputs are typed with Electron's own types (the global
 * `Electron` namespace of electron.d.ts), so a fake cannot drift from the API the shell compiles against.
 */
import { EventEmitter } from 'node:events';

export class FakeSession {
  requestHandler: Parameters<Electron.Session['setPermissionRequestHandler']>[0] = null;
  checkHandler: Parameters<Electron.Session['setPermissionCheckHandler']>[0] = null;
  setPermissionRequestHandler(handler: Parameters<Electron.Session['setPermissionRequestHandler']>[0]): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: Parameters<Electron.Session['setPermissionCheckHandler']>[0]): void {
    this.checkHandler = handler;
  }
}

export class FakeWebContents extends EventEmitter {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0] | null = null;
  url = 'app://console/index.html';
  readonly session = new FakeSession();
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0]): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
  /** The test playing Electron: emits `event` as Electron would. */
  fire(event: string, ...args: unknown[]): void {
    this.emit(event, ...args);
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  static fromWebContents(contents: unknown): FakeBrowserWindow | null {
    return FakeBrowserWindow.instances.find((win) => win.webContents === contents) ?? null;
  }

  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  bounds: Electron.Rectangle;
  visible = false;
  focused = false;
  maximized = false;
  destroyed = false;

  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
    super();
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width ?? 800, height: options.height ?? 600 };
    this.visible = options.show ?? true;
    FakeBrowserWindow.instances.push(this);
  }
  isVisible(): boolean {
    return this.visible;
  }
  show(): void {
    this.visible = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    this.focused = true;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds(): Electron.Rectangle {
    return { ...this.bounds };
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  /** The test playing Electron: emits `event` as Electron would. */
  fire(event: string, ...args: unknown[]): void {
    this.emit(event, ...args);
  }
  /** What Electron does when the user closes the window. */
  close(): void {
    this.fire('close', { preventDefault() {} });
    this.destroyed = true;
    this.fire('closed');
  }
}

class FakeApp extends EventEmitter {
  singleInstance = true;
  readonly paths = new Map<string, string>();
  appPath = '/app';
  sandboxed = false;
  quitCalls = 0;
  exitCode: number | null = null;
  private ready!: () => void;
  private readyPromise = new Promise<void>((resolve) => (this.ready = resolve));

  reset(): void {
    this.removeAllListeners();
    this.readyPromise = new Promise<void>((resolve) => (this.ready = resolve));
    this.singleInstance = true;
    this.paths.clear();
    this.sandboxed = false;
    this.quitCalls = 0;
    this.exitCode = null;
  }

  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  /** The test's "Electron is ready". */
  becomeReady(): void {
    this.ready();
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  enableSandbox(): void {
    this.sandboxed = true;
  }
  setPath(name: Parameters<Electron.App['setPath']>[0], value: string): void {
    this.paths.set(name, value);
  }
  getAppPath(): string {
    return this.appPath;
  }
  quit(): void {
    this.quitCalls++;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  /** The test playing Electron: emits `event` as Electron would. */
  fire(event: string, ...args: unknown[]): void {
    this.emit(event, ...args);
  }
}
export const app = new FakeApp();

export const BrowserWindow = FakeBrowserWindow;

export const session = { defaultSession: new FakeSession() };

export const screen = {
  displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] as Pick<Electron.Display, 'workArea'>[],
  getAllDisplays(): Pick<Electron.Display, 'workArea'>[] {
    return screen.displays;
  },
};

export const dialog = {
  errors: [] as { title: string; content: string }[],
  showErrorBox(title: string, content: string): void {
    dialog.errors.push({ title, content });
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    shell.opened.push(url);
  },
};

type InvokeHandler = (event: Electron.IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type MessageListener = (event: Electron.IpcMainEvent, ...args: unknown[]) => void;
export const ipcMain = {
  handlers: new Map<string, InvokeHandler>(),
  listeners: new Map<string, MessageListener[]>(),
  handle(channel: string, handler: InvokeHandler): void {
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    ipcMain.handlers.delete(channel);
  },
  on(channel: string, listener: MessageListener): void {
    ipcMain.listeners.set(channel, [...(ipcMain.listeners.get(channel) ?? []), listener]);
  },
  removeListener(channel: string, listener: MessageListener): void {
    ipcMain.listeners.set(channel, (ipcMain.listeners.get(channel) ?? []).filter((l) => l !== listener));
  },
};

type RendererListener = (event: Electron.IpcRendererEvent, ...args: unknown[]) => void;
export const ipcRenderer = {
  /** What the main process answers to invoke; tests replace it. */
  answer: (async () => undefined) as (channel: string, ...args: unknown[]) => Promise<unknown>,
  invoked: [] as { channel: string; args: unknown[] }[],
  sent: [] as { channel: string; args: unknown[] }[],
  listeners: new Map<string, RendererListener[]>(),
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    ipcRenderer.invoked.push({ channel, args });
    return ipcRenderer.answer(channel, ...args);
  },
  send(channel: string, ...args: unknown[]): void {
    ipcRenderer.sent.push({ channel, args });
  },
  on(channel: string, listener: RendererListener): void {
    ipcRenderer.listeners.set(channel, [...(ipcRenderer.listeners.get(channel) ?? []), listener]);
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    contextBridge.exposed.set(key, api);
  },
};

export class FakeMenu {
  readonly popups: Electron.PopupOptions[] = [];
  constructor(readonly template: Electron.MenuItemConstructorOptions[]) {}
  popup(options: Electron.PopupOptions = {}): void {
    this.popups.push(options);
  }
}
export const Menu = {
  built: [] as FakeMenu[],
  application: null as FakeMenu | null,
  buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): FakeMenu {
    const menu = new FakeMenu(template);
    Menu.built.push(menu);
    return menu;
  },
  setApplicationMenu(menu: FakeMenu | null): void {
    Menu.application = menu;
  },
};

export const protocol = {
  privileged: [] as Electron.CustomScheme[],
  handlers: new Map<string, Parameters<Electron.Protocol['handle']>[1]>(),
  registerSchemesAsPrivileged(schemes: Electron.CustomScheme[]): void {
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: Parameters<Electron.Protocol['handle']>[1]): void {
    protocol.handlers.set(scheme, handler);
  },
};

/**
 * An IPC event as Electron would hand it to a main-process listener. The real event types carry dozens
 * of members the shell never reads; the cast covers only those, and the members given are typed.
 */
export function ipcEvent(sender: FakeWebContents, frame: { url: string; parent?: object | null } | null): Electron.IpcMainInvokeEvent & Electron.IpcMainEvent {
  return { sender, senderFrame: frame && { url: frame.url, parent: frame.parent ?? null } } as unknown as Electron.IpcMainInvokeEvent & Electron.IpcMainEvent;
}

/** Back to a just-started Electron: no windows, handlers, menus or listeners. For `beforeEach`. */
export function resetFakeElectron(): void {
  app.reset();
  FakeBrowserWindow.instances.length = 0;
  session.defaultSession = new FakeSession();
  dialog.errors.length = 0;
  shell.opened.length = 0;
  ipcMain.handlers.clear();
  ipcMain.listeners.clear();
  Menu.built.length = 0;
  Menu.application = null;
  protocol.privileged.length = 0;
  protocol.handlers.clear();
}
