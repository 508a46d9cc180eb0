/**
 * The ConsoleService: everything the UI asks of the main process, behind the bridge contract
 * (src-shared/bridge.ts), served alike by the Electron shell and the browser host.
 *
 * It owns the settings (registry.ts), the credential vault (vault.ts), the offline cache (cache.ts), one
 * ServerConnection per registered server, and — with `demo` — the embedded backup server.
 *
 * Promises to the hosts and the UI:
 * - No password or token ever leaves this process: ServerView has none, errors never quote one, and the
 *   settings file and cache never hold one (passwords and tokens live only in the vault).
 * - Servers are independent: nothing here awaits all servers; a dead one never delays another's answer.
 * - Reads are `Cached<T>`: `asOf` null when live, the fetch time when served from the cache.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, ClientCreated } from '../../src-shared/api/clients.js';
import { Customer, DeletionPreview } from '../../src-shared/api/customers.js';
import { Job, MaintenanceSummary } from '../../src-shared/api/jobs.js';
import { Reseller } from '../../src-shared/api/resellers.js';
import { Schedule } from '../../src-shared/api/schedules.js';
import { TrialSettings } from '../../src-shared/api/trial.js';
import { BridgeError, type AppInfo, type ArgOf, type Channel, type EventName, type Events, type ProbeResult, type ResultOf, type ServerView } from '../../src-shared/bridge.js';
import { toBridgeError, type BridgeBackend } from './backend.js';
import { OfflineCache } from './cache.js';
import { appRoot, startEmbeddedServer, type EmbeddedServer, type ServerLauncher } from './embedded-server.js';
import { prefetchCustomer } from './offline-prefetch.js';
import { RegistryError, ServerRegistry, type JsonValue, type ServerEntry, type ServerPatch } from './registry.js';
import { searchAll, SEARCH_LIMITS, type SearchLimits } from './search.js';
import { probeFingerprint, type ClientTuning, type Credentials } from './server-client.js';
import { ServerConnection, type ConnectionContext, type ReconnectTuning } from './server-connection.js';
import { CredentialVault, KeychainError, KeychainUnavailableError, MemorySecretStore, openVault } from './vault.js';
import { AuditList, BackupReportList, ClientList, CustomerList, DeletedReportList, NoContent, ResellerList, RestoreReportList, ScheduleList } from './wire.js';

export interface ConsoleServiceOptions {
  /** Where the settings file (`config.json`, electron-store's) and the offline cache live. */
  dataDir: string;
  host: AppInfo['host'];
  /**
   * The credential vault. Leave out to open the OS keychain here; null when the host found it
   * unavailable (then `keychainProblem` says why, and the UI offers "this session only").
   */
  vault?: CredentialVault | null;
  keychainProblem?: string | null;
  /** Start the embedded backup server with demo data, register it and connect. */
  demo?: boolean;
  /** How to start the embedded server (a packaged Electron app needs its own; see ServerLauncher). */
  launchDemoServer?: ServerLauncher;
  /** Bound on the offline cache's stored data; least recently used entries are evicted beyond it. */
  cacheMaxBytes?: number;
  /** Shown in app.info; the app's package.json version by default. */
  version?: string;
  client?: ClientTuning;
  reconnect?: Partial<ReconnectTuning>;
  search?: Partial<SearchLimits>;
  /** Diagnostics (never a secret): stderr by default. */
  log?: (line: string) => void;
}

export const SETTINGS_FILE = 'config.json';
export const CACHE_FILE = 'offline-cache.sqlite';
export const DEMO_SERVER_DIR = 'demo-server';
export const DEMO_SERVER_NAME = 'Demo Server';
/** The setting that remembers which registry entry is the embedded demo server (its id, not a secret). */
const DEMO_SERVER_SETTING = 'demoServerId';
const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
const DEFAULT_RECONNECT: ReconnectTuning = { firstDelayMs: 2_000, maxDelayMs: 30_000 };
/** Sign-out on removal is a courtesy to the server; it must not hold the removal up. */
const SIGN_OUT_GRACE_MS = 2_000;
/** A settings value is layout and preferences, never a data store. */
const MAX_SETTING_BYTES = 64 * 1024;
/** Progress events at most this often per job, plus the final one. */
const PROGRESS_INTERVAL_MS = 100;

