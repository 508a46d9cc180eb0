/**
 * What the ConsoleService's handlers share: the settings (registry.ts), the credential vault (vault.ts),
 * the offline cache (cache.ts), the live servers, the embedded demo server, and the event listeners.
 */
import { BridgeError, type AppInfo, type EventName, type Events, type ServerView } from '../../src-shared/bridge.js';
import { toBridgeError, type BridgeBackend } from './backend.js';
import type { OfflineCache } from './cache.js';
import type { EmbeddedServer, ServerLauncher } from './embedded-server.js';
import { RegistryError, type ServerRegistry } from './registry.js';
import { SEARCH_LIMITS, type SearchLimits } from './search.js';
import type { ClientTuning, Credentials } from './server-client.js';
import type { ReconnectTuning } from './server-connection.js';
import { ServerSet } from './server-set.js';
import { CredentialVault, KeychainError, KeychainUnavailableError, MemorySecretStore } from './vault.js';

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

type Listener = Parameters<BridgeBackend['subscribe']>[0];

const DEFAULT_RECONNECT: ReconnectTuning = { firstDelayMs: 2_000, maxDelayMs: 30_000 };

export class ConsoleState {
  readonly servers: ServerSet;
  readonly searchLimits: SearchLimits;
  /** The embedded backup server, while `--demo` runs one (demo.ts). */
  demoServer: EmbeddedServer | null = null;
  private readonly listeners = new Set<Listener>();
  private closedFlag = false;

  constructor(
    readonly options: ConsoleServiceOptions,
    readonly registry: ServerRegistry,
    readonly cache: OfflineCache,
    private vaultValue: CredentialVault | null,
    readonly keychainProblem: string | null,
    readonly log: (line: string) => void,
  ) {
    // Connections reach the vault through this, so "this session only" takes effect without rebuilding them.
    const credentials: Credentials = {
      getPassword: (id) => this.requireVault().getPassword(id),
      getToken: (id) => this.requireVault().getToken(id),
      setToken: (id, token) => this.requireVault().setToken(id, token),
      deleteToken: (id) => this.requireVault().deleteToken(id),
    };
    this.servers = new ServerSet(registry, {
      cache,
      credentials,
      tuning: options.client ?? {},
      reconnect: { ...DEFAULT_RECONNECT, ...options.reconnect },
      // A server being added is not in the list yet: its sign-in must not surface as an unknown server's state.
      changed: (view) => {
        if (this.servers.has(view.id)) this.emit('server.state', view);
      },
      log,
    });
    this.searchLimits = { ...SEARCH_LIMITS, ...options.search };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get vault(): CredentialVault | null {
    return this.vaultValue;
  }

  requireVault(): CredentialVault {
    if (this.vaultValue) return this.vaultValue;
    throw new BridgeError(
      'KEYCHAIN_UNAVAILABLE',
      this.keychainProblem ?? 'The system keychain is not available. You can choose "this session only" to keep passwords in memory until the console quits.',
    );
  }

  /**
   * The user's explicit "this session only": passwords and tokens kept in memory until the console quits.
   * Nothing to do when a vault is already there (the keychain works, or the choice was made before).
   */
  useMemoryVault(): void {
    if (this.vaultValue !== null) return;
    this.vaultValue = new CredentialVault(new MemorySecretStore());
    // Each server now reports that it needs its password (a fresh memory vault has none).
    for (const connection of this.servers.all()) void connection.connect();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    if (this.closedFlag) return;
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.log(`event listener failed on ${event}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Tells the UI the server list changed, and answers with it. */
  serversChanged(): ServerView[] {
    const views = this.servers.views();
    this.emit('servers.changed', views);
    return views;
  }

  /** Stops background work and the embedded server, and closes the cache. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.servers.closeAll();
    const demo = this.demoServer;
    this.demoServer = null;
    await demo?.stop();
    this.cache.close();
    this.listeners.clear();
  }
}

/** RegistryError and keychain errors keep their meaning across the bridge; anything else never shows a stack. */
export function asBridgeError(error: unknown): BridgeError {
  if (error instanceof RegistryError) return new BridgeError(error.code, error.message, error.field ? { field: error.field } : undefined);
  if (error instanceof KeychainUnavailableError || error instanceof KeychainError) return new BridgeError('KEYCHAIN_UNAVAILABLE', error.message);
  return toBridgeError(error);
}
