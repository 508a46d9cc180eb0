/**
 * One backup run of a schedule: walk the sources, find what changed since the last backup, chunk and
 * upload only that, commit the manifest.
 *
 * Change detection (as restic does): a file whose size, mtime, ctime and inode all equal its entry in the
 * previous backup's manifest is not read at all; its chunk list is reused. ctime matters because tools
 * that copy or extract files set mtime back, but cannot set ctime. Everything else is read and chunked
 * (content-defined, so an edit only produces the chunk or two around it), and the server is asked which
 * of the resulting chunks it lacks: a run killed halfway and started again uploads only the rest.
 *
 * The previous manifest comes from the server (the newest backup of the schedule); the copy cached in
 * the state dir is used when it belongs to that same backup, which saves downloading it every run. The
 * commit then sends only the entries that differ from it (a delta), so committing 20,000 files of which
 * 200 changed costs the server 200 entries (the previous backup and the manifest's two forms: backup-manifest.ts).
 */
import { hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import type { BackupCommit, BackupStarted, BackupStats, ManifestEntry } from '../src-shared/api/agent.js';
import { deltaSince, manifestJson, previousBackup, unchanged, type PreviousBackup } from './backup-manifest.js';
import { ChunkThread } from './chunk-offload.js';
import type { ChunkRange } from './chunk-thread.js';
import { DEFAULT_MAX_CHUNK_SIZE, DEFAULT_MIN_CHUNK_SIZE } from './chunker.js';
import { allocateReadBuffers, chunkFile } from './file-chunks.js';
import { errorList, reason } from './format.js';
import { collectNow } from './memory.js';
import { Limiter } from './concurrency.js';
import { findSchedule } from './schedules.js';
import { AgentApiError, TransportError, type ServerClient } from './server-client.js';
import { walkSources } from './snapshot.js';
import type { StateDir } from './state.js';
import { ChunkUploader, type ChunkOwner } from './uploader.js';

/**
 * A file shorter than the chunker's minimum chunk size is one chunk: the whole file (no boundary is
 * considered before minSize). Such files skip the chunker and are read with synchronous calls: on
 * 20,000 cached small files, readFileSync cost 0.5 s of the JavaScript thread where fs.promises.readFile
 * cost 2.7 s (four promise round trips per file), and that one thread is what limits a backup.
 */
const SMALL_FILE_BYTES = DEFAULT_MIN_CHUNK_SIZE;
/**
 * Larger files are read one at a time: chunking runs on the one JavaScript thread anyway, and the next
 * read is already in flight while a buffer is chunked (see file-chunks.ts).
 */
const LARGE_FILES_IN_FLIGHT = 1;
/** Commit attempts: the first, then one per repair of chunks the server turned out to lack. */
const COMMIT_ATTEMPTS = 3;
/** The commit's error field holds at most this much (the schema allows 10,000 characters). */
const MAX_ERROR_TEXT = 9_000;

export interface BackupOutcome {
  backupId: string;
  scheduleName: string;
  status: 'success' | 'partial';
  stats: BackupStats;
  chunksUploaded: number;
  /** Entries that could not be backed up, as "path: reason". */
  errors: string[];
  durationMs: number;
}

export async function runBackup(api: ServerClient, stateDir: StateDir, scheduleName: string): Promise<BackupOutcome> {
  const began = performance.now();
  const schedule = await findSchedule(api, scheduleName);
  const previous = await previousBackup(api, stateDir, schedule.id);
  const { backupId } = await api.json<BackupStarted>('POST', '/agent/backups', { scheduleId: schedule.id });
  const run = new BackupRun(api, backupId, previous);
  try {
    await run.scan(schedule.sources);
    await run.commit((manifest) => stateDir.saveManifest(schedule.id, backupId, manifest));
  } catch (error) {
    await run.fail(error);
    throw error;
  }
  return {
    backupId,
    scheduleName: schedule.name,
    status: run.errors.length ? 'partial' : 'success',
    stats: run.stats(),
    chunksUploaded: run.uploader.stats.chunks,
    errors: run.errors,
    durationMs: performance.now() - began,
  };
}

/** A file that was (or is being) read in this run, with the record the uploader flags. */
interface ReadFile {
  entry: ManifestEntry;
  owner: ChunkOwner;
}

class BackupRun {
  readonly uploader: ChunkUploader;
  readonly errors: string[] = [];
  /** The manifest in walk order; null where a file turned out unreadable. */
  private readonly entries: (ManifestEntry | null)[] = [];
  private readonly read: ReadFile[] = [];
  private filesScanned = 0;
  private bytesScanned = 0;
  private readonly large = new Limiter(LARGE_FILES_IN_FLIGHT);
  /** Changed files chunked on the second thread, one at a time (see readChanged). */
  private readonly offloaded = new Limiter(1);
  private readonly chunkThread = new ChunkThread();
  /** Where readOffloaded reads a new chunk again: one at a time, at most the largest chunk. */
  private rereadBuffer: Buffer | null = null;
  private readonly reading = new Set<Promise<void>>();
  /**
   * Read buffers, allocated once per run rather than once per read or file: nothing on the data path
   * allocates per chunk, which keeps the heap from fragmenting over gigabytes.
   */
  private readBuffers: [Buffer, Buffer] | null = null;
  private smallBuffer: Buffer | null = null;
  /** The first failure that ends the run (not a file error): stops the walk. */
  private fatal: { error: unknown } | null = null;

  constructor(
    private readonly api: ServerClient,
    private readonly backupId: string,
    private previous: PreviousBackup | null,
  ) {
    this.uploader = new ChunkUploader(api, backupId);
    // The previous backup is committed, so the server holds every chunk it uses: those are never asked
    // about, also where they turn up again in a changed file (a big file with a few changed regions is
    // read whole, but only its new chunks are queried and staged). A chunk the server has lost anyway is
    // named by the commit and repaired (see `repair`).
    for (const entry of previous?.entries.values() ?? []) this.uploader.known(entry.chunks ?? []);
    // Only an incremental backup reads changed files on the second thread (see readChanged).
    if (previous) this.chunkThread.warm();
  }

  stats(): BackupStats {
    return {
      filesScanned: this.filesScanned,
      filesUploaded: this.read.filter((f) => f.owner.uploaded).length,
      bytesScanned: this.bytesScanned,
      bytesUploaded: this.uploader.stats.bytes,
    };
  }

  async scan(sources: readonly string[]): Promise<void> {
    for await (const item of walkSources(sources, { identity: true })) {
      if (this.fatal) break;
      if (item.type === 'error') {
        this.errors.push(`${item.path}: ${item.error}`);
        continue;
      }
      // The walk's entry is the manifest's (a file's chunks are added below): no copy per entry.
      const entry: ManifestEntry = item;
      const index = this.entries.push(entry) - 1;
      if (item.type !== 'file') continue;
      this.filesScanned++;
      const previous = this.previous?.entries.get(item.path);
      if (unchanged(previous, item)) {
        this.bytesScanned += item.size;
        entry.chunks = previous.chunks;
        continue;
      }
      await this.startReading(entry, index);
    }
    await this.settleReads();
    if (this.fatal) throw this.fatal.error;
    await this.uploader.finish();
    // Everything is uploaded: every buffer of the run is garbage now, and the commit is about to build
    // the new manifest's JSON. Peak memory is lower if they go first.
    this.readBuffers = null;
    this.smallBuffer = null;
    collectNow();
  }

  /**
   * Commits the manifest: as the changes since the previous backup when there is one and most entries
   * are unchanged, else whole. `saveCache` writes the whole manifest's JSON (the entries array, in
   * pieces) to the state dir meanwhile: the copy is used only once the server lists this backup as the
   * schedule's newest.
   */
  async commit(saveCache: (manifest: Buffer[]) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const delta = this.previous && deltaSince(this.previous, this.entries);
      const manifest = delta ? null : manifestJson(this.entries);
      const head: Omit<BackupCommit, 'manifest' | 'delta'> = { status: this.errors.length ? 'partial' : 'success', stats: this.stats() };
      if (this.errors.length) head.error = errorList('backed up', this.errors, MAX_ERROR_TEXT);
      const open = Buffer.from(`${JSON.stringify(head).slice(0, -1)},"${delta ? 'delta' : 'manifest'}":`);
      const pieces = delta ? [Buffer.from(JSON.stringify(delta))] : manifest!;
      // Both settle before anything else happens, so a save of an earlier attempt never lands last. With
      // a delta on its way, the whole manifest for the cache is built while the server commits.
      const [sent, saved] = await Promise.allSettled([
        this.api.upload('POST', `/agent/backups/${this.backupId}/commit`, [open, ...pieces, Buffer.from('}')], 'application/json'),
        setImmediate().then(() => saveCache(manifest ?? manifestJson(this.entries))),
      ]);
      if (sent.status === 'fulfilled') {
        if (saved.status === 'rejected') throw saved.reason;
        return;
      }
      const missing = missingChunks(sent.reason);
      if (!missing || attempt >= COMMIT_ATTEMPTS) throw sent.reason;
      await this.repair(missing);
    }
  }

  /** Ends the run on the server as failed, after in-flight uploads settled (so what they stored is counted). */
  async fail(error: unknown): Promise<void> {
    await this.settleReads();
    await this.uploader.settle();
    try {
      await this.api.json('POST', `/agent/backups/${this.backupId}/fail`, { stats: this.stats(), error: reason(error).slice(0, MAX_ERROR_TEXT) });
    } catch {
      // The server may be what failed; the run then stays open there until the next start closes it.
    }
  }

  /**
   * The server lacks chunks the manifest uses (a chunk of an unchanged file lost on the server, or a
   * server that crashed before storing a pack it had acknowledged): read the files holding them again.
   */
  private async repair(missing: ReadonlySet<string>): Promise<void> {
    this.uploader.forget(missing);
    for (const [index, entry] of this.entries.entries()) {
      if (entry?.chunks?.some((chunk) => missing.has(chunk))) await this.startReading(entry, index, false);
    }
    await this.settleReads();
    if (this.fatal) throw this.fatal.error;
    await this.uploader.finish();
  }

  /**
   * Reads a small file now; starts reading a larger one once the large-file reader is free. `count`:
   * false when a repair reads a file a second time.
   */
  private async startReading(entry: ManifestEntry, index: number, count = true): Promise<void> {
    const file: ReadFile = { entry, owner: { uploaded: false } };
    if (entry.size < SMALL_FILE_BYTES && (await this.readSmall(file, index, count))) return;
    if (this.previous?.entries.has(entry.path)) {
      // A changed file: mostly known chunks. The walk goes on meanwhile.
      this.track(this.readChanged(file, index, count));
      return;
    }
    await this.large.acquire();
    this.track(this.readLarge(file, index, count).finally(() => this.large.release()));
  }

  /** A read in flight: its failure ends the run, and settleReads waits for it. */
  private track(read: Promise<void>): void {
    const task = read
      .catch((error: unknown) => {
        this.fatal ??= { error };
      })
      .finally(() => this.reading.delete(task));
    this.reading.add(task);
  }

  /** Backs up a file that is one chunk; false if it has grown past that since the walk (read it as a large one). */
  private async readSmall(file: ReadFile, index: number, count: boolean): Promise<boolean> {
    this.smallBuffer ??= Buffer.allocUnsafe(SMALL_FILE_BYTES);
    let length: number;
    try {
      length = readWhole(file.entry.path, this.smallBuffer);
    } catch (error) {
      this.skip(file.entry, index, error);
      return true;
    }
    if (length >= SMALL_FILE_BYTES) return false;
    const data = this.smallBuffer.subarray(0, length);
    const hashes = length > 0 ? [hash('sha256', data, 'hex')] : [];
    if (hashes[0]) await this.uploader.add(hashes[0], data, file.owner);
    this.record(file, hashes, length, count);
    return true;
  }

  private async readLarge(file: ReadFile, index: number, count: boolean): Promise<void> {
    const hashes: string[] = [];
    let size = 0;
    try {
      this.readBuffers ??= allocateReadBuffers();
      for await (const chunk of chunkFile(file.entry.path, this.readBuffers)) {
        hashes.push(chunk.hash);
        size += chunk.data.length;
        await this.uploader.add(chunk.hash, chunk.data, file.owner);
      }
    } catch (error) {
      if (this.uploader.failed || error instanceof AgentApiError || error instanceof TransportError) throw error;
      this.skip(file.entry, index, error);
      return;
    }
    this.record(file, hashes, size, count);
  }

  /**
   * A changed file goes to whichever is free first, the chunking thread or this thread's large-file
   * reader, so both cores chunk when several files changed.
   */
  private async readChanged(file: ReadFile, index: number, count: boolean): Promise<void> {
    const thread = this.offloaded.acquire().then(() => 'thread' as const);
    const main = this.large.acquire().then(() => 'main' as const);
    const lane = await Promise.race([thread, main]);
    // The other lane's slot, once it is granted, is handed on at once.
    if (lane === 'thread') void main.then(() => this.large.release());
    else void thread.then(() => this.offloaded.release());
    if (lane === 'thread') await this.readOffloaded(file, index, count).finally(() => this.offloaded.release());
    else await this.readLarge(file, index, count).finally(() => this.large.release());
  }

  /**
   * A changed file, chunked on the second thread. Only the chunks the server may lack are read again
   * here, each checked against its name; if one differs (the file is being written to), or the thread
   * could not read the file, it is read on this thread instead, like every other large file.
   */
  private async readOffloaded(file: ReadFile, index: number, count: boolean): Promise<void> {
    const chunks = await this.chunkThread.chunk(file.entry.path).catch(() => null);
    const reread = chunks && (await this.rereadNew(file, chunks));
    if (!reread) return this.large.run(() => this.readLarge(file, index, count));
    this.record(file, chunks.map((c) => c.hash), chunks.reduce((n, c) => n + c.length, 0), count);
  }

  /** Hands the chunks the uploader still needs to it, read again; false if the file no longer matches. */
  private async rereadNew(file: ReadFile, chunks: readonly ChunkRange[]): Promise<boolean> {
    let handle: FileHandle | null = null;
    try {
      for (const chunk of chunks) {
        if (!this.uploader.needs(chunk.hash)) continue;
        handle ??= await open(file.entry.path, 'r');
        this.rereadBuffer ??= Buffer.allocUnsafe(DEFAULT_MAX_CHUNK_SIZE);
        const data = this.rereadBuffer.subarray(0, chunk.length);
        const { bytesRead } = await handle.read(data, 0, chunk.length, chunk.offset);
        if (bytesRead !== chunk.length || hash('sha256', data, 'hex') !== chunk.hash) return false;
        await this.uploader.add(chunk.hash, data, file.owner);
      }
      return true;
    } catch (error) {
      if (this.uploader.failed || error instanceof AgentApiError || error instanceof TransportError) throw error;
      return false;
    } finally {
      await handle?.close();
    }
  }

  /** The file vanished or became unreadable between the walk and the read: left out, and said so. */
  private skip(entry: ManifestEntry, index: number, error: unknown): void {
    this.errors.push(`${entry.path}: ${error instanceof Error ? error.message : String(error)}`);
    this.entries[index] = null;
  }

  /** What was read is what the backup holds, even if the file grew or shrank since it was listed. */
  private record(file: ReadFile, hashes: string[], size: number, count: boolean): void {
    file.entry.chunks = hashes;
    file.entry.size = size;
    if (!count) return;
    this.bytesScanned += size;
    this.read.push(file);
  }

  private async settleReads(): Promise<void> {
    while (this.reading.size > 0) await Promise.allSettled([...this.reading]);
  }
}

/** Reads the file into `buffer` as far as it goes; returns the bytes read (buffer.length: maybe more to come). */
function readWhole(filePath: string, buffer: Buffer): number {
  const fd = openSync(filePath, 'r');
  try {
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      length += n;
      if (n === 0 || length === buffer.length) return length;
    }
  } finally {
    closeSync(fd);
  }
}

function missingChunks(error: unknown): Set<string> | null {
  if (!(error instanceof AgentApiError) || error.code !== 'CONFLICT') return null;
  const missing = error.details?.missing;
  if (!Array.isArray(missing) || missing.length === 0) return null;
  return new Set(missing.filter((h): h is string => typeof h === 'string'));
}
