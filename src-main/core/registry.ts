/**
 * The server registry and the console's other non-secret settings (server list, pinned certificate
 * fingerprints, window and column layout), persisted with `conf`: the same JSON file electron-store
 * writes, so the desktop and browser hosts share it (DESIGN.md, "The console's two hosts").
 *
 * Secrets never go here: they belong in the credential vault (vault.ts). The types refuse property and
 * setting names that look like secrets, and a runtime guard refuses them again for callers that get
 * around the types (IPC payloads, casts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Conf from 'conf';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { Id, Name, Nullable, type ErrorCode } from '../../src-shared/api/common.js';

const ServerEntrySchema = Type.Object(
  {
    id: Id,
    name: Name,
    url: Type.String({ pattern: '^https?://' }),
    username: Type.String({ minLength: 1 }),
    /** Lowercase hex SHA-256 of the pinned certificate; null until trusted on first use. */
    fingerprint: Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);
export type ServerEntry = Static<typeof ServerEntrySchema>;

/** What the user types to add a server; the id and the fingerprint come later. */
export interface NewServer {
  name: string;
  url: string;
  username: string;
}
export type ServerPatch = Partial<NewServer>;

/** Words that make a property or setting name look like a secret. Both the types and the runtime guard use them. */
const SECRET_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'apikey',
  'api_key',
  'api-key',
  'privatekey',
  'private_key',
  'private-key',
] as const;
type SecretName = `${string}${(typeof SECRET_WORDS)[number]}${string}`;
const SECRET_NAME = new RegExp(SECRET_WORDS.join('|'), 'i');

/** `K`, unless it reads like the name of a secret (any case): then `never`, so the call does not compile. */
export type NotSecretName<K extends string> = Lowercase<K> extends SecretName ? never : K;
/** `T` with every secret-looking property turned to `never`: an object carrying a password does not type-check. */
export type WithoutSecrets<T> = { [K in keyof T]: K extends string ? (Lowercase<K> extends SecretName ? never : T[K]) : T[K] };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Codes from API.md, so the UI treats registry errors like server errors: show the message. */
export type RegistryErrorCode = Extract<ErrorCode, 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT'>;

export class RegistryError extends Error {
  override readonly name = 'RegistryError';

  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    /** The input field at fault, for the form to highlight. */
    readonly field?: string,
  ) {
    super(message);
  }
}

interface SettingsFile {
  servers: ServerEntry[];
  settings: Record<string, JsonValue>;
}

export interface RegistryOptions {
  /** Folder of the settings file: Electron's userData in the desktop host. */
  cwd: string;
  /** File name without `.json`; electron-store's default, so both hosts open the same file. */
  configName?: string;
}

const SERVER_FIELDS: ReadonlySet<string> = new Set<keyof NewServer>(['name', 'url', 'username']);

export class ServerRegistry {
  private readonly conf: Conf<SettingsFile>;
  /**
   * Where an unreadable settings file was moved on open, or null. The UI should tell the user: their
   * server list starts empty, and the old file is kept for them to recover from.
   */
  readonly recoveredFrom: string | null;

  constructor(options: RegistryOptions) {
    const configName = options.configName ?? 'config';
    const open = () =>
      new Conf<SettingsFile>({
        cwd: options.cwd,
        configName,
        projectName: 'backup-console',
        // Setting keys such as "columns.customers" are names, not paths into nested objects.
        accessPropertiesByDotNotation: false,
        // Not secret, but server addresses and user names are nobody else's business on a shared machine.
        configFileMode: 0o600,
        // conf validates the file on load and every write against the same schema the types come from.
        schema: { servers: Type.Array(ServerEntrySchema), settings: { type: 'object' } },
        defaults: { servers: [], settings: {} },
      });
    try {
      this.conf = open();
      this.recoveredFrom = null;
    } catch (error) {
      // A hand-edited or truncated file must not keep the console from starting.
      if (!isUnreadableConfig(error)) throw error;
      const file = path.join(options.cwd, `${configName}.json`);
      this.recoveredFrom = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(file, this.recoveredFrom);
      this.conf = open();
    }
  }

  /** Path of the settings file. */
  get path(): string {
    return this.conf.path;
  }

  /** Servers in the user's order. */
  list(): ServerEntry[] {
    return this.conf.get('servers');
  }

  get(id: string): ServerEntry {
    const entry = this.list().find((server) => server.id === id);
    if (!entry) throw new RegistryError('NOT_FOUND', `No server with id "${id}".`);
    return entry;
  }

  add<T extends NewServer>(input: T & WithoutSecrets<T>): ServerEntry {
    checkServerFields(input);
    const servers = this.list();
    const entry: ServerEntry = { id: randomUUID(), ...validServer(input), fingerprint: null };
    checkUnique(servers, entry);
    this.conf.set('servers', [...servers, entry]);
    return entry;
  }

