/**
 * The offline cache (DESIGN.md, "Offline reports"): every list and report the console fetches is written
 * through here, keyed by server and resource (e.g. `GET /resellers/r1/customers?sort=name`), so that an
 * unreachable server still shows its last rows "as of" when they were fetched.
 *
 * Design choices:
 * - One row per resource holding the whole result as JSON text: one read and one JSON.parse per list,
 *   no per-row overhead. 100,000 backup-report rows take ~23 MB, well under the 40 MB budget.
 *   Not compressed, on measurement: Brotli quality 1 shrinks report lists ~6x, but decoding a 20,000-row
 *   customer list added 40–60 ms to a cold read of 100–150 ms, whose budget is 150 ms, and the size
 *   budget is met without it.
 * - The cache is disposable: a file that is not a database or fails `quick_check` is moved aside and
 *   rebuilt, and one of another schema version is deleted and rebuilt. Losing it costs one refetch;
 *   crashing the console over it would cost the technician much more.
 * - Bounded by `maxBytes` of stored JSON, evicting the least recently used resources.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Bump when the tables change; a file of any other version is replaced on open. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    server_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    last_used_at INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (server_id, key)
  );
  CREATE INDEX entries_lru ON entries (last_used_at, bytes);
`;

export interface CacheOptions {
  /** Upper bound on the stored size of all values (UTF-8 JSON bytes); older entries are evicted to stay under it. */
  maxBytes: number;
}

export interface CachedValue {
  /** The value as it was put; callers re-validate it against its wire schema. */
  value: unknown;
  /** ISO-8601 time the value was fetched from the server: the "as of" the UI shows. */
  asOf: string;
}

interface EntryRow {
  id: number;
  fetched_at: string;
  body: string;
}

export class OfflineCache {
  /** The newest use time handed out; see `tick`. */
  private lastTick: number;
  private readonly insert: Database.Statement<[string, string, string, number, number, string]>;
  private readonly select: Database.Statement<[string, string], EntryRow>;
  private readonly touch: Database.Statement<[number, number]>;
  private readonly total: Database.Statement<[], { total: number }>;
  private readonly putAndEvict: (serverId: string, key: string, json: string) => void;

  private constructor(
    private readonly db: Database.Database,
    private readonly maxBytes: number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO entries (server_id, key, fetched_at, last_used_at, bytes, body) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (server_id, key) DO UPDATE SET fetched_at = excluded.fetched_at,
         last_used_at = excluded.last_used_at, bytes = excluded.bytes, body = excluded.body`,
    );
    this.select = db.prepare('SELECT id, fetched_at, body FROM entries WHERE server_id = ? AND key = ?');
    this.touch = db.prepare('UPDATE entries SET last_used_at = ? WHERE id = ?');
    this.total = db.prepare('SELECT coalesce(sum(bytes), 0) AS total FROM entries');
    // Keeps the most recently used entries whose sizes add up to at most maxBytes and deletes the rest:
    // the same set as evicting the oldest one at a time until the total fits (the new entry included, so
    // a value larger than maxBytes is not kept), in one statement.
    const evict = db.prepare<[number]>(
      `DELETE FROM entries WHERE id IN (
         SELECT id FROM (SELECT id, sum(bytes) OVER (ORDER BY last_used_at DESC, id DESC) AS newer FROM entries)
         WHERE newer > ?)`,
    );
    this.lastTick = db.prepare<[], { last: number | null }>('SELECT max(last_used_at) AS last FROM entries').get()?.last ?? 0;
    // Insert and eviction commit together, so the file never holds more than maxBytes of values.
    this.putAndEvict = db.transaction((serverId: string, key: string, json: string) => {
      this.insert.run(serverId, key, new Date().toISOString(), this.tick(), Buffer.byteLength(json), json);
      evict.run(this.maxBytes);
    });
  }

  /**
   * Opens (creating if needed) the cache file. A damaged file is renamed `<file>.corrupt-<time>` and one
   * from another schema version is deleted; either way a fresh cache takes its place.
   */
  static open(file: string, options: CacheOptions): OfflineCache {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) {
      throw new RangeError(`maxBytes must be a positive integer, got ${options.maxBytes}.`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = openDatabase(file);
    } catch (error) {
      if (error instanceof OtherSchemaError) removeDatabase(file);
      else if (isCorruption(error)) moveAside(file);
      else throw error;
      db = openDatabase(file);
    }
    return new OfflineCache(db, options.maxBytes);
  }

  /** Stores (or replaces) a fetched result, then evicts least-recently-used entries down to maxBytes. */
  put(serverId: string, key: string, value: unknown): void {
    // Typed as string, but undefined for undefined, functions and symbols.
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new TypeError(`Cannot cache ${typeof value} for "${key}": it has no JSON form.`);
    this.putAndEvict(serverId, key, json);
  }

  /** The cached value and when it was fetched, or null; a hit counts as a use for eviction. */
  get(serverId: string, key: string): CachedValue | null {
    const row = this.select.get(serverId, key);
    if (!row) return null;
    this.touch.run(this.tick(), row.id);
    return { value: JSON.parse(row.body), asOf: row.fetched_at };
  }

  /** Drops one server's entries, or everything, and gives the freed pages back to the file system. */
  clear(serverId?: string): void {
    if (serverId === undefined) this.db.prepare('DELETE FROM entries').run();
    else this.db.prepare('DELETE FROM entries WHERE server_id = ?').run(serverId);
    this.db.pragma('incremental_vacuum');
  }

  /** Stored size of all values (UTF-8 JSON bytes): what maxBytes bounds. */
  sizeBytes(): number {
    return this.total.get()?.total ?? 0;
  }

  close(): void {
    this.db.close();
  }

  /**
   * Use times are epoch milliseconds made strictly increasing: several gets within one millisecond must
   * still order the entries, or eviction would pick among them arbitrarily.
   */
  private tick(): number {
    this.lastTick = Math.max(Date.now(), this.lastTick + 1);
    return this.lastTick;
  }
}

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    // The first statement reads the header: a file that is not a database fails here with SQLITE_NOTADB.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new CacheCorruptError(String(check));
    // Only takes effect on a new, empty file; lets clear() return freed pages to the file system.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // A cache can lose its last write on power loss; WAL + NORMAL still cannot corrupt the file.
    db.pragma('synchronous = NORMAL');
    const version = db.pragma('user_version', { simple: true });
    if (version !== SCHEMA_VERSION) {
      const objects = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sqlite_schema').get()?.n ?? 0;
      if (objects > 0) throw new OtherSchemaError();
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

class CacheCorruptError extends Error {
  override readonly name = 'CacheCorruptError';
  constructor(check: string) {
    super(`The offline cache failed its integrity check: ${check}`);
  }
}

/** A cache of another schema version (or not ours at all): it holds nothing that cannot be fetched again. */
class OtherSchemaError extends Error {
  override readonly name = 'OtherSchemaError';
}

function isCorruption(error: unknown): boolean {
  if (error instanceof CacheCorruptError) return true;
  const code = error instanceof Database.SqliteError ? error.code : '';
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

const DATABASE_FILE_SUFFIXES = ['', '-wal', '-shm'];

/**
 * Keeps the damaged file for diagnosis instead of deleting it. Its -wal/-shm go with it: replayed onto
 * the fresh database they would corrupt it again.
 */
function moveAside(file: string): void {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of DATABASE_FILE_SUFFIXES) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  }
}

function removeDatabase(file: string): void {
  for (const suffix of DATABASE_FILE_SUFFIXES) fs.rmSync(file + suffix, { force: true });
}
