/**
 * The native application menu and the context menus, built from one table of the UI's actions
 * (MENU_ACTIONS in the bridge contract): a label or shortcut changes in one place for both. Choosing an
 * action does nothing here; it is handed to `onAction`, which pushes a `menu.action` event to the page
 * that owns the selection. Window-level items (Quit, Edit, View) use Electron's roles.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from '../../src-shared/bridge.js';

export const APP_NAME = 'Backup Console';

/**
 * Label and shortcut of each action. Refresh takes CmdOrCtrl+R, the key people press to refresh data, so
 * View → Reload (of the whole page) moves to CmdOrCtrl+Shift+R. Remove Server and Clear Offline Cache
 * have no shortcut on purpose: they destroy something, and Delete/Backspace belong to text fields.
 */
export const ACTION_ITEMS: Readonly<Record<MenuAction, { label: string; accelerator?: string }>> = {
  'add-server': { label: 'Add Server…', accelerator: 'CmdOrCtrl+N' },
  'remove-server': { label: 'Remove Server' },
  refresh: { label: 'Refresh', accelerator: 'CmdOrCtrl+R' },
  'make-available-offline': { label: 'Make Available Offline', accelerator: 'CmdOrCtrl+Shift+O' },
  'clear-offline-cache': { label: 'Clear Offline Cache' },
  'open-api-docs': { label: 'Open API Docs', accelerator: 'F1' },
  about: { label: `About ${APP_NAME}` },
};

export type ActionHandler = (action: MenuAction) => void;

function actionItem(action: MenuAction, onAction: ActionHandler): MenuItemConstructorOptions {
  return { id: action, ...ACTION_ITEMS[action], click: () => onAction(action) };
}

/** The application menu for `platform`: on macOS About and Quit live in the app menu, as users expect there. */
export function appMenuTemplate(platform: NodeJS.Platform, onAction: ActionHandler): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const item = (action: MenuAction) => actionItem(action, onAction);
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  return [
    ...(mac
      ? [
          {
            label: APP_NAME,
            submenu: [item('about'), separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    { label: '&File', submenu: [item('add-server'), item('remove-server'), separator, mac ? { role: 'close' } : { role: 'quit', accelerator: 'CmdOrCtrl+Q' }] },
    {
      label: '&Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'delete' }, separator, { role: 'selectAll' }],
    },
    {
      label: '&View',
      submenu: [{ role: 'reload', accelerator: 'CmdOrCtrl+Shift+R' }, separator, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, separator, { role: 'togglefullscreen' }],
    },
    { label: '&Server', submenu: [item('refresh'), separator, item('make-available-offline'), item('clear-offline-cache'), separator, item('open-api-docs')] },
    ...(mac ? [] : [{ role: 'help', label: '&Help', submenu: [item('about')] } satisfies MenuItemConstructorOptions]),
  ];
}

export function installAppMenu(platform: NodeJS.Platform, onAction: ActionHandler): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(platform, onAction)));
}

/** A context menu of the given actions, labelled as in the application menu. */
export function buildContextMenu(actions: readonly MenuAction[], onAction: ActionHandler): Menu {
  // Shortcuts are shown for learning, not registered: the application menu already owns them.
  return Menu.buildFromTemplate(actions.map((action) => ({ ...actionItem(action, onAction), registerAccelerator: false })));
}
