import { getContext, setContext } from 'svelte';
import type { AppInfo, Bridge, ServerView } from '../../src-shared/bridge.js';
import { errorMessage } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { JobsState } from './jobs.svelte.js';
import { LayoutState } from './layout.svelte.js';
import { MENU_HANDLERS } from './menu.js';
import { NavigationState } from './navigation.svelte.js';
import { serverKey, serverNode, STATE_WORDS, type ConsoleNode, type NodeData, type TreeContext } from './nodes.js';
import { NoticesState } from './notices.svelte.js';
import { SettingsState } from './settings.js';
import { TreeModel } from './tree.svelte.js';

/**
 * The console's state: the servers and their tree, composed with the smaller states the views use
 * (notices, jobs, settings, layout, navigation). Views read it from context; everything it knows comes
 * through the bridge.
 */
export class AppState implements TreeContext {
  readonly bridge: Bridge;
  readonly notices = new NoticesState();
  readonly nav = new NavigationState();
  readonly jobs: JobsState;
  readonly settings: SettingsState;
  readonly layout: LayoutState;
  readonly tree = new TreeModel<NodeData>();
  servers = $state.raw<ServerView[]>([]);
  appInfo = $state.raw<AppInfo | null>(null);
  /** Bumped by Refresh and after changes: views reload when it moves. */
  version = $state(0);
  started = $state(false);
  startError = $state<string | null>(null);
  #offs: (() => void)[] = [];

  constructor(bridge: Bridge) {
    this.bridge = bridge;
    this.jobs = new JobsState(bridge, this.notices);
    this.settings = new SettingsState(bridge, this.notices);
    this.layout = new LayoutState(this.settings);
    // Choosing a tree item leaves the page that was open.
    this.tree.onselect = () => this.nav.closePage();
  }

  get selectedNode(): ConsoleNode | null {
    return this.tree.selected;
  }

  get selected(): NodeData | null {
    return this.tree.selected?.data ?? null;
  }

  /** The server the bottom-left actions and menu items apply to: the selected one, else the first online one. */
  get contextServer(): ServerView | null {
    const id = this.selected?.serverId;
    const chosen = id ? this.server(id) : undefined;
    return chosen ?? this.servers.find((s) => s.state === 'online') ?? this.servers[0] ?? null;
  }

  server(id: string): ServerView | undefined {
    return this.servers.find((s) => s.id === id);
  }

  async start(): Promise<void> {
    const b = this.bridge;
    this.#offs.push(
      b.on('server.state', (view) => this.#serverChanged(view)),
      b.on('servers.changed', (list) => this.#setServers(list)),
      b.on('job.progress', (p) => this.jobs.progress(p)),
      b.on('menu.action', ({ action }) => MENU_HANDLERS[action](this)),
    );
    const [info, servers] = await Promise.allSettled([b.invoke('app.info', {}), b.invoke('servers.list', {}), this.layout.restore()]);
    if (info.status === 'fulfilled') this.appInfo = info.value;
    if (servers.status === 'fulfilled') {
      this.#setServers(servers.value);
      const first = this.tree.roots[0];
      if (first) {
        this.tree.select(first);
        void this.tree.expand(first);
      }
    } else {
      this.startError = errorMessage(servers.reason, 'Loading the server list');
    }
    this.started = true;
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
    this.settings.dispose();
    this.jobs.dispose();
  }

  #setServers(list: ServerView[]): void {
    this.servers = list;
    this.tree.setRoots(list.map((v) => serverNode(this, v)));
    const sel = this.tree.selectedKey;
    if (sel && !this.tree.find(sel)) {
      this.tree.selectedKey = null;
      this.nav.closePage();
    }
  }

  #serverChanged(view: ServerView): void {
    const before = this.server(view.id);
    this.servers = before ? this.servers.map((s) => (s.id === view.id ? view : s)) : [...this.servers, view];
    const node = this.tree.find(serverKey(view.id));
    if (!node) {
      this.tree.setRoots(this.servers.map((v) => serverNode(this, v)));
      return;
    }
    node.label = view.name;
    node.badge = STATE_WORDS[view.state];
    if (before && before.state !== 'online' && view.state === 'online') {
      // Back online: what was shown from the cache (or failed) is reloaded live.
      void this.tree.reloadLoaded(node);
      if (this.selected?.serverId === view.id) this.version++;
    }
  }

  /** Why changes to this server are refused right now (offline, cached data), or null. */
  writeBlock(serverId: string, asOf: string | null = null): string | null {
    const view = this.server(serverId);
    if (asOf) return `Unavailable offline: this is cached data as of ${formatDateTime(asOf, true)}. Reconnect to the server to make changes.`;
    if (!view) return 'This server is no longer in the console.';
    if (view.state !== 'online') {
      const why = view.problem ? ` (${view.problem})` : '';
      return `Unavailable: ${view.name} is ${STATE_WORDS[view.state]}${why}. Reconnect to the server to make changes.`;
    }
    return null;
  }

  refresh(): void {
    this.version++;
    const node = this.selectedNode;
    const serverId = this.selected?.serverId;
    const root = serverId ? this.tree.find(serverKey(serverId)) : null;
    if (root) void this.tree.reloadLoaded(root);
    else if (!node) void this.bridge.invoke('servers.list', {}).then((l) => this.#setServers(l)).catch(() => undefined);
  }

  /** After a change on a server: reload the tree items of that server that are open, and the views. */
  changed(serverId: string): void {
    this.version++;
    const root = this.tree.find(serverKey(serverId));
    if (root) void this.tree.reloadLoaded(root);
  }
}

const KEY = Symbol('backup-console-app');

export function provideApp(app: AppState): void {
  setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('The console state is missing: render inside <App> or give the component an AppState context.');
  return app;
}

/** The context map a component test passes to render(). */
export function appContext(app: AppState): Map<symbol, AppState> {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- handed to render() once, never changed
  return new Map([[KEY, app]]);
}

/** The app state when a component is rendered inside the console, else undefined (a DataTable alone in a test). */
export function maybeApp(): AppState | undefined {
  return getContext<AppState | undefined>(KEY);
}
