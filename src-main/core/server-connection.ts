/**
 * One registered server as the console lives with it: its client, its connection state (pushed to the UI
 * as `server.state`), and the offline cache behind its reads.
 *
 * Rules:
 * - Each connection works on its own; nothing here waits for another server.
 * - Reads go to the server and are written through to the cache. When live data cannot be had — the
 *   server is unreachable (OFFLINE, TIMEOUT) or the console cannot sign in (no stored password, keychain
 *   unavailable) — the cached value comes back with `asOf`. A changed certificate is not such a case: it
 *   may be an attack and needs the user's decision first, so it fails every request.
 * - Once a server is known to be offline, reads go straight to the cache and writes are refused at once;
 *   a background reconnect with backoff notices when it is back (or the user asks with `connect`). So a
 *   dead server costs the UI nothing per click, and never a 15 s timeout per view.
 * - Signed-out stays signed-out until the user acts: retrying a rejected password on every read would
 *   lock the account (5 failures → 429).
 */
import type { Static, TSchema } from 'typebox';
import type { List, ListQuery } from '../../src-shared/api/common.js';
import { ServerInfo, type ServerPatch } from '../../src-shared/api/session.js';
import { BridgeError, type Cached, type ConnectionState, type ServerView } from '../../src-shared/bridge.js';
import type { OfflineCache } from './cache.js';
import { ConnectionCache, cacheKey, wholeListKey } from './connection-cache.js';
import type { ListKind } from './list-query.js';
import type { ServerEntry } from './registry.js';
import { SessionIdentity, ServerClient, type ClientTuning, type Credentials, type Download, type Query } from './server-client.js';

export interface ReconnectTuning {
  /** First wait before retrying an offline server; doubled per failure. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export interface ConnectionContext {
  cache: OfflineCache;
  credentials: Credentials;
  tuning: ClientTuning;
  reconnect: ReconnectTuning;
  /** Called with the new view whenever state, problem, info or identity changed. */
  changed: (view: ServerView) => void;
  log: (line: string) => void;
}

/** Who we are signed in as, kept in the cache next to the server's data (see SessionIdentity). */
const IDENTITY_KEY = 'POST /session';
const INFO_PATH = '/server';

/** Codes after which a read serves the cache: live data cannot be had, for a reason that is no threat. */
const SERVES_CACHE = new Set(['OFFLINE', 'TIMEOUT', 'NOT_SIGNED_IN', 'KEYCHAIN_UNAVAILABLE']);

function stateFor(code: string): ConnectionState | null {
  switch (code) {
    case 'OFFLINE':
    case 'TIMEOUT':
      return 'offline';
    case 'NOT_SIGNED_IN':
    case 'KEYCHAIN_UNAVAILABLE':
      return 'signed-out';
    case 'CERTIFICATE_CHANGED':
    case 'UNTRUSTED_CERTIFICATE':
      return 'certificate-changed';
    default:
      // The server answered (NOT_FOUND, FORBIDDEN, a policy refusal…): it is online.
      return null;
  }
}

export interface ReadOptions {
  /** For a list: lets a whole cached list answer this query offline (list-query.ts). */
  kind?: ListKind;
  /** false for one-off queries (search): not worth cache space, and they would evict real views. */
  writeThrough?: boolean;
}

export class ServerConnection {
  private client: ServerClient;
  private state: ConnectionState = 'connecting';
  private problem: string | null = null;
  /** The error that put the server in signed-out or certificate-changed: repeated until the user acts. */
  private blocker: BridgeError | null = null;
  private info: ServerInfo | null;
  private identityValue: SessionIdentity | null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs: number;
  private closed = false;
  /** This server's part of the offline cache. */
  private readonly stored: ConnectionCache;

  constructor(
    private entry: ServerEntry,
    private readonly ctx: ConnectionContext,
  ) {
    this.stored = new ConnectionCache(ctx.cache, entry.id, ctx.log);
    // What the last session knew, so an offline start still shows the server's name, role and tree.
    this.info = this.stored.cached(cacheKey(INFO_PATH), ServerInfo)?.data ?? null;
    this.identityValue = this.stored.cached(IDENTITY_KEY, SessionIdentity)?.data ?? null;
    this.retryDelayMs = ctx.reconnect.firstDelayMs;
    this.client = this.makeClient();
  }

  get id(): string {
    return this.entry.id;
  }

  get name(): string {
    return this.entry.name;
  }