type Listener = Parameters<BridgeBackend['subscribe']>[0];
type Handlers = { [C in Channel]: (arg: ArgOf<C>) => Promise<ResultOf<C>> };

const segment = encodeURIComponent;

export class ConsoleService implements BridgeBackend {
  private readonly connections = new Map<string, ServerConnection>();
  private readonly listeners = new Set<Listener>();
  private readonly context: ConnectionContext;
  private readonly handlers: Handlers;
  private readonly searchLimits: SearchLimits;
  private demoServer: EmbeddedServer | null = null;
  private closed = false;

  private constructor(
    private readonly options: ConsoleServiceOptions,
    private readonly registry: ServerRegistry,
    private readonly cache: OfflineCache,
    private vault: CredentialVault | null,
    private readonly keychainProblem: string | null,
    private readonly log: (line: string) => void,
  ) {
    // Connections reach the vault through this, so "this session only" takes effect without rebuilding them.
    const credentials: Credentials = {
      getPassword: (id) => this.requireVault().getPassword(id),
      getToken: (id) => this.requireVault().getToken(id),
      setToken: (id, token) => this.requireVault().setToken(id, token),
      deleteToken: (id) => this.requireVault().deleteToken(id),
    };
    this.context = {
      cache,
      credentials,
      tuning: options.client ?? {},
      reconnect: { ...DEFAULT_RECONNECT, ...options.reconnect },
      // A server being added is not in the list yet: its sign-in must not surface as an unknown server's state.
      changed: (view) => {
        if (this.connections.has(view.id)) this.emit('server.state', view);
      },
      log,
    };
    this.searchLimits = { ...SEARCH_LIMITS, ...options.search };
    for (const entry of registry.list()) this.connections.set(entry.id, new ServerConnection(entry, this.context));
    this.handlers = this.makeHandlers();
  }

  /**
   * Opens the settings, the cache and (unless given) the OS keychain, starts connecting every server in
   * the background, and with `demo` starts the embedded server first. Resolves before servers answer.
   */
  static async open(options: ConsoleServiceOptions): Promise<ConsoleService> {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    let vault = options.vault;
    let keychainProblem = options.keychainProblem ?? null;
    if (vault === undefined) {
      try {
        vault = await openVault({ allowMemory: false });
      } catch (error) {
        if (!(error instanceof KeychainUnavailableError)) throw error;
        vault = null;
        keychainProblem = error.message;
      }
    }
    // The demo server's generated admin password must live somewhere, and never in a file: without a
    // keychain, the demo runs on a this-session-only vault (app.info still reports the keychain problem).
    if (vault === null && options.demo) vault = new CredentialVault(new MemorySecretStore());

    fs.mkdirSync(options.dataDir, { recursive: true });
    const registry = new ServerRegistry({ cwd: options.dataDir });
    if (registry.recoveredFrom) log(`settings: the settings file could not be read; it was moved to ${registry.recoveredFrom} and a new one started.`);
    const cache = OfflineCache.open(path.join(options.dataDir, CACHE_FILE), { maxBytes: options.cacheMaxBytes ?? DEFAULT_CACHE_BYTES });
    const service = new ConsoleService(options, registry, cache, vault, keychainProblem, log);

    // The demo entry's address changes with every start: connect it once its server is up.
    const demoId = options.demo ? service.demoServerId() : null;
    for (const connection of service.connections.values()) {
      if (connection.id !== demoId) void connection.connect();
    }
    if (options.demo) {
      try {
        await service.startDemo();
      } catch (error) {
        await service.close();
        throw error;
      }
    }
    return service;
  }

  async invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>> {
    if (this.closed) throw new BridgeError('INTERNAL', 'The console is shutting down.');
    // Indexing the handler map by a generic channel loses the pairing of argument and result types.
    const handler = this.handlers[channel] as (arg: ArgOf<C>) => Promise<ResultOf<C>>;
    try {
      return await handler(arg);
    } catch (error) {
      throw asBridgeError(error);
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops background work and the embedded server, and closes the cache. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const connection of this.connections.values()) connection.close();
    const demo = this.demoServer;
    this.demoServer = null;
    await demo?.stop();
    this.cache.close();
    this.listeners.clear();
  }

