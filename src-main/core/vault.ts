/**
 * The credential vault: server passwords and session tokens, kept in the OS keychain (keytar → macOS
 * Keychain, Windows Credential Manager, the Secret Service on Linux) and nowhere else.
 *
 * Rules this module enforces (DESIGN.md, "The console's two hosts"):
 * - One fixed keychain service name; the account is the server id, so a technician can find and remove
 *   the console's entries with the OS keychain tool.
 * - When the keychain cannot be reached we never fall back to a file: `openVault` throws
 *   `KeychainUnavailableError`, and only an explicit "this session only" choice (`allowMemory`) gives a
 *   memory store, which says so through `backend`.
 * - Secrets never appear in error messages or logs: every error below is built from account names and
 *   keychain diagnostics only.
 */
import { randomUUID } from 'node:crypto';

/** The keychain service every entry of the console is filed under. Fixed: changing it orphans saved passwords. */
export const KEYCHAIN_SERVICE = 'backup-console';

export type SecretBackend = 'keychain' | 'memory';

/** Where secrets live. Two implementations: the OS keychain and a this-session-only memory twin. */
export interface SecretStore {
  readonly backend: SecretBackend;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** Resolves true when an entry existed and was removed. */
  delete(account: string): Promise<boolean>;
}

/** The part of keytar the vault uses: injected so tests can stand in for the native module. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** A keychain operation failed after the vault was opened (for example the keyring was locked again). */
export class KeychainError extends Error {
  override readonly name = 'KeychainError';
}

/** Why the keychain could not be used; lets the UI pick its wording without parsing messages. */
export type KeychainProblem = 'module-missing' | 'no-session-bus' | 'keychain-error' | 'timeout';

/**
 * The OS keychain cannot be used. The message says what is missing and that the user may choose to keep
 * credentials for this session only; `problem` is the machine-readable form of the first half.
 */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
  readonly code = 'KEYCHAIN_UNAVAILABLE';

  constructor(
    readonly problem: KeychainProblem,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `The system keychain is not available: ${detail} Passwords are never saved unencrypted; you can choose ` +
        `"this session only" to keep them in memory until the console quits.`,
      options,
    );
  }
}

/** Rejects what keytar itself would reject, so the memory twin behaves the same in tests. */
function checkEntry(account: string, secret?: string): void {
  if (account.length === 0) throw new TypeError('A keychain account name must not be empty.');
  if (secret !== undefined && secret.length === 0) throw new TypeError(`The secret for "${account}" must not be empty.`);
}

/** Native errors come from libsecret/Keychain/DPAPI and never echo the secret; the replace is a belt-and-braces guard. */
function keychainError(action: string, account: string, cause: unknown, secret?: string): KeychainError {
  const raw = messageOf(cause);
  const reason = secret === undefined ? raw : raw.replaceAll(secret, '[redacted]');
  return new KeychainError(`Could not ${action} keychain entry "${account}": ${reason}`);
}

export class KeychainSecretStore implements SecretStore {
  readonly backend = 'keychain';

  constructor(private readonly keytar: KeytarApi) {}

  async get(account: string): Promise<string | null> {
    checkEntry(account);
    try {
      return await this.keytar.getPassword(KEYCHAIN_SERVICE, account);
    } catch (cause) {
      throw keychainError('read', account, cause);
    }
  }

  async set(account: string, secret: string): Promise<void> {
    checkEntry(account, secret);
    try {
      await this.keytar.setPassword(KEYCHAIN_SERVICE, account, secret);
    } catch (cause) {
      throw keychainError('save', account, cause, secret);
    }
  }

  async delete(account: string): Promise<boolean> {
    checkEntry(account);
    try {
      return await this.keytar.deletePassword(KEYCHAIN_SERVICE, account);
    } catch (cause) {
      throw keychainError('delete', account, cause);
    }
  }
}

/** "This session only": secrets live in this process and are gone when it exits. Also the test twin. */
export class MemorySecretStore implements SecretStore {
  readonly backend = 'memory';
  private readonly entries = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    checkEntry(account);
    return this.entries.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    checkEntry(account, secret);
    this.entries.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    checkEntry(account);
    return this.entries.delete(account);
  }
}

/**
 * Credentials per registered server. The password lives under the server id itself (DESIGN.md: account =
 * server id); the session token from `POST /session` lives next to it under `<serverId>:token`, so a
 * token can be dropped on logout or expiry while the password stays.
 *
 * Methods are async even where they only forward, so a bad server id rejects like a keychain error
 * instead of throwing synchronously.
 */
export class CredentialVault {
  constructor(private readonly store: SecretStore) {}

  /** 'memory' means nothing survives a restart; the UI should say so. */
  get backend(): SecretBackend {
    return this.store.backend;
  }

  async getPassword(serverId: string): Promise<string | null> {
    return this.store.get(passwordAccount(serverId));
  }

  async setPassword(serverId: string, password: string): Promise<void> {
    return this.store.set(passwordAccount(serverId), password);
  }

  async getToken(serverId: string): Promise<string | null> {
    return this.store.get(tokenAccount(serverId));
  }

  async setToken(serverId: string, token: string): Promise<void> {
    return this.store.set(tokenAccount(serverId), token);
  }

  async deleteToken(serverId: string): Promise<boolean> {
    return this.store.delete(tokenAccount(serverId));
  }

