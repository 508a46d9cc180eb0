import type { MenuAction } from '../../src-shared/bridge.js';
import type { AppState } from './app.svelte.js';
import { customerOf } from './nodes.js';

/** What each application-menu item does: one entry per MenuAction (a new menu item adds one line). */
export const MENU_HANDLERS: Record<MenuAction, (app: AppState) => void> = {
  'add-server': (app) => app.nav.openDialog({ kind: 'server-form', server: null }),
  'remove-server': (app) => {
    const id = app.selected?.serverId;
    const server = id ? app.server(id) : undefined;
    if (server) app.nav.openDialog({ kind: 'remove-server', server });
    else app.notices.notify('Select a server in the tree first, then choose Remove Server.', 'error');
  },
  refresh: (app) => app.refresh(),
  'make-available-offline': (app) => {
    const owner = customerOf(app.selected);
    if (owner) void app.jobs.makeAvailableOffline(owner.serverId, owner.customer);
    else app.notices.notify('Select a customer in the tree first, then choose Make Available Offline.', 'error');
  },
  'clear-offline-cache': (app) => app.nav.openDialog({ kind: 'clear-cache' }),
  'open-api-docs': (app) => {
    const server = app.contextServer;
    if (!server) {
      app.notices.notify('Add a server first: the API document is served by each backup server.', 'error');
      return;
    }
    const url = `${server.url.replace(/\/+$/, '')}/api/v1/openapi.json`;
    window.open(url, '_blank', 'noopener,noreferrer');
    app.notices.notify(`The API document of ${server.name} is at ${url}`);
  },
  about: (app) => app.nav.openDialog({ kind: 'about' }),
};
