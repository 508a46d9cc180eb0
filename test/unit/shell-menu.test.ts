import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MENU_ACTIONS, type MenuAction } from '../../src-shared/bridge.js';
import { ACTION_ITEMS, appMenuTemplate, buildContextMenu, installAppMenu } from '../../src-main/shell/menu.js';
import { Menu, resetFakeElectron, type FakeMenu } from '../support/fake-electron.js';

vi.mock('electron', () => import('../support/fake-electron.js'));

type Item = Electron.MenuItemConstructorOptions;

function submenu(template: Item[], label: string): Item[] {
  const menu = template.find((item) => item.label?.replace('&', '') === label);
  if (!menu || !Array.isArray(menu.submenu)) throw new Error(`no ${label} menu`);
  return menu.submenu;
}

/** Clicks an item the way Electron does (menu item, focused window, keyboard event). */
function click(item: Item | undefined): void {
  if (!item?.click) throw new Error(`item ${item?.id ?? item?.label} has no click handler`);
  item.click(...([{}, undefined, {}] as unknown as Parameters<NonNullable<Item['click']>>));
}

const byId = (items: Item[], id: string) => items.find((item) => item.id === id);
const roles = (items: Item[]) => items.flatMap((item) => (item.role ? [item.role] : []));

beforeEach(resetFakeElectron);

describe('application menu', () => {
  it.each(['linux', 'win32'] as const)('has File, Edit, View, Server and Help on %s', (platform) => {
    const template = appMenuTemplate(platform, () => {});
    expect(template.map((item) => item.label)).toEqual(['&File', '&Edit', '&View', '&Server', '&Help']);

    const file = submenu(template, 'File');
    expect(byId(file, 'add-server')).toMatchObject({ label: 'Add Server…', accelerator: 'CmdOrCtrl+N' });
    expect(byId(file, 'remove-server')).toMatchObject({ label: 'Remove Server' });
    expect(file.find((item) => item.role === 'quit')).toMatchObject({ accelerator: 'CmdOrCtrl+Q' });

    expect(roles(submenu(template, 'Edit'))).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll']);
    const view = submenu(template, 'View');
    expect(roles(view)).toEqual(['reload', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    // Refresh (data) owns CmdOrCtrl+R, so reloading the page moves to Shift.
    expect(view.find((item) => item.role === 'reload')).toMatchObject({ accelerator: 'CmdOrCtrl+Shift+R' });

    const server = submenu(template, 'Server');
    expect(server.filter((item) => item.id).map((item) => [item.label, item.accelerator])).toEqual([
      ['Refresh', 'CmdOrCtrl+R'],
      ['Make Available Offline', 'CmdOrCtrl+Shift+O'],
      ['Clear Offline Cache', undefined],
      ['Open API Docs', 'F1'],
    ]);
    expect(submenu(template, 'Help').map((item) => item.label)).toEqual(['About Backup Console']);
  });

  it('puts About and Quit in the app menu on macOS', () => {
    const template = appMenuTemplate('darwin', () => {});
    expect(template.map((item) => item.label)).toEqual(['Backup Console', '&File', '&Edit', '&View', '&Server']);
    const appMenu = submenu(template, 'Backup Console');
    expect(byId(appMenu, 'about')).toMatchObject({ label: 'About Backup Console' });
    expect(roles(appMenu)).toEqual(['services', 'hide', 'hideOthers', 'unhide', 'quit']);
    expect(roles(submenu(template, 'File'))).toEqual(['close']);
  });

  it('wires every UI action to the handler, each exactly once', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const chosen: MenuAction[] = [];
      const template = appMenuTemplate(platform, (action) => chosen.push(action));
      const items = template.flatMap((menu) => (Array.isArray(menu.submenu) ? menu.submenu : []));
      const actionItems = items.filter((item) => item.id);
      expect(actionItems.map((item) => item.id).sort()).toEqual([...MENU_ACTIONS].sort());
      for (const item of actionItems) click(item);
      expect(chosen.sort()).toEqual([...MENU_ACTIONS].sort());
    }
  });

  it('installs the built menu as the application menu', () => {
    installAppMenu('linux', () => {});
    expect(Menu.application).toBe(Menu.built[0]);
    expect(Menu.application?.template.map((item) => item.label)).toEqual(['&File', '&Edit', '&View', '&Server', '&Help']);
  });
});

describe('context menus', () => {
  it('are built from the same action list, labels included, without registering shortcuts', () => {
    const chosen: MenuAction[] = [];
    const menu = buildContextMenu(['refresh', 'make-available-offline', 'remove-server'], (action) => chosen.push(action)) as unknown as FakeMenu;
    expect(menu.template.map((item) => [item.id, item.label, item.registerAccelerator])).toEqual([
      ['refresh', ACTION_ITEMS.refresh.label, false],
      ['make-available-offline', ACTION_ITEMS['make-available-offline'].label, false],
      ['remove-server', ACTION_ITEMS['remove-server'].label, false],
    ]);
    click(menu.template[1]);
    expect(chosen).toEqual(['make-available-offline']);
  });
});
