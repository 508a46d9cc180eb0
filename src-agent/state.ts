/**
 * The agent's state dir: `state.json` (which server, its pinned certificate, this machine's token) and
 * `manifests/<scheduleId>.json` (the last committed manifest of each schedule, for change detection).
 *
 * The token is a credential, so the dir is 0700 and every file 0600, and files are replaced atomically
 * (write a temp file, fsync, rename): a crash or a full disk never leaves a half-written state.json that
 * would lock the machine out of its server.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestEntry } from '../src-shared/api/agent.js';

export interface ServerEndpoint {
  /** Base URL as given to `register`, without `/api/v1` (e.g. `https://backup.example.com:8443`). */
  url: string;
  /**
   * Lowercase hex SHA-256 of the server's certificate, no colons. null for plain http, and for https
   * registered without a pin, where the system's certificate authorities vouch for the server.
   */
  fingerprint: string | null;
}

export interface AgentState {
  version: 1;
  server: ServerEndpoint;
  token: string;
  clientId: string;
  clientName: string;
}

export interface CachedManifest {
  backupId: string;
  entries: ManifestEntry[];
}

const STATE_FILE = 'state.json';
/** writev takes at most this many buffers per call on Linux. */
const IOV_MAX = 1024;
const MANIFEST_DIR = 'manifests';

export class StateDir {
  constructor(readonly dir: string) {}

  get stateFile(): string {
    return path.join(this.dir, STATE_FILE);
  }

  /** The state, or null when this dir has not registered yet. Throws on a file that is not a valid state. */
  async load(): Promise<AgentState | null> {
    let text: string;
    try {
      text = await readFile(this.stateFile, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const state: unknown = JSON.parse(text);
    if (!isAgentState(state)) throw new Error(`${this.stateFile} is not an agent state file (unknown version or missing fields)`);
    return state;
  }

  /** Like load, but a missing state is an error that says what to do. */
  async require(): Promise<AgentState> {
    const state = await this.load();
    if (!state) throw new Error(`${this.dir} holds no registration; run "register --server URL ..." with this --state-dir first`);
    return state;
  }

  async save(state: AgentState): Promise<void> {
    await this.ensureDir();
    await writeAtomic(this.stateFile, [Buffer.from(JSON.stringify(state, null, 2))]);
  }

  /** The cached manifest of a schedule, or null when there is none or it cannot be read (the server has it anyway). */
  async loadManifest(scheduleId: string): Promise<CachedManifest | null> {
    try {
      const cached: unknown = JSON.parse(await readFile(this.manifestFile(scheduleId), 'utf8'));
      return isCachedManifest(cached) ? cached : null;
    } catch {
      return null;
    }
  }

  /**
   * Caches the manifest of backup `backupId`, given as the JSON text of its entries array in pieces
   * (the form the commit sent it in: a manifest of many files is never one big string).
   */
  async saveManifest(scheduleId: string, backupId: string, entriesJson: readonly Buffer[]): Promise<void> {
    await this.ensureDir();
    await mkdir(path.join(this.dir, MANIFEST_DIR), { recursive: true, mode: 0o700 });
    await writeAtomic(this.manifestFile(scheduleId), [Buffer.from(`{"backupId":${JSON.stringify(backupId)},"entries":`), ...entriesJson, Buffer.from('}')]);
  }

  private manifestFile(scheduleId: string): string {
    // Server ids are [A-Za-z0-9_-]; anything else would be a path trick, so it is refused rather than escaped.
    if (!/^[A-Za-z0-9_-]+$/.test(scheduleId)) throw new Error(`unexpected schedule id from the server: ${JSON.stringify(scheduleId)}`);
    return path.join(this.dir, MANIFEST_DIR, `${scheduleId}.json`);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing dir's mode alone; a token must not sit in a world-readable dir.
    await chmod(this.dir, 0o700);
  }
}

async function writeAtomic(file: string, parts: readonly Buffer[]): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    for (let at = 0; at < parts.length; at += IOV_MAX) {
      const batch = parts.slice(at, at + IOV_MAX);
      const { bytesWritten } = await handle.writev(batch);
      if (bytesWritten !== batch.reduce((n, b) => n + b.length, 0)) throw new Error(`short write to ${temp}`);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, file);
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function isAgentState(value: unknown): value is AgentState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<AgentState>;
  return (
    s.version === 1 &&
    typeof s.token === 'string' &&
    typeof s.clientId === 'string' &&
    typeof s.clientName === 'string' &&
    typeof s.server === 'object' &&
    s.server !== null &&
    typeof s.server.url === 'string' &&
    (s.server.fingerprint === null || typeof s.server.fingerprint === 'string')
  );
}

function isCachedManifest(value: unknown): value is CachedManifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<CachedManifest>;
  return typeof m.backupId === 'string' && Array.isArray(m.entries);
}
