/**
 * The ConsoleService: everything the UI asks of the main process, behind the bridge contract
 * (src-shared/bridge.ts), served alike by the Electron shell and the browser host. Each channel's handler
 * lives with its feature in `handlers/`; what they share is the ConsoleState (console-state.ts): the
 * settings, the credential vault, the offline cache, one ServerConnection per registered server, and —
 * with `demo` — the embedded backup server.
 *
 * Promises to the hosts and the UI:
 * - No password or token ever leaves this process: ServerView has none, errors never quote one, and the
 *   settings file and cache never hold one (passwords and tokens live only in the vault).
 * - Servers are independent: nothing here awaits all servers; a dead one never delays another's answer.
 * - Reads are `Cached<T>`: `asOf` null when live, the fetch time when served from the cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BridgeError, type ArgOf, type Channel, type ResultOf } from '../../src-shared/bridge.js';
import type { BridgeBackend } from './backend.js';
import { OfflineCache } from './cache.js';
import { asBridgeError, ConsoleState, type ConsoleServiceOptions } from './console-state.js';
import { demoServerId, startDemo } from './demo.js';
import { bridgeHandlers, type BridgeHandlers } from './handlers/index.js';
import { ServerRegistry } from './registry.js';
import { CredentialVault, KeychainUnavailableError, MemorySecretStore, openVault } from './vault.js';

export type { ConsoleServiceOptions } from './console-state.js';
export { DEMO_SERVER_DIR, DEMO_SERVER_NAME } from './demo.js';

export const SETTINGS_FILE = 'config.json';
export const CACHE_FILE = 'offline-cache.sqlite';
const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export class ConsoleService implements BridgeBackend {
  private readonly handlers: BridgeHandlers;

  private constructor(private readonly state: ConsoleState) {
    this.handlers = bridgeHandlers(state);
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
    const state = new ConsoleState(options, registry, cache, vault, keychainProblem, log);
    const service = new ConsoleService(state);

    // The demo entry's address changes with every start: connect it once its server is up.
    const demoId = options.demo ? demoServerId(state) : null;
    for (const connection of state.servers.all()) {
      if (connection.id !== demoId) void connection.connect();
    }
    if (options.demo) {
      try {
        await startDemo(state);
      } catch (error) {
        await service.close();
        throw error;
      }
    }
    return service;
  }

  async invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>> {
    if (this.state.closed) throw new BridgeError('INTERNAL', 'The console is shutting down.');
    // Indexing the handler map by a generic channel loses the pairing of argument and result types.
    const handler = this.handlers[channel] as (arg: ArgOf<C>) => Promise<ResultOf<C>>;
    try {
      return await handler(arg);
    } catch (error) {
      throw asBridgeError(error);
    }
  }

  subscribe(listener: Parameters<BridgeBackend['subscribe']>[0]): () => void {
    return this.state.subscribe(listener);
  }

  /** Stops background work and the embedded server, and closes the cache. Safe to call twice. */
  close(): Promise<void> {
    return this.state.close();
  }
}
