/**
 * The file tree of a backup: walking a schedule's source paths into metadata entries, and putting that
 * metadata back on restore.
 *
 * Paths: every entry's `path` is absolute, built from the source path as given (resolved, so no `..` or
 * trailing slash) plus the names below it, always joined with forward slashes, also on Windows
 * (`C:/Users/ann/file.txt`). One spelling on every platform keeps manifests comparable between runs and
 * lets restore map a path under a source root onto a target folder with plain string operations.
 */
import { lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { readdir, readlink, chmod, lstat, lutimes, utimes } from 'node:fs/promises';
import path from 'node:path';

export type SnapshotEntryType = 'file' | 'dir' | 'symlink';

export interface SnapshotEntry {
  type: SnapshotEntryType;
  /** Absolute, forward slashes (see the module comment). */
  path: string;
  /** Content bytes of a file; 0 for directories and symlinks (their on-disk size is filesystem noise). */
  size: number;
  /** Whole milliseconds: the precision every platform and the manifest can round-trip. */
  mtimeMs: number;
  /** Permission bits including setuid/setgid/sticky (`mode & 0o7777`); not the file type bits. */
  mode: number;
  /** Symlinks only: the target exactly as stored in the link, relative or absolute. */
  linkTarget?: string;
  /**
   * Files only, and only when the walk is asked for them (`WalkOptions.identity`): the status-change time
   * (whole ms) and inode number. With size and mtime they tell a backup that a file is unchanged without
   * reading it: ctime moves on every write and cannot be set back by tools that restore mtimes, and a
   * new inode means the path now names another file.
   */
  ctimeMs?: number;
  ino?: number;
}

export interface WalkOptions {
  /** Record `ctimeMs` and `ino` of files (off by default: only change detection needs them). */
  identity?: boolean;
  /** Average stat time per entry above which the walk stats concurrently (default SLOW_STAT_MS; see Stater). */
  slowStatMs?: number;
}

/**
 * Something the walk could not record: an unreadable directory, an entry that vanished mid-walk, a
 * socket or device. Yielded rather than thrown so one bad entry neither aborts the backup nor
 * disappears from it: the caller records the backup as `partial` and reports these.
 */
export interface SnapshotError {
  type: 'error';
  path: string;
  /** Human-readable, including the OS reason (e.g. "EACCES: permission denied, scandir '/x'"). */
  error: string;
  /** The OS error code (EACCES, ENOENT, ...) or UNSUPPORTED_TYPE; absent when the cause has none. */
  code?: string;
}

export type SnapshotItem = SnapshotEntry | SnapshotError;

/** How many lstat calls run at once within one directory once stats proved slow (see Stater). */
const STAT_CONCURRENCY = 32;
/**
 * A stat answered from the kernel's caches takes a few microseconds, synchronously; as a promise it costs
 * a thread-pool round trip, which made the walk over 20,000 local files take 0.6 s. On a network share a
 * stat can take a millisecond, and then only many in flight keep the walk fast. So the walk stats
 * synchronously until a directory averages more than this per entry, and concurrently from then on.
 */
const SLOW_STAT_MS = 0.2;

/** Stats a directory's entries, synchronously while that is fast (see SLOW_STAT_MS). */
class Stater {
  private concurrent = false;

  constructor(private readonly slowStatMs: number) {}

  async list(dirPath: string, names: readonly string[], identity: boolean): Promise<SnapshotItem[]> {
    if (this.concurrent) {
      const items: SnapshotItem[] = [];
      for (let i = 0; i < names.length; i += STAT_CONCURRENCY) {
        items.push(...(await Promise.all(names.slice(i, i + STAT_CONCURRENCY).map((name) => describeEntryAsync(joinPath(dirPath, name), identity)))));
      }
      return items;
    }
    const began = performance.now();
    const items = names.map((name) => describeEntry(joinPath(dirPath, name), lstatSync, readlinkSync, identity));
    if (names.length > 0 && (performance.now() - began) / names.length > this.slowStatMs) this.concurrent = true;
    return items;
  }
}

/**
 * Walks the given absolute source paths depth-first and yields one item per file, directory (empty ones
 * included) and symlink, each directory before its contents, siblings sorted by name.
 *
 * - Memory: only the listings of the directories on the current path are held, never the whole tree.
 * - Order: names sort by UTF-16 code units, not the locale, so two runs on any machine agree. Sources
 *   are walked in the order given; a source equal to or inside another source is skipped because the
 *   other one already covers it (otherwise its files would be backed up twice).
 * - Symlinks below a source are recorded, never followed: following them could leave the source tree,
 *   loop, or back up the same data twice. A source path that is itself a symlink IS followed (like
 *   `find -H`), because whoever picked that path meant the data behind it.
 * - Hard links are recorded as independent files; chunk dedup already stores their content once.
 *
 * Throws a TypeError before walking if a source path is not absolute, since resolving it against the
 * agent's working directory would silently back up the wrong tree.
 */
export async function* walkSources(sources: readonly string[], options: WalkOptions = {}): AsyncGenerator<SnapshotItem, void, undefined> {
  const identity = options.identity ?? false;
  const stater = new Stater(options.slowStatMs ?? SLOW_STAT_MS);
  for (const source of sources) {
    if (!path.isAbsolute(source)) throw new TypeError(`backup source must be an absolute path, got "${source}"`);
  }
  for (const root of coveringRoots(sources.map((source) => toSlashes(path.resolve(source))))) {
    const rootItem = describeEntry(root, statSync, readlinkSync, identity);
    yield rootItem;
    if (rootItem.type !== 'dir') continue;

    // An explicit stack instead of recursive generators: each yield then costs the same at any depth.
    const stack: { items: SnapshotItem[]; next: number }[] = [{ items: await listDirectory(stater, root, identity), next: 0 }];
    for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
      const item = frame.items[frame.next++];
      if (!item) {
        stack.pop();
        continue;
      }
      yield item;
      if (item.type === 'dir') stack.push({ items: await listDirectory(stater, item.path, identity), next: 0 });
    }
  }
}

