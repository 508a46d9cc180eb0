import { getContext, setContext } from 'svelte';
import type { AppInfo, Bridge, Events, MenuAction, ServerView } from '../../src-shared/bridge.js';
import type { Client } from '../../src-shared/api/clients.js';
import type { Customer } from '../../src-shared/api/customers.js';
import type { Schedule } from '../../src-shared/api/schedules.js';
import { errorMessage } from '../lib/errors.js';
import { formatBytes, formatDateTime } from '../lib/format.js';
import { customerKey, customerNode, customerOf, customersKey, serverKey, serverNode, STATE_WORDS, type ConsoleNode, type NodeData, type TreeContext } from './nodes.js';
import { TreeModel } from './tree.svelte.js';

export type BulkAction = 'activate' | 'deactivate' | 'enable-auto' | 'disable-auto' | 'delete' | 'authorize' | 'delete-clients';

/** A page that replaces the table on the right until the user goes back. */
export type Page =
  | { kind: 'delete-customer'; serverId: string; customer: Customer }
  /** A customer's deleted report, or with `customer` null the trial clients'. */
  | { kind: 'deleted-report'; serverId: string; customer: Customer | null }
  | { kind: 'trial-settings'; serverId: string }
  | { kind: 'client-migration'; serverId: string; client: Client | null }
  | { kind: 'audit-log'; serverId: string };

/** The one modal dialog open, if any. */
export type DialogState =
  | { kind: 'customer-form'; serverId: string; resellerId: string; customer: Customer | null; onsaved?: (c: Customer) => void }
  | { kind: 'add-clients'; serverId: string; customer: Customer; onadded?: (c: Client) => void }
  | { kind: 'server-form'; server: ServerView | null }
  | { kind: 'remove-server'; server: ServerView }
  | { kind: 'bulk-customers'; serverId: string; action: 'activate' | 'deactivate' | 'enable-auto' | 'disable-auto' | 'delete'; customers: Customer[]; ondone: () => void }
  | { kind: 'bulk-clients'; serverId: string; action: 'authorize' | 'delete'; clients: Client[]; ondone: () => void }
  | { kind: 'delete-schedule'; serverId: string; client: Client; schedule: Schedule; ondone: () => void }
  | { kind: 'clear-cache' }
  | { kind: 'about' };

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

export type JobProgress = Events['job.progress'];

export interface Layout {
  treeWidth: number;
}

const LAYOUT_KEY = 'ui.layout';
export const DEFAULT_TREE_WIDTH = 320;

/**
 * The console's state: servers and their tree, what is selected, the page or dialog open, notices
 * and job progress. Views read it from context; everything it knows comes through the bridge.
 */
export class AppState implements TreeContext {
  readonly bridge: Bridge;
  readonly tree = new TreeModel<NodeData>();
  servers = $state.raw<ServerView[]>([]);
  appInfo = $state.raw<AppInfo | null>(null);
  page = $state.raw<Page | null>(null);
  dialog = $state.raw<DialogState | null>(null);
  notices = $state<Notice[]>([]);
  jobs = $state<Record<string, JobProgress>>({});
  layout = $state<Layout>({ treeWidth: DEFAULT_TREE_WIDTH });
  /** Bumped by Refresh and after changes: views reload when it moves. */
  version = $state(0);
  started = $state(false);
  startError = $state<string | null>(null);
  #offs: (() => void)[] = [];
  #noticeSeq = 0;
  #settingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(bridge: Bridge) {
    this.bridge = bridge;
    this.tree.onselect = () => {
      this.page = null;
    };
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
      b.on('job.progress', (p) => this.#jobProgress(p)),
      b.on('menu.action', ({ action }) => this.handleMenu(action)),
    );
    const [info, servers, layout] = await Promise.allSettled([b.invoke('app.info', {}), b.invoke('servers.list', {}), b.invoke('settings.get', { key: LAYOUT_KEY })]);
    if (info.status === 'fulfilled') this.appInfo = info.value;
    if (layout.status === 'fulfilled') this.layout = parseLayout(layout.value);
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
    for (const t of this.#settingTimers.values()) clearTimeout(t);
  }

  // ---- settings -------------------------------------------------------------------------------

  async getSetting(key: string): Promise<unknown> {
    try {
      return await this.bridge.invoke('settings.get', { key });
    } catch {
      return undefined;
    }
  }

