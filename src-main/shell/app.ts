/**
 * The desktop host's lifecycle: one instance, guards before any window, the ConsoleService behind the
 * bridge, the main window where the user left it, and a quit that closes the service (and with it the
 * embedded demo server) before the process ends. main.ts runs it with the real ConsoleService.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, screen, session } from 'electron';
import type { MenuAction } from '../../src-shared/bridge.js';
import type { BridgeBackend } from '../core/backend.js';
import { defaultDataDir, PRELOAD_BUNDLE, RENDERER_BUILD } from '../web/paths.js';
import { installGuards, lockPermissions, type ExternalLinkPolicy } from './guards.js';
import { sendEvent, serveBridge, serveContextMenu } from './ipc.js';
import { APP_NAME, buildContextMenu, installAppMenu } from './menu.js';
import { registerAppScheme, RENDERER_URL, serveRenderer } from './protocol.js';
import { createWindow, MIN_SIZE, placeWindow, rememberBounds, settingsBoundsStore, WindowSet } from './window.js';

/** The ConsoleService as the shell uses it. */
export interface ShellBackend extends BridgeBackend {
  close(): Promise<void> | void;
}

export interface ShellOptions {
  /** process.argv: Electron's own arguments and Chromium switches are ignored. */
  argv: readonly string[];
  openBackend(options: { dataDir: string; demo: boolean }): Promise<ShellBackend>;
}

export function parseShellArgs(argv: readonly string[]): { demo: boolean; dataDir: string | null } {
  let dataDir: string | null = null;
  argv.forEach((arg, i) => {
    if (arg === '--data-dir' && argv[i + 1] !== undefined) dataDir = path.resolve(argv[i + 1]!);
    else if (arg.startsWith('--data-dir=')) dataDir = path.resolve(arg.slice('--data-dir='.length));
  });
  return { demo: argv.includes('--demo'), dataDir };
}

/** Only links to a registered server's API document leave the app, and only into the system browser. */
function apiDocsPolicy(backend: () => BridgeBackend | null): ExternalLinkPolicy {
  return async (url) => {
    const servers = (await backend()?.invoke('servers.list', {})) ?? [];
    return servers.some((server) => url.href === `${server.url}/api/v1/openapi.json`);
  };
}

export async function startShell(options: ShellOptions): Promise<void> {
  const args = parseShellArgs(options.argv);
  // Chromium's profile and the single-instance lock live in userData: keep them with the console's data,
  // so two consoles on different --data-dir folders may run side by side.
  const dataDir = args.dataDir ?? defaultDataDir();
  app.setPath('userData', dataDir);
  registerAppScheme();
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    // The first instance gets 'second-instance' and comes to the front.
    app.quit();
    return;
  }

  let backend: ShellBackend | null = null;
  const windows = new WindowSet();
  installGuards(apiDocsPolicy(() => backend));
  app.on('second-instance', () => {
    const win = windows.current();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });

  await app.whenReady();
  lockPermissions(session.defaultSession);
  try {
    backend = await options.openBackend({ dataDir, demo: args.demo });
  } catch (err) {
    dialog.showErrorBox(`${APP_NAME} could not start`, (err as Error).message);
    app.exit(1);
    return;
  }
  const service = backend;

  serveRenderer(path.join(app.getAppPath(), RENDERER_BUILD));
  const stopBridge = serveBridge(service, windows);
  const pushAction = (target: BrowserWindow | undefined, action: MenuAction) => {
    if (target) sendEvent([target], 'menu.action', { action });
  };
  const stopContextMenu = serveContextMenu(windows, (sender, actions) => {
    const owner = BrowserWindow.fromWebContents(sender) ?? undefined;
    buildContextMenu(actions, (action) => pushAction(owner, action)).popup(owner ? { window: owner } : {});
  });
  installAppMenu(process.platform, (action) => pushAction(windows.current(), action));

  const bounds = settingsBoundsStore(service);
  const savers: { idle(): Promise<void> }[] = [];
  const openMainWindow = async () => {
    const saved = await bounds.load().catch(() => null);
    const win = createWindow({
      ...placeWindow(saved, screen.getAllDisplays().map((display) => display.workArea)),
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      title: APP_NAME,
      preload: path.join(app.getAppPath(), PRELOAD_BUNDLE),
    });
    windows.add(win);
    if (saved?.maximized) win.maximize();
    savers.push(rememberBounds(win, bounds));
    await win.loadURL(RENDERER_URL).catch((err: unknown) => {
      // The window still shows the protocol's answer (a 404 without a build); say why on the terminal too.
      console.error(`The console UI did not load from ${RENDERER_URL} (${(err as Error).message}): has \`npm run build\` run?`);
    });
  };

  app.on('window-all-closed', () => {
    // macOS apps stay in the dock with no window; 'activate' opens a new one.
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (windows.list().length === 0) void openMainWindow();
  });

  let closing = false;
  app.on('will-quit', (event) => {
    // Hold the quit until the service is closed: it owns the demo server process and open files.
    event.preventDefault();
    if (closing) return;
    closing = true;
    void (async () => {
      stopContextMenu();
      stopBridge();
      await Promise.all(savers.map((saver) => saver.idle()));
      await service.close();
    })()
      .catch((err: unknown) => console.error(`Closing the console failed: ${(err as Error).message}`))
      .finally(() => app.exit(0));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  await openMainWindow();
}