  private makeHandlers(): Handlers {
    const on = (serverId: string) => this.connection(serverId);
    return {
      'app.info': async () => this.appInfo(),
      'app.useMemoryVault': async () => this.useMemoryVault(),
      'settings.get': async ({ key }) => this.registry.getSetting(key) ?? null,
      'settings.set': async ({ key, value }) => {
        this.registry.setSetting(key, settingValue(key, value));
        return null;
      },

      'servers.list': async () => this.views(),
      'servers.probe': ({ url }) => this.probe(url),
      'servers.add': (arg) => this.addServer(arg),
      'servers.update': (arg) => this.updateServer(arg),
      'servers.trust': ({ serverId, fingerprint }) => this.trust(serverId, fingerprint),
      'servers.remove': ({ serverId }) => this.removeServer(serverId),
      'servers.reorder': async ({ ids }) => {
        this.registry.reorder(ids);
        return this.serversChanged();
      },
      'servers.connect': ({ serverId }) => on(serverId).connect(),

      'server.info': ({ serverId }) => on(serverId).readInfo(),
      'server.update': ({ serverId, patch }) => on(serverId).updateInfo(patch),

      'resellers.list': ({ serverId, query }) => on(serverId).read('/resellers', query, ResellerList, { kind: 'resellers' }),
      'resellers.create': ({ serverId, input }) => on(serverId).write('POST', '/resellers', input, Reseller),
      'resellers.update': ({ serverId, id, patch }) => on(serverId).write('PATCH', `/resellers/${segment(id)}`, patch, Reseller),
      'resellers.delete': ({ serverId, id }) => on(serverId).write('DELETE', `/resellers/${segment(id)}`, undefined, NoContent),

      'customers.list': ({ serverId, id, query }) => on(serverId).read(`/resellers/${segment(id)}/customers`, query, CustomerList, { kind: 'customers' }),
      'customers.get': ({ serverId, id }) => on(serverId).read(`/customers/${segment(id)}`, undefined, Customer),
      'customers.create': ({ serverId, resellerId, input }) => on(serverId).write('POST', `/resellers/${segment(resellerId)}/customers`, input, Customer),
      'customers.update': ({ serverId, id, patch }) => on(serverId).write('PATCH', `/customers/${segment(id)}`, patch, Customer),
      'customers.deletionPreview': ({ serverId, id }) => on(serverId).get(`/customers/${segment(id)}/deletion-preview`, DeletionPreview),
      'customers.delete': ({ serverId, id }) => on(serverId).write('DELETE', `/customers/${segment(id)}`, undefined, NoContent),

      'clients.list': ({ serverId, id, query }) => on(serverId).read(`/customers/${segment(id)}/clients`, query, ClientList, { kind: 'clients' }),
      'clients.listTrial': ({ serverId, query }) => on(serverId).read('/trial-clients', query, ClientList, { kind: 'clients' }),
      'clients.create': ({ serverId, customerId, input }) => on(serverId).write('POST', `/customers/${segment(customerId)}/clients`, input, ClientCreated),
      'clients.update': ({ serverId, id, patch }) => on(serverId).write('PATCH', `/clients/${segment(id)}`, patch, Client),
      'clients.authorize': ({ serverId, id }) => on(serverId).write('POST', `/clients/${segment(id)}/authorize`, undefined, Client),
      'clients.migrate': ({ serverId, id, input }) => on(serverId).write('POST', `/clients/${segment(id)}/migrate`, input, Client),
      'clients.delete': ({ serverId, id }) => on(serverId).write('DELETE', `/clients/${segment(id)}`, undefined, NoContent),

      'schedules.list': ({ serverId, id, query }) => on(serverId).read(`/clients/${segment(id)}/schedules`, query, ScheduleList, { kind: 'schedules' }),
      'schedules.update': ({ serverId, id, patch }) => on(serverId).write('PATCH', `/schedules/${segment(id)}`, patch, Schedule),
      'schedules.delete': ({ serverId, id }) => on(serverId).write('DELETE', `/schedules/${segment(id)}`, undefined, NoContent),

      'reports.backup': ({ serverId, id, query }) => on(serverId).read(`/schedules/${segment(id)}/reports/backup`, query, BackupReportList, { kind: 'backupReports' }),
      'reports.restore': ({ serverId, id, query }) =>
        on(serverId).read(`/schedules/${segment(id)}/reports/restore`, query, RestoreReportList, { kind: 'restoreReports' }),
      'reports.deletedForSchedule': ({ serverId, id, query }) =>
        on(serverId).read(`/schedules/${segment(id)}/reports/deleted`, query, DeletedReportList, { kind: 'deletedReports' }),
      'reports.deletedForCustomer': ({ serverId, id, query }) =>
        on(serverId).read(`/customers/${segment(id)}/reports/deleted`, query, DeletedReportList, { kind: 'deletedReports' }),
      'reports.deletedForTrialClients': ({ serverId, query }) => on(serverId).read('/trial-clients/reports/deleted', query, DeletedReportList, { kind: 'deletedReports' }),

      'trialSettings.get': ({ serverId }) => on(serverId).read('/trial-settings', undefined, TrialSettings),
      'trialSettings.update': ({ serverId, settings }) => on(serverId).write('PUT', '/trial-settings', settings, TrialSettings),
      'auditLog.list': ({ serverId, query }) => on(serverId).read('/audit-log', query, AuditList, { kind: 'auditLog' }),
      'jobs.get': ({ serverId, id }) => on(serverId).get(`/jobs/${segment(id)}`, Job),
      'maintenance.run': ({ serverId }) => on(serverId).write('POST', '/maintenance/run', undefined, MaintenanceSummary),

      'search.all': ({ q }) => searchAll(this.orderedConnections(), q, this.searchLimits),
      'offline.makeAvailable': async ({ serverId, customerId }) => this.makeAvailable(serverId, customerId),
      'offline.clear': async ({ serverId }) => {
        if (serverId !== undefined) this.connection(serverId);
        this.cache.clear(serverId);
        return null;
      },
      'offline.size': async () => ({ bytes: this.cache.sizeBytes() }),
    };
  }