  /** Saves a setting a moment after the last change (dragging a splitter fires many). */
  saveSetting(key: string, value: unknown, delay = 400): void {
    const old = this.#settingTimers.get(key);
    if (old) clearTimeout(old);
    this.#settingTimers.set(
      key,
      setTimeout(() => {
        this.#settingTimers.delete(key);
        this.bridge.invoke('settings.set', { key, value }).catch((err: unknown) => this.notify(errorMessage(err, 'Saving the layout'), 'error'));
      }, delay),
    );
  }

  setTreeWidth(px: number): void {
    this.layout.treeWidth = Math.round(Math.max(200, Math.min(800, px)));
    this.saveSetting(LAYOUT_KEY, { ...this.layout });
  }

  // ---- notices and jobs -----------------------------------------------------------------------

  notify(text: string, kind: Notice['kind'] = 'info'): void {
    const id = ++this.#noticeSeq;
    this.notices = [...this.notices.slice(-9), { id, kind, text }];
    if (kind === 'info') setTimeout(() => this.dismiss(id), 10_000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  #jobProgress(p: JobProgress): void {
    this.jobs[p.jobId] = p;
    if (p.status !== 'running') {
      if (p.status === 'failed') this.notify(`${p.label} failed: ${p.error ?? 'unknown error'}`, 'error');
      else this.notify(`${p.label}: done.`);
      setTimeout(() => {
        delete this.jobs[p.jobId];
      }, 4000);
    }
  }

  // ---- servers and tree -----------------------------------------------------------------------

  #setServers(list: ServerView[]): void {
    this.servers = list;
    this.tree.setRoots(list.map((v) => serverNode(this, v)));
    const sel = this.tree.selectedKey;
    if (sel && !this.tree.find(sel)) {
      this.tree.selectedKey = null;
      this.page = null;
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

  /** Shows a changed customer in the tree without reloading it (name, inactive badge). */
  customerUpdated(serverId: string, customer: Customer): void {
    const stack = [...this.tree.roots];
    while (stack.length) {
      const n = stack.pop()!;
      const d = n.data;
      if (d?.kind === 'customer' && d.serverId === serverId && d.customer.id === customer.id) {
        n.data = { ...d, customer };
        n.label = customer.name;
        n.badge = customer.active ? null : 'inactive';
      }
      if (n.children) stack.push(...n.children);
    }
  }

  /** Selects a customer's tree item, opening its Customers folder (and adding the item when beyond the loaded page). */
  async openCustomer(serverId: string, customer: Customer): Promise<void> {
    const root = this.#customersFolder(serverId, customer.resellerId) ?? (await this.#findCustomersFolder(serverId, customer.resellerId));
    if (!root) return;
    await this.tree.expand(root);
    const key = customerKey(root.key, customer.id);
    const node = this.tree.find(key) ?? this.tree.insertChild(root, customerNode(this, root.key, serverId, customer.resellerId, customer));
    this.tree.select(node);
  }

  #customersFolder(serverId: string, resellerId: string): ConsoleNode | null {
    const server = this.tree.find(serverKey(serverId));
    if (!server) return null;
    const candidates = [customersKey(server.key), customersKey(`${server.key}/r:${resellerId}`)];
    for (const k of candidates) {
      const n = this.tree.find(k);
      if (n && n.data?.kind === 'customers' && n.data.resellerId === resellerId) return n;
    }
    return null;
  }

  async #findCustomersFolder(serverId: string, resellerId: string): Promise<ConsoleNode | null> {
    const server = this.tree.find(serverKey(serverId));
    if (!server) return null;
    await this.tree.expand(server);
    const direct = this.#customersFolder(serverId, resellerId);
    if (direct) return direct;
    const reseller = this.tree.find(`${server.key}/r:${resellerId}`);
    if (reseller) await this.tree.expand(reseller);
    return this.#customersFolder(serverId, resellerId);
  }

  // ---- pages, dialogs, menu -------------------------------------------------------------------

  openPage(page: Page): void {
    this.page = page;
  }

  closePage(): void {
    this.page = null;
  }

  openDialog(dialog: DialogState): void {
    this.dialog = dialog;
  }

  closeDialog(): void {
    this.dialog = null;
  }

  async makeAvailableOffline(serverId: string, customer: Customer): Promise<void> {
    try {
      const { jobId } = await this.bridge.invoke('offline.makeAvailable', { serverId, customerId: customer.id });
      if (!this.jobs[jobId]) this.jobs[jobId] = { jobId, label: `Making ${customer.name} available offline`, done: 0, total: 0, status: 'running', error: null };
      this.notify(`Making ${customer.name} available offline… progress is shown at the bottom of the window.`);
    } catch (err) {
      this.notify(errorMessage(err, `Making ${customer.name} available offline`), 'error');
    }
  }

  handleMenu(action: MenuAction): void {
    switch (action) {
      case 'add-server':
        this.openDialog({ kind: 'server-form', server: null });
        return;
      case 'remove-server': {
        const id = this.selected?.serverId;
        const server = id ? this.server(id) : undefined;
        if (server) this.openDialog({ kind: 'remove-server', server });
        else this.notify('Select a server in the tree first, then choose Remove Server.', 'error');
        return;
      }
      case 'refresh':
        this.refresh();
        return;
      case 'make-available-offline': {
        const owner = customerOf(this.selected);
        if (owner) void this.makeAvailableOffline(owner.serverId, owner.customer);
        else this.notify('Select a customer in the tree first, then choose Make Available Offline.', 'error');
        return;
      }
      case 'clear-offline-cache':
        this.openDialog({ kind: 'clear-cache' });
        return;
      case 'open-api-docs': {
        const server = this.contextServer;
        if (!server) {
          this.notify('Add a server first: the API document is served by each backup server.', 'error');
          return;
        }
        const url = `${server.url.replace(/\/+$/, '')}/api/v1/openapi.json`;
        window.open(url, '_blank', 'noopener,noreferrer');
        this.notify(`The API document of ${server.name} is at ${url}`);
        return;
      }
      case 'about':
        this.openDialog({ kind: 'about' });
        return;
    }
  }

  async clearOfflineCache(): Promise<void> {
    try {
      const before = await this.bridge.invoke('offline.size', {}).catch(() => null);
      await this.bridge.invoke('offline.clear', {});
      this.notify(before ? `Offline cache cleared (${formatBytes(before.bytes)} freed).` : 'Offline cache cleared.');
    } catch (err) {
      this.notify(errorMessage(err, 'Clearing the offline cache'), 'error');
    }
  }
}

function parseLayout(value: unknown): Layout {
  const o = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const w = o['treeWidth'];
  return { treeWidth: typeof w === 'number' && Number.isFinite(w) ? Math.max(200, Math.min(800, w)) : DEFAULT_TREE_WIDTH };
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
  return new Map([[KEY, app]]);
}

/** The app state when a component is rendered inside the console, else undefined (a DataTable alone in a test). */
export function maybeApp(): AppState | undefined {
  return getContext<AppState | undefined>(KEY);
}
