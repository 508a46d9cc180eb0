/**
 * Restore of one backup into a target folder: every entry lands at `<target>/<its absolute path without
 * the root or drive letter>`, so `/home/ann/a.txt` restored to `/tmp/r` becomes `/tmp/r/home/ann/a.txt`.
 *
 * Order: directories first (owner-writable for now), then files and symlinks with their metadata, then
 * the directories' modes and mtimes, deepest first, because writing inside a directory changes its mtime
 * and a read-only mode would stop the restore from writing into it. Every chunk is checked against its
 * SHA-256 name before a byte of it is written. One entry failing does not stop the others: the restore
 * ends `partial` and lists it. With `paths`, only those files and folders (and everything below the
 * folders) are restored, still at their full paths under the target.
 */
import { hash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rm, symlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest, ManifestEntry, RestoreFinish, RestoreStarted } from '../src-shared/api/agent.js';
import type { Schedule } from '../src-shared/api/schedules.js';
import { decodeChunk } from '../src-shared/chunk-codec.js';
import { Limiter } from './concurrency.js';
import { errorList, reason } from './format.js';
import { findSchedule, latestBackup } from './schedules.js';
import { AgentApiError, TransportError, type ServerClient } from './server-client.js';
import { applyMetadata } from './snapshot.js';

/**
 * Chunks fetched and not yet written, over all files: enough downloads in flight to hide round trips,
 * and a bound on memory (chunks are 1 MiB on average, 8 MiB at most).
 */
const CHUNKS_IN_MEMORY = 8;
/** Files written at once; small files are one chunk, so this is what keeps many small files fast. */
const FILES_IN_FLIGHT = 8;
/** Chunks of one file fetched ahead of the one being written. */
const FILE_READ_AHEAD = 4;
const MAX_ERROR_TEXT = 9_000;

export interface RestoreOutcome {
  restoreId: string;
  backupId: string;
  status: RestoreFinish['status'];
  files: number;
  bytes: number;
  errors: string[];
  durationMs: number;
}

export interface RestoreOptions {
  /** The backup to restore; the schedule's newest when absent. */
  backupId?: string;
  /** Absolute paths as the backup has them (the agent's, forward slashes): restore only these and what lies below them. */
  paths?: readonly string[];
}

export async function runRestore(api: ServerClient, scheduleName: string, target: string, options: RestoreOptions = {}): Promise<RestoreOutcome> {
  const began = performance.now();
  const schedule = await findSchedule(api, scheduleName);
  const chosen = options.backupId ?? (await latestBackup(api, schedule.id))?.id;
  if (!chosen) throw new Error(`schedule "${schedule.name}" has no backup yet; run "backup --schedule ${JSON.stringify(schedule.name)}" first`);
  // The backup and the paths are checked before the restore starts: a mistyped id or path is refused
  // with nothing written, neither under the target nor in the restore report.
  const manifest = await manifestOf(api, schedule, chosen);
  const entries = options.paths ? selectEntries(manifest.entries, options.paths, chosen) : manifest.entries;
  const targetDir = path.resolve(target);
  const { restoreId } = await api.json<RestoreStarted>('POST', '/agent/restores', { scheduleId: schedule.id, backupId: chosen, target: targetDir });
  const writer = new RestoreWriter(api, targetDir);
  let finish: RestoreFinish;
  try {
    await writer.restore(entries);
    finish = { status: writer.errors.length ? 'partial' : 'success', files: writer.files, bytes: writer.bytes };
    if (writer.errors.length) finish.error = errorList('restored', writer.errors, MAX_ERROR_TEXT);
  } catch (error) {
    const failed: RestoreFinish = { status: 'failed', files: writer.files, bytes: writer.bytes, error: reason(error).slice(0, MAX_ERROR_TEXT) };
    await api.json('POST', `/agent/restores/${restoreId}/finish`, failed).catch(() => {
      // The server may be what failed; the original error is the one to report.
    });
    throw error;
  }
  await api.json('POST', `/agent/restores/${restoreId}/finish`, finish);
  return { restoreId, backupId: chosen, status: finish.status, files: finish.files, bytes: finish.bytes, errors: writer.errors, durationMs: performance.now() - began };
}