  /** Removes everything kept for a server, e.g. when it is removed from the registry. */
  async forget(serverId: string): Promise<void> {
    await this.store.delete(passwordAccount(serverId));
    await this.store.delete(tokenAccount(serverId));
  }
}

/** A ':' in a server id could make one server's password account another server's token account. */
function passwordAccount(serverId: string): string {
  if (serverId.length === 0 || serverId.includes(':')) {
    throw new TypeError(`Invalid server id "${serverId}": it must be non-empty and must not contain ":".`);
  }
  return serverId;
}

function tokenAccount(serverId: string): string {
  return `${passwordAccount(serverId)}:token`;
}

export interface OpenVaultOptions {
  /** The user chose "this session only": fall back to memory instead of throwing. */
  allowMemory: boolean;
  /** Loads keytar; replaced in tests. */
  loadKeytar?: () => Promise<KeytarApi>;
  /**
   * How long the probe may take. A locked keyring can show an unlock prompt, so this is generous, but a
   * Secret Service that never answers must not hang the console's start.
   */
  timeoutMs?: number;
}

/** The probe entry is fixed, so a probe interrupted halfway leaves at most one stale entry, overwritten next time. */
export const PROBE_ACCOUNT = '.probe';
const DEFAULT_PROBE_TIMEOUT_MS = 20_000;

/**
 * keytar is CommonJS and native: importing it can fail (no prebuilt binary, libsecret missing), which must
 * become a KeychainUnavailableError rather than a crash at import time, hence the dynamic import.
 */
async function loadRealKeytar(): Promise<KeytarApi> {
  const keytar = await import('keytar');
  return keytar.default;
}

/**
 * Opens the vault on the OS keychain after proving it works with a real set/get/delete round trip (keytar
 * loads fine without a Secret Service; only a call shows whether one answers). When the keychain is
 * unavailable: with `allowMemory` a this-session-only vault, otherwise `KeychainUnavailableError`.
 */
export async function openVault(options: OpenVaultOptions): Promise<CredentialVault> {
  try {
    const keytar = await loadKeytarOrExplain(options.loadKeytar ?? loadRealKeytar);
    await withTimeout(probe(keytar), options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    return new CredentialVault(new KeychainSecretStore(keytar));
  } catch (error) {
    if (error instanceof KeychainUnavailableError && options.allowMemory) {
      return new CredentialVault(new MemorySecretStore());
    }
    throw error;
  }
}

async function loadKeytarOrExplain(load: () => Promise<KeytarApi>): Promise<KeytarApi> {
  try {
    return await load();
  } catch (cause) {
    throw new KeychainUnavailableError('module-missing', `the keychain module (keytar) ${keytarRemedy(cause)}`, { cause });
  }
}

/**
 * keytar is an optional dependency: `npm ci` leaves it out where it cannot be built (on Linux, without
 * libsecret's headers), and a module that is there can still fail to load (its libsecret library missing).
 * Either way the user is told, once and in plain words, how to get keychain storage.
 */
function keytarRemedy(cause: unknown): string {
  const notInstalled = (cause as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package) 'keytar'/.test(messageOf(cause));
  const what = notInstalled ? 'is not installed' : `could not be loaded (${messageOf(cause)})`;
  const fix = notInstalled ? '`npm install`' : '`npm rebuild keytar`';
  const system =
    process.platform === 'linux'
      ? 'install libsecret (Debian/Ubuntu: `sudo apt-get install libsecret-1-dev`; Fedora: `sudo dnf install libsecret-devel`), then run'
      : 'run';
  return `${what}, so passwords cannot be saved in the system keychain. To keep them there, ${system} ${fix} in the console's folder and restart it.`;
}

/** Talks to keytar directly so the diagnosis below quotes the native error as it is. */
async function probe(keytar: KeytarApi): Promise<void> {
  const value = randomUUID();
  try {
    await keytar.setPassword(KEYCHAIN_SERVICE, PROBE_ACCOUNT, value);
    const readBack = await keytar.getPassword(KEYCHAIN_SERVICE, PROBE_ACCOUNT);
    if (readBack !== value) {
      throw new KeychainUnavailableError('keychain-error', 'it accepted a test entry but returned something else.');
    }
  } catch (cause) {
    if (cause instanceof KeychainUnavailableError) throw cause;
    throw explainKeychainFailure(cause);
  } finally {
    await keytar.deletePassword(KEYCHAIN_SERVICE, PROBE_ACCOUNT).catch(() => false);
  }
}

/** Turns keytar's terse native error into a sentence naming the missing piece. */
function explainKeychainFailure(cause: unknown): KeychainUnavailableError {
  if (process.platform === 'linux' && !process.env['DBUS_SESSION_BUS_ADDRESS']) {
    return new KeychainUnavailableError(
      'no-session-bus',
      'no D-Bus session bus is running (DBUS_SESSION_BUS_ADDRESS is not set), so the Secret Service ' +
        '(GNOME Keyring, KWallet) cannot be reached.',
      { cause },
    );
  }
  const where =
    process.platform === 'linux'
      ? 'the Secret Service (GNOME Keyring, KWallet) on the D-Bus session bus did not accept a test entry; ' +
        'it may be missing, or have no unlocked default keyring'
      : 'the keychain did not accept a test entry';
  return new KeychainUnavailableError('keychain-error', `${where} (${messageOf(cause)}).`, { cause });
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new KeychainUnavailableError(
          'timeout',
          `it did not answer within ${ms / 1000} s (it may be locked and waiting for its password).`,
        ),
      );
    }, ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