/**
 * Restores mode and mtime of an entry onto `targetPath`, which restore has already written.
 *
 * Call it for a directory only after everything inside it has been written: creating children
 * updates the directory's mtime, and a read-only mode would stop restore from creating them at all.
 * Symlinks get their own mtime (lutimes) where the platform supports it, and no mode: Linux cannot
 * change a link's permissions, and access checks ignore them. The access time is set to now, since the
 * backup does not record it and "read by the restore" is the truth.
 */
export async function applyMetadata(targetPath: string, entry: SnapshotEntry): Promise<void> {
  // Dates, not seconds as numbers: Node replaces negative numbers (mtimes before 1970) with "now".
  const mtime = new Date(entry.mtimeMs);
  const atime = new Date();
  if (entry.type === 'symlink') {
    try {
      await lutimes(targetPath, atime, mtime);
    } catch (error) {
      if (!['ENOSYS', 'ENOTSUP', 'EOPNOTSUPP'].includes(errorCode(error) ?? '')) throw error;
    }
    return;
  }
  await chmod(targetPath, entry.mode);
  await utimes(targetPath, atime, mtime);
}

/** Drops sources that repeat or lie inside another source. */
function coveringRoots(roots: string[]): string[] {
  const isInside = (inner: string, outer: string) => inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
  return roots.filter(
    (root, index) => roots.indexOf(root) === index && !roots.some((other) => other !== root && isInside(root, other)),
  );
}

async function listDirectory(stater: Stater, dirPath: string, identity: boolean): Promise<SnapshotItem[]> {
  let names: string[];
  try {
    names = await readdir(dirPath);
  } catch (error) {
    return [toError(dirPath, error)];
  }
  // The default sort compares UTF-16 code units: deterministic and independent of the locale.
  names.sort();
  return stater.list(dirPath, names, identity);
}

async function describeEntryAsync(entryPath: string, identity: boolean): Promise<SnapshotItem> {
  try {
    const stats = await lstat(entryPath);
    return describeStats(entryPath, stats, identity, stats.isSymbolicLink() ? await readlink(entryPath) : '');
  } catch (error) {
    return toError(entryPath, error);
  }
}

function describeEntry(entryPath: string, statFn: (p: string) => Stats, readlinkFn: (p: string) => string, identity: boolean): SnapshotItem {
  try {
    const stats = statFn(entryPath);
    return describeStats(entryPath, stats, identity, stats.isSymbolicLink() ? readlinkFn(entryPath) : '');
  } catch (error) {
    return toError(entryPath, error);
  }
}

/** `linkTarget`: the symlink's target (read by the caller), else unused. */
function describeStats(entryPath: string, stats: Stats, identity: boolean, linkTarget: string): SnapshotItem {
  // Rounded, not truncated: writing an mtime back goes through a double number of seconds, so a
  // restored x.123 s can read back as x.122999 s and truncation would lose a millisecond per round trip.
  const common = { path: entryPath, mtimeMs: Math.round(stats.mtimeMs), mode: stats.mode & 0o7777 };
  if (stats.isFile()) {
    return identity ? { type: 'file', ...common, size: stats.size, ctimeMs: Math.round(stats.ctimeMs), ino: stats.ino } : { type: 'file', ...common, size: stats.size };
  }
  if (stats.isDirectory()) return { type: 'dir', ...common, size: 0 };
  if (stats.isSymbolicLink()) return { type: 'symlink', ...common, size: 0, linkTarget };
  return { type: 'error', path: entryPath, code: 'UNSUPPORTED_TYPE', error: `${specialKind(stats)} cannot be backed up` };
}

function specialKind(stats: Stats): string {
  if (stats.isSocket()) return 'socket';
  if (stats.isFIFO()) return 'named pipe';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isCharacterDevice()) return 'character device';
  return 'unknown file type';
}

function toError(entryPath: string, error: unknown): SnapshotError {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'error', path: entryPath, error: message, ...(code === undefined ? {} : { code }) };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function joinPath(dirPath: string, name: string): string {
  // A root like "/" or "C:/" already ends with the separator.
  return dirPath.endsWith('/') ? `${dirPath}${name}` : `${dirPath}/${name}`;
}

function toSlashes(nativePath: string): string {
  // Only on Windows: on POSIX a backslash is an ordinary character in a file name.
  return path.sep === '\\' ? nativePath.replaceAll('\\', '/') : nativePath;
}