  get identity(): SessionIdentity | null {
    return this.identityValue;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  view(): ServerView {
    const { id, name, url, username, fingerprint } = this.entry;
    return {
      id,
      name,
      url,
      username,
      fingerprint,
      state: this.state,
      problem: this.problem,
      info: this.info,
      role: this.identityValue?.role ?? null,
      resellerId: this.identityValue?.resellerId ?? null,
    };
  }

  /**
   * Adopts an edited registry entry (name, address, user, trusted fingerprint): a new client, and a
   * fresh start. `newCredentials` drops who we were signed in as, since the next sign-in may differ.
   */
  reconfigure(entry: ServerEntry, newCredentials: boolean): void {
    this.entry = entry;
    if (newCredentials) this.identityValue = null;
    this.client.close();
    this.client = this.makeClient();
    this.blocker = null;
    this.stopRetrying();
  }

  /** Connects now (sign in if needed, fetch the server's info) and resolves with the resulting view; never rejects. */
  async connect(): Promise<ServerView> {
    this.blocker = null;
    this.stopRetrying();
    this.retryDelayMs = this.ctx.reconnect.firstDelayMs;
    await this.attempt(false);
    return this.view();
  }

  /** Signs in (for adding a server: a wrong password must fail the add); rejects with the reason. */
  async signIn(): Promise<void> {
    try {
      await this.client.signIn();
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** A cached read: live and written through, or from the cache when live data cannot be had. */
  async read<S extends TSchema>(path: string, query: ListQuery | undefined, schema: S, options: ReadOptions = {}): Promise<Cached<Static<S>>> {
    if (this.blocker) {
      // Signed out: what we have is still worth reading. A changed certificate: nothing until the user decides.
      const cached = this.state === 'signed-out' ? this.stored.fromCache(path, query, schema, options.kind) : null;
      if (cached) return cached;
      throw this.blocker;
    }
    if (this.state === 'offline') {
      const cached = this.stored.fromCache(path, query, schema, options.kind);
      if (cached) return cached;
    }
    try {
      // Known offline: one attempt, the reconnect loop does the waiting.
      const data = await this.live(path, query, schema, this.state !== 'offline');
      if (options.writeThrough !== false) this.stored.store(path, query, data, options.kind);
      return { data, asOf: null };
    } catch (error) {
      const failure = error instanceof BridgeError ? error : this.failed(error);
      if (!SERVES_CACHE.has(failure.code)) throw failure;
      const cached = this.stored.fromCache(path, query, schema, options.kind);
      if (cached) return cached;
      throw new BridgeError(failure.code, `${failure.message} Nothing of this view is cached for offline reading.`, failure.details);
    }
  }

  /** The server's info, as a cached read; a live answer also refreshes the view. */
  async readInfo(): Promise<Cached<ServerInfo>> {
    const result = await this.read(INFO_PATH, undefined, ServerInfo);
    if (result.asOf === null) this.setInfo(result.data);
    return result;
  }

  async updateInfo(patch: ServerPatch): Promise<ServerInfo> {
    const info = await this.write('PATCH', INFO_PATH, patch, ServerInfo);
    this.stored.remember(cacheKey(INFO_PATH), info);
    this.setInfo(info);
    return info;
  }

  /** A live read that must not come from the cache (a deletion preview, a job's progress). */
  async get<S extends TSchema>(path: string, schema: S): Promise<Static<S>> {
    if (this.blocker) throw this.blocker;
    return this.live(path, undefined, schema, this.state !== 'offline');
  }

  /** A file, live (an invoice's PDF): not cached, since the data it is made from is. */
  async download(path: string): Promise<Download> {
    if (this.blocker) throw this.blocker;
    try {
      const file = await this.client.download(path, this.state !== 'offline');
      this.succeeded();
      return file;
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** A live read written through to the cache, for prefetching: fails rather than serving the cache. */
  async fetch<S extends TSchema>(path: string, schema: S): Promise<Static<S>> {
    if (this.blocker) throw this.blocker;
    const data = await this.live(path, undefined, schema, true);
    this.stored.put(cacheKey(path), data);
    return data;
  }

  /** A whole list, page by page (1000 per request, the API's maximum), cached as one entry for offline queries. */
  async fetchAll<T extends { id: string }>(path: string, schema: TSchema): Promise<List<T>> {
    if (this.blocker) throw this.blocker;
    const byId = new Map<string, T>();
    let total = 0;
    do {
      // The schema checked the page, so it is a list of T.
      const page = (await this.live(path, { offset: byId.size, limit: 1000 }, schema, true)) as List<T>;
      total = page.total;
      // Keyed by id: a row added while paging shifts the pages, and must not be counted twice.
      for (const item of page.items) byId.set(item.id, item);
      if (page.items.length === 0) break;
    } while (byId.size < total);
    const list = { items: [...byId.values()], total: byId.size };
    this.stored.put(wholeListKey(path), list);
    return list;
  }

  /** A change: refused at once while offline or blocked, since the UI disables it for the same reason. */
  async write<S extends TSchema>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body: unknown, schema: S): Promise<Static<S>> {
    if (this.state === 'offline') throw this.offlineForChanges();
    if (this.blocker) throw this.blocker;
    try {
      const result = await this.client.request(method, path, { body, schema });
      this.succeeded();
      return result;
    } catch (error) {
      const failure = this.failed(error);
      if (failure.code === 'OFFLINE') throw this.offlineForChanges();
      if (failure.code === 'TIMEOUT') {
        throw new BridgeError('TIMEOUT', `${failure.message} The change may or may not have been made; refresh to see.`);
      }
      throw failure;
    }
  }

  /** Ends the server session if the server is there to hear it; used when the server is removed. */
  async signOut(): Promise<void> {
    if (this.state !== 'online') return;
    await this.client.signOut().catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.stopRetrying();
    this.client.close();
  }

  private makeClient(): ServerClient {
    const { id, name, url, username, fingerprint } = this.entry;
    return new ServerClient({
      ...this.ctx.tuning,
      serverId: id,
      label: `"${name}" (${url})`,
      url,
      username,
      fingerprint,
      credentials: this.ctx.credentials,
      onSignIn: (identity) => {
        this.identityValue = identity;
        this.stored.remember(IDENTITY_KEY, identity);
      },
    });
  }

  private async live<S extends TSchema>(path: string, query: Query | undefined, schema: S, retry: boolean): Promise<Static<S>> {
    try {
      const data = await this.client.request('GET', path, { query, schema, retry });
      this.succeeded();
      return data;
    } catch (error) {
      throw this.failed(error);
    }
  }

  private offlineForChanges(): BridgeError {
    return new BridgeError('OFFLINE', `Server "${this.name}" is offline — changes are disabled until it is back.`, { serverId: this.id });
  }

  /** One connection attempt; `quiet` (background reconnects) does not flash "connecting" in the UI. */
  private attempt(quiet: boolean): Promise<void> {
    this.connecting ??= (async () => {
      if (!quiet) this.setState('connecting', null);
      try {
        if (!this.identityValue) await this.client.signIn();
        const info = await this.client.request('GET', INFO_PATH, { schema: ServerInfo, retry: !quiet });
        this.stored.remember(cacheKey(INFO_PATH), info);
        this.info = info;
        this.succeeded(true);
      } catch (error) {
        this.failed(error);
      }
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private setInfo(info: ServerInfo): void {
    if (JSON.stringify(info) === JSON.stringify(this.info)) return;
    this.info = info;
    if (!this.closed) this.ctx.changed(this.view());
  }

  private succeeded(infoChanged = false): void {
    this.blocker = null;
    this.stopRetrying();
    this.retryDelayMs = this.ctx.reconnect.firstDelayMs;
    this.setState('online', null, infoChanged);
  }

  /** Records what a failure says about the connection and returns it as a BridgeError. */
  private failed(error: unknown): BridgeError {
    const failure = error instanceof BridgeError ? error : new BridgeError('INTERNAL', `The console failed: ${error instanceof Error ? error.message : String(error)}`);
    const state = stateFor(failure.code);
    if (state === null) {
      this.succeeded();
      return failure;
    }
    this.blocker = state === 'offline' ? null : failure;
    this.setState(state, failure.message);
    if (state === 'offline') this.scheduleReconnect();
    return failure;
  }

  private setState(state: ConnectionState, problem: string | null, force = false): void {
    if (this.closed || (!force && state === this.state && problem === this.problem)) return;
    this.state = state;
    this.problem = problem;
    this.ctx.changed(this.view());
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.attempt(true);
    }, this.retryDelayMs);
    // Background work must not keep a host (or a test) alive.
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.ctx.reconnect.maxDelayMs);
  }

  private stopRetrying(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