  private appInfo(): AppInfo {
    return {
      version: this.options.version ?? appVersion(),
      keychain: this.vault === null ? 'unavailable' : this.vault.backend,
      keychainProblem: this.keychainProblem,
      demo: this.options.demo ?? false,
      host: this.options.host,
      platform: process.platform,
    };
  }

  /**
   * The user's explicit "this session only": passwords and tokens kept in memory until the console quits.
   * Nothing to do when a vault is already there (the keychain works, or the choice was made before).
   */
  private async useMemoryVault(): Promise<AppInfo> {
    if (this.vault === null) {
      this.vault = new CredentialVault(new MemorySecretStore());
      // Each server now reports that it needs its password (a fresh memory vault has none).
      for (const connection of this.connections.values()) void connection.connect();
    }
    return this.appInfo();
  }

  private requireVault(): CredentialVault {
    if (this.vault) return this.vault;
    throw new BridgeError(
      'KEYCHAIN_UNAVAILABLE',
      this.keychainProblem ?? 'The system keychain is not available. You can choose "this session only" to keep passwords in memory until the console quits.',
    );
  }

  private connection(serverId: string): ServerConnection {
    const connection = this.connections.get(serverId);
    if (!connection) throw new BridgeError('NOT_FOUND', `No server with id "${serverId}".`);
    return connection;
  }

  private orderedConnections(): ServerConnection[] {
    return this.registry.list().flatMap((entry) => this.connections.get(entry.id) ?? []);
  }

  private views(): ServerView[] {
    return this.orderedConnections().map((connection) => connection.view());
  }