/** The manifest of `backupId`, which must be a backup of `schedule` (the server serves any of this client's). */
async function manifestOf(api: ServerClient, schedule: Schedule, backupId: string): Promise<Manifest> {
  const unknown = () => new Error(`schedule "${schedule.name}" has no backup ${backupId}; list its backups with: backups --schedule ${JSON.stringify(schedule.name)}`);
  let manifest: Manifest;
  try {
    manifest = await api.json<Manifest>('GET', `/agent/backups/${encodeURIComponent(backupId)}/manifest`);
  } catch (error) {
    throw error instanceof AgentApiError && error.status === 404 ? unknown() : error;
  }
  if (manifest.backup.scheduleId !== schedule.id) throw unknown();
  return manifest;
}

/**
 * The entries at `paths` or below them. A path that selects nothing is an error naming it: a typo must
 * not pass for a restore that succeeded with nothing in it.
 */
export function selectEntries(entries: readonly ManifestEntry[], paths: readonly string[], backupId: string): ManifestEntry[] {
  const wanted = paths.map((p) => {
    const slashes = path.sep === '\\' ? p.replaceAll('\\', '/') : p;
    // "/home/ann/" is the folder "/home/ann"; a root ("/", "C:/") keeps its slash and selects everything on it.
    const trimmed = slashes.replace(/\/+$/, '');
    return { given: p, exact: trimmed === '' || /^[A-Za-z]:$/.test(trimmed) ? `${trimmed}/` : trimmed };
  });
  const matched = new Set<string>();
  const selected = entries.filter((entry) => {
    let hit = false;
    for (const w of wanted) {
      const prefix = w.exact.endsWith('/') ? w.exact : `${w.exact}/`;
      if (entry.path === w.exact || entry.path.startsWith(prefix)) {
        matched.add(w.given);
        hit = true;
      }
    }
    return hit;
  });
  const unmatched = wanted.filter((w) => !matched.has(w.given));
  if (unmatched.length) {
    throw new Error(`backup ${backupId} holds nothing at ${unmatched.map((w) => JSON.stringify(w.given)).join(', ')} (--path takes a file or folder's absolute path as it was backed up)`);
  }
  return selected;
}

/**
 * Opens `local` to write a file, creating or truncating it, but never through a symlink: one left at
 * that path (by an earlier restore, or planted) is replaced rather than followed out of the target.
 */
async function openForWriting(local: string): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
  try {
    return await open(local, flags, 0o600);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ELOOP')) throw error;
    await rm(local, { force: true });
    return await open(local, flags | constants.O_EXCL, 0o600);
  }
}

/**
 * Where an entry goes under the target, or null for a path that could escape it (`..` segments). The
 * manifest comes from the server, and a restore must never write outside the folder it was given.
 */
export function targetPath(target: string, entryPath: string): string | null {
  const segments = entryPath.replace(/^[A-Za-z]:/, '').split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0'))) return null;
  return path.join(target, ...segments);
}

class RestoreWriter {
  readonly errors: string[] = [];
  files = 0;
  bytes = 0;
  private readonly held = new Limiter(CHUNKS_IN_MEMORY);
  /** Directories this restore created: a file inside one needs no mkdir of its own. */
  private readonly made = new Set<string>();

  constructor(
    private readonly api: ServerClient,
    private readonly target: string,
  ) {}