  /**
   * Renames or re-points a server. A new origin (scheme, host or port) is a different server, so its
   * pinned fingerprint is dropped and the next connection asks for trust again.
   */
  update<T extends ServerPatch>(id: string, patch: T & WithoutSecrets<T>): ServerEntry {
    checkServerFields(patch);
    const current = this.get(id);
    const next: ServerEntry = { ...current, ...validServer({ ...current, ...patch }) };
    if (new URL(next.url).origin !== new URL(current.url).origin) next.fingerprint = null;
    const servers = this.list();
    checkUnique(servers, next);
    this.conf.set('servers', servers.map((server) => (server.id === id ? next : server)));
    return next;
  }

  /** Removes the entry only; the caller also forgets its credentials and clears its cache. */
  remove(id: string): void {
    this.get(id);
    this.conf.set('servers', this.list().filter((server) => server.id !== id));
  }

  /** Sets the order of the list; `ids` must name every server exactly once. */
  reorder(ids: readonly string[]): void {
    const byId = new Map(this.list().map((server) => [server.id, server]));
    const ordered = ids.flatMap((id) => byId.get(id) ?? []);
    // Right count, no repeats, no unknown ids: together, a permutation of the list.
    if (ids.length !== byId.size || new Set(ids).size !== ids.length || ordered.length !== ids.length) {
      throw new RegistryError('BAD_REQUEST', 'The new order must list every server exactly once.', 'ids');
    }
    this.conf.set('servers', ordered);
  }

  /**
   * Trusts a certificate for the server (trust on first use, or the user accepting a changed one), or
   * forgets it with null. Accepts `AB:CD:…` as tools print it and stores lowercase hex.
   */
  pinFingerprint(id: string, fingerprint: string | null): ServerEntry {
    const normalized = fingerprint === null ? null : fingerprint.replaceAll(':', '').toLowerCase();
    if (normalized !== null && !/^[0-9a-f]{64}$/.test(normalized)) {
      throw new RegistryError('BAD_REQUEST', 'fingerprint must be a SHA-256 in hex (64 digits).', 'fingerprint');
    }
    const next = { ...this.get(id), fingerprint: normalized };
    this.conf.set('servers', this.list().map((server) => (server.id === id ? next : server)));
    return next;
  }

  /** A UI setting (window bounds, column layout…), as stored; callers check its shape. */
  getSetting(key: string): JsonValue | undefined {
    return this.conf.get('settings')[key];
  }

  setSetting<K extends string>(key: K & NotSecretName<K>, value: JsonValue): void {
    refuseSecretNames(key, value);
    this.conf.set('settings', { ...this.conf.get('settings'), [key]: value });
  }
}

function isUnreadableConfig(error: unknown): boolean {
  return error instanceof SyntaxError || (error instanceof Error && error.message.startsWith('Config schema violation:'));
}

/** Runtime twin of WithoutSecrets: input can arrive over IPC, where the types no longer hold. */
function checkServerFields(input: object): void {
  for (const field of Object.keys(input)) {
    refuseSecretNames(field);
    if (!SERVER_FIELDS.has(field)) throw new RegistryError('BAD_REQUEST', `Unknown server field "${field}".`, field);
  }
}

/** Refuses a secret-looking name anywhere in `name` or in the keys nested in `value`. Never echoes a value. */
function refuseSecretNames(name: string, value?: unknown): void {
  if (SECRET_NAME.test(name)) {
    throw new RegistryError(
      'BAD_REQUEST',
      `Refusing to store "${name}" in the settings file: secrets belong in the system keychain.`,
      name,
    );
  }
  if (Array.isArray(value)) value.forEach((item, index) => refuseSecretNames(`${name}[${index}]`, item));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) refuseSecretNames(`${name}.${key}`, item);
  }
}

/** Checks and normalizes the user-typed fields. Messages name the field but never echo the URL, which may hold a password. */
function validServer(input: NewServer): NewServer {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!Value.Check(Name, name)) {
    throw new RegistryError('BAD_REQUEST', 'name must be 1–200 characters, not blank, without control characters.', 'name');
  }
  const username = typeof input.username === 'string' ? input.username.trim() : '';
  if (username.length === 0) throw new RegistryError('BAD_REQUEST', 'username must not be empty.', 'username');
  return { name, url: normalizeUrl(input.url), username };
}

/** One spelling per server, so duplicates are caught: lowercase host, no default port, no trailing slash. */
function normalizeUrl(raw: unknown): string {
  const badUrl = (why: string) => new RegistryError('BAD_REQUEST', `url ${why}`, 'url');
  let url: URL;
  try {
    url = new URL(typeof raw === 'string' ? raw.trim() : '');
  } catch {
    throw badUrl('must be a full address such as https://backup.example.com:8443.');
  }
  // For http(s) the URL parser itself refuses an address without a host.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badUrl('must start with https:// or http://.');
  if (url.username !== '' || url.password !== '') {
    throw badUrl('must not contain a user name or password; enter the user name in its own field.');
  }
  if (url.search !== '' || url.hash !== '') throw badUrl('must not contain a query (?) or fragment (#).');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function checkUnique(servers: readonly ServerEntry[], entry: ServerEntry): void {
  const twin = servers.find((s) => s.id !== entry.id && s.url === entry.url && s.username === entry.username);
  if (twin) {
    throw new RegistryError('CONFLICT', `"${twin.name}" already connects to this address as ${entry.username}.`, 'url');
  }
}