  private serversChanged(): ServerView[] {
    const views = this.views();
    this.emit('servers.changed', views);
    return views;
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    if (this.closed) return;
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.log(`event listener failed on ${event}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private async probe(url: string): Promise<ProbeResult> {
    const address = checkAddress(url);
    const fingerprint = await probeFingerprint(address.href, this.options.client?.timeoutMs);
    const twin = this.registry.list().find((entry) => new URL(entry.url).origin === address.origin && entry.fingerprint !== null && entry.fingerprint !== fingerprint);
    return { fingerprint, pinned: twin?.fingerprint ?? null };
  }

  /**
   * Registers a server, pins the fingerprint the user accepted, keeps the password in the vault and signs
   * in. A failed sign-in (wrong password, changed certificate, unreachable) undoes all of it: a server the
   * console cannot use is not added.
   */
  private async addServer(arg: ArgOf<'servers.add'>): Promise<ServerView> {
    const vault = this.requireVault();
    const address = checkAddress(arg.url);
    if (address.protocol === 'https:' && arg.fingerprint === null) {
      throw new BridgeError('UNTRUSTED_CERTIFICATE', 'Check the server certificate fingerprint (probe the address) and accept it before adding the server.');
    }
    const added = this.registry.add({ name: arg.name, url: arg.url, username: arg.username });
    // Plain http (loopback only) has no certificate to pin.
    const entry = address.protocol === 'https:' ? this.registry.pinFingerprint(added.id, arg.fingerprint) : added;
    const connection = new ServerConnection(entry, this.context);
    try {
      await vault.setPassword(entry.id, arg.password);
      await connection.signIn();
    } catch (error) {
      connection.close();
      this.registry.remove(entry.id);
      this.cache.clear(entry.id);
      await vault.forget(entry.id).catch(() => undefined);
      throw error;
    }
    this.connections.set(entry.id, connection);
    const view = await connection.connect();
    this.serversChanged();
    return view;
  }

  /**
   * Edits a server. New credentials or a new address drop the session token (it belongs to the old
   * ones); a new address also drops the pinned fingerprint (registry.ts), so the server shows as
   * certificate-changed until the user trusts what it presents now.
   */
  private async updateServer(arg: ArgOf<'servers.update'>): Promise<ServerView> {
    const { serverId, password } = arg;
    const connection = this.connection(serverId);
    const before = this.registry.get(serverId);
    // Only the fields given: an explicit undefined must not blank a field.
    const fields: ServerPatch = {};
    if (arg.name !== undefined) fields.name = arg.name;
    if (arg.username !== undefined) fields.username = arg.username;
    if (arg.url !== undefined) {
      checkAddress(arg.url);
      fields.url = arg.url;
    }
    const entry = Object.keys(fields).length > 0 ? this.registry.update(serverId, fields) : before;
    if (password !== undefined) await this.requireVault().setPassword(serverId, password);
    const newSession = password !== undefined || entry.username !== before.username || new URL(entry.url).origin !== new URL(before.url).origin;
    if (newSession && this.vault) await this.vault.deleteToken(serverId);
    connection.reconfigure(entry, newSession);
    const view = await connection.connect();
    this.serversChanged();
    return view;
  }

  /** The user accepts the certificate the server presents (first use after an address change, or a replaced one). */
  private async trust(serverId: string, fingerprint: string): Promise<ServerView> {
    const connection = this.connection(serverId);
    if (new URL(this.registry.get(serverId).url).protocol !== 'https:') {
      throw new BridgeError('BAD_REQUEST', 'This server uses plain http (on this computer): there is no certificate to trust.');
    }
    connection.reconfigure(this.registry.pinFingerprint(serverId, fingerprint), false);
    const view = await connection.connect();
    this.serversChanged();
    return view;
  }

  /** Removes the server and everything kept for it: its session, its vault entries, its cached data. */
  private async removeServer(serverId: string): Promise<null> {
    const connection = this.connection(serverId);
    await Promise.race([connection.signOut(), new Promise((resolve) => setTimeout(resolve, SIGN_OUT_GRACE_MS).unref())]);
    connection.close();
    this.connections.delete(serverId);
    this.registry.remove(serverId);
    if (this.registry.getSetting(DEMO_SERVER_SETTING) === serverId) this.registry.setSetting(DEMO_SERVER_SETTING, null);
    await this.vault?.forget(serverId);
    this.cache.clear(serverId);
    this.serversChanged();
    return null;
  }

  /** Starts prefetching a customer's subtree and answers with its job id at once; progress comes as `job.progress`. */
  private makeAvailable(serverId: string, customerId: string): { jobId: string } {
    const connection = this.connection(serverId);
    if (connection.connectionState === 'offline') {
      throw new BridgeError('OFFLINE', `Server "${connection.name}" is offline; its data can be made available offline once it is back.`);
    }
    const jobId = randomUUID();
    let last = 0;
    const report = (status: Events['job.progress']['status'], label: string, done: number, total: number, error: string | null) =>
      this.emit('job.progress', { jobId, label, done, total, status, error });
    // Started on the next turn, so the caller has the job id before the first progress event.
    setImmediate(() => {
      let latest = { label: 'Making a customer available offline', done: 0, total: 0 };
      prefetchCustomer(connection, customerId, (progress) => {
        latest = { ...progress };
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        report('running', progress.label, progress.done, progress.total, null);
      }).then(
        () => report('done', latest.label, latest.done, latest.total, null),
        (error: unknown) => {
          const failure = asBridgeError(error);
          this.log(`make available offline (${connection.name}, customer ${customerId}) failed: ${failure.message}`);
          report('failed', latest.label, latest.done, latest.total, failure.message);
        },
      );
    });
    return { jobId };
  }

  /** The registry entry of the embedded demo server, if the user still has it. */
  private demoServerId(): string | null {
    const id = this.registry.getSetting(DEMO_SERVER_SETTING);
    return typeof id === 'string' && this.connections.has(id) ? id : null;
  }

  /**
   * Starts the embedded server and points its registry entry at it: added on first run, and on later runs
   * updated, since the port (and so the address) changes with every start. Its fingerprint is the one
   * our own child printed on stdout, so it is pinned without asking.
   */
  private async startDemo(): Promise<void> {
    const vault = this.requireVault();
    const dataDir = path.join(this.options.dataDir, DEMO_SERVER_DIR);
    const known = this.demoServerId();
    let password = known ? await vault.getPassword(known) : null;
    const freshPassword = password === null;
    if (password === null) {
      // Without its admin password (a memory vault last time, a cleaned keychain) the old demo data
      // cannot be signed in to; it is demo data, so it starts over.
      await fs.promises.rm(dataDir, { recursive: true, force: true });
      password = randomBytes(24).toString('base64url');
    }
    const server = await startEmbeddedServer({
      dataDir,
      adminPassword: password,
      launch: this.options.launchDemoServer,
      log: (line) => this.log(`demo server: ${line}`),
    });
    this.demoServer = server;

    let entry: ServerEntry;
    if (known) {
      this.registry.update(known, { url: server.url });
      entry = this.registry.pinFingerprint(known, server.fingerprint);
    } else {
      const added = this.registry.add({ name: DEMO_SERVER_NAME, url: server.url, username: 'admin' });
      entry = this.registry.pinFingerprint(added.id, server.fingerprint);
      this.registry.setSetting(DEMO_SERVER_SETTING, entry.id);
    }
    await vault.setPassword(entry.id, password);
    if (freshPassword) await vault.deleteToken(entry.id);

    const existing = this.connections.get(entry.id);
    if (existing) existing.reconfigure(entry, freshPassword);
    const connection = existing ?? new ServerConnection(entry, this.context);
    this.connections.set(entry.id, connection);
    void connection.connect();
    this.serversChanged();
  }
}

/** RegistryError and keychain errors keep their meaning across the bridge; anything else never shows a stack. */
function asBridgeError(error: unknown): BridgeError {
  if (error instanceof RegistryError) return new BridgeError(error.code, error.message, error.field ? { field: error.field } : undefined);
  if (error instanceof KeychainUnavailableError || error instanceof KeychainError) return new BridgeError('KEYCHAIN_UNAVAILABLE', error.message);
  return toBridgeError(error);
}

const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/**
 * A server address the console will talk to. Plain http only to this computer (the server refuses
 * --http elsewhere too): anywhere else the password and every report would cross the network unencrypted.
 */
function checkAddress(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BridgeError('BAD_REQUEST', 'url must be a full address such as https://backup.example.com:8443.', { field: 'url' });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new BridgeError('BAD_REQUEST', 'url: plain http:// is only accepted for a server on this computer; use https:// so the password and data travel encrypted.', {
      field: 'url',
    });
  }
  return url;
}

/** A settings value arrives over the bridge as anything; only plain JSON of a modest size is kept. */
function settingValue(key: string, value: unknown): JsonValue {
  const isJson = (v: unknown): v is JsonValue =>
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v)) ||
    (Array.isArray(v) && v.every(isJson)) ||
    (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(isJson));
  if (!isJson(value)) throw new BridgeError('BAD_REQUEST', `settings.set: the value of "${key}" must be plain JSON (objects, arrays, strings, finite numbers, booleans, null).`);
  if (JSON.stringify(value).length > MAX_SETTING_BYTES) throw new BridgeError('BAD_REQUEST', `settings.set: the value of "${key}" is larger than ${MAX_SETTING_BYTES / 1024} KB.`);
  return value;
}

let cachedVersion: string | undefined;
/** The app's version from its package.json (the repository's, or the packaged app's). */
function appVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const manifest: unknown = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8'));
      const version = typeof manifest === 'object' && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
      cachedVersion = typeof version === 'string' ? version : '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}