  async restore(entries: readonly ManifestEntry[]): Promise<void> {
    await mkdir(this.target, { recursive: true });
    const placed = entries.flatMap((entry) => {
      const local = targetPath(this.target, entry.path);
      if (local === null) this.errors.push(`${entry.path}: refusing a path that would leave the target folder`);
      return local === null ? [] : [{ entry, local }];
    });

    const dirs = placed.filter((p) => p.entry.type === 'dir');
    for (const { entry, local } of dirs) {
      await this.attempt(entry, async () => {
        await mkdir(local, { recursive: true, mode: 0o700 });
        this.made.add(local);
      });
    }

    const slots = new Limiter(FILES_IN_FLIGHT);
    const pending = new Set<Promise<void>>();
    for (const item of placed) {
      if (item.entry.type === 'dir') continue;
      await slots.acquire();
      const task = this.attempt(item.entry, () => (item.entry.type === 'symlink' ? this.writeSymlink(item.entry, item.local) : this.writeFile(item.entry, item.local))).finally(() => {
        slots.release();
        pending.delete(task);
      });
      pending.add(task);
    }
    await Promise.all(pending);

    const deepestFirst = [...dirs].sort((a, b) => b.local.split(path.sep).length - a.local.split(path.sep).length);
    for (const { entry, local } of deepestFirst) await this.attempt(entry, () => applyMetadata(local, entry));
  }

  /** Runs one entry's step; a failure is recorded for the report instead of ending the restore. */
  private async attempt(entry: ManifestEntry, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      // The server refusing or vanishing is not a problem of this entry: the whole restore fails.
      if ((error instanceof AgentApiError && error.status !== 404) || error instanceof TransportError) throw error;
      this.errors.push(`${entry.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async writeSymlink(entry: ManifestEntry, local: string): Promise<void> {
    if (entry.linkTarget === undefined) throw new Error('symlink without a target in the manifest');
    await this.parent(local);
    // Whatever sits at that path is replaced, as a file would be overwritten.
    await rm(local, { force: true });
    await symlink(entry.linkTarget, local);
    await applyMetadata(local, entry);
  }

  private async writeFile(entry: ManifestEntry, local: string): Promise<void> {
    const hashes = entry.chunks ?? [];
    await this.parent(local);
    const handle = await openForWriting(local);
    let written = 0;
    // Fetches run up to FILE_READ_AHEAD chunks ahead of the write position; writes stay in order. Each
    // fetched chunk holds a `held` slot until it is written.
    const ahead: Promise<Buffer>[] = [];
    let next = 0;
    const fill = () => {
      while (next < hashes.length && ahead.length < FILE_READ_AHEAD) {
        const chunk = this.fetchHeld(hashes[next++]!);
        // Awaited in order later; a failure meanwhile must not count as an unhandled rejection.
        chunk.catch(() => undefined);
        ahead.push(chunk);
      }
    };
    try {
      fill();
      for (let chunk = ahead.shift(); chunk; chunk = ahead.shift()) {
        const data = await chunk;
        try {
          for (let offset = 0; offset < data.length; ) {
            const { bytesWritten } = await handle.write(data, offset, data.length - offset, written + offset);
            offset += bytesWritten;
          }
        } finally {
          this.held.release();
        }
        written += data.length;
        fill();
      }
      if (written !== entry.size) throw new Error(`restored ${written} bytes, the manifest says ${entry.size}`);
    } finally {
      // The file failed midway: chunks fetched ahead for it give their slots back once they arrive.
      for (const chunk of ahead) chunk.then(() => this.held.release(), () => undefined);
      await handle.close();
    }
    await applyMetadata(local, entry);
    this.files++;
    this.bytes += written;
  }

  private async parent(local: string): Promise<void> {
    const dir = path.dirname(local);
    if (this.made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.made.add(dir);
  }

  /** Fetches a chunk once a `held` slot is free; the slot stays taken until the caller has written it. */
  private async fetchHeld(name: string): Promise<Buffer> {
    await this.held.acquire();
    try {
      const encoded = await this.api.buffer('GET', `/agent/chunks/${name}`);
      const data = decodeChunk(encoded);
      const actual = hash('sha256', data, 'hex');
      if (actual !== name) throw new Error(`chunk ${name} from the server is corrupt (its content hashes to ${actual}); the file was not restored`);
      return data;
    } catch (error) {
      this.held.release();
      throw error;
    }
  }
}
