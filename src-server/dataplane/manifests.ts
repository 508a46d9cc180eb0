// CommonJS: its names are reachable through the default import only.
import zstd from 'zstd-napi';
import type { ManifestDelta, ManifestEntry } from '../../src-shared/api/agent.js';
import { badRequest } from '../errors.js';
import type { Store } from '../store.js';

/**
 * A full manifest is stored at least once every this many backups of a schedule, so reading one applies
 * at most this many deltas (each small: an incremental backup changes a few hundred of 20,000 entries).
 */
export const MAX_DELTA_CHAIN = 16;

/** What a commit's manifest holds, for its backup row and the chunk references. */
export interface SavedManifest {
  files: number;
  bytes: number;
  /** Chunks to reference: of every file for a whole manifest; for a delta, of its changed files only. */
  chunks: Set<string>;
}

/** A manifest as the database holds it: zstd-compressed JSON, whole (`baseId` null) or a delta. */
export interface StoredManifest {
  baseId: string | null;
  depth: number;
  entries: Buffer;
}

interface ManifestRow {
  base_id: string | null;
  depth: number;
  entries: Buffer;
}

const encode = (value: unknown) => zstd.compress(Buffer.from(JSON.stringify(value)));
const decode = <T>(blob: Buffer) => JSON.parse(zstd.decompress(blob).toString('utf8')) as T;

/**
 * The manifests of committed backups, stored zstd-compressed: whole, or as a delta against an earlier
 * backup of the same schedule (`base_id`, `depth` = deltas down to a whole one). A commit of 20,000
 * files of which 200 changed then parses, checks and stores 200 entries, not 20,000; a read applies the
 * chain. A chain is never cut: backups leave with their whole schedule, or by a prune, which first
 * `rebase`s the kept backups whose chain runs through one it removes.
 */
export class Manifests {
  constructor(private readonly store: Store) {}

  /** The entries of a committed backup: the base's order, with entries of new paths after them. */
  entries(backupId: string): ManifestEntry[] {
    return [...this.byPath(backupId).values()];
  }

  /** Stores the manifest of a backup being committed (call in the commit's `store.write`). */
  save(backupId: string, scheduleId: string, commit: { manifest?: ManifestEntry[]; delta?: ManifestDelta }): SavedManifest {
    if ((commit.manifest === undefined) === (commit.delta === undefined)) {
      throw badRequest('manifest', 'A commit carries its manifest either whole (manifest) or as the changes since an earlier backup (delta): exactly one of them.');
    }
    if (commit.manifest) {
      this.insert(backupId, null, 0, commit.manifest);
      return { ...totals(commit.manifest), chunks: chunksOf(commit.manifest) };
    }
    const delta = commit.delta!;
    const base = this.store.get<{ depth: number }>(
      'SELECT m.depth FROM manifests m JOIN backups b ON b.id = m.backup_id WHERE m.backup_id = ? AND b.schedule_id = ?',
      delta.base,
      scheduleId,
    );
    if (!base) throw badRequest('delta.base', `The delta's base ${delta.base} is not a committed backup of this schedule; send the whole manifest.`);
    const entries = this.byPath(delta.base);
    for (const removed of delta.removed) {
      if (!entries.delete(removed)) throw badRequest('delta.removed', `The delta removes ${removed}, which backup ${delta.base} does not hold.`);
    }
    for (const entry of delta.changed) entries.set(entry.path, entry);
    if (base.depth + 1 >= MAX_DELTA_CHAIN) this.insert(backupId, null, 0, [...entries.values()]);
    else this.insert(backupId, delta.base, base.depth + 1, { changed: delta.changed, removed: delta.removed } satisfies Omit<ManifestDelta, 'base'>);
    return { ...totals(entries.values()), chunks: chunksOf(delta.changed) };
  }

  /** A manifest as stored (replication copies it so, without decoding the chain). */
  stored(backupId: string): StoredManifest {
    const row = this.row(backupId);
    return { baseId: row.base_id, depth: row.depth, entries: row.entries };
  }

  /**
   * Stores a manifest copied from another server as it was stored there (call in the copy's `store.write`):
   * its base must be here already. Returns the chunks to reference, as `save` does.
   */
  saveStored(backupId: string, manifest: StoredManifest): Set<string> {
    if (manifest.baseId !== null && !this.store.get('SELECT 1 FROM manifests WHERE backup_id = ?', manifest.baseId)) {
      throw badRequest('backups', `The manifest of backup ${backupId} is a delta against ${manifest.baseId}, which this server does not hold; send its base first.`);
    }
    let content: ManifestEntry[] | Omit<ManifestDelta, 'base'>;
    try {
      content = decode(manifest.entries);
    } catch {
      throw badRequest('backups', `The manifest of backup ${backupId} is not a zstd-compressed JSON manifest.`);
    }
    this.insert(backupId, manifest.baseId, manifest.depth, null, manifest.entries);
    return chunksOf(Array.isArray(content) ? content : content.changed);
  }

  /**
   * Stores `entries` as a backup's whole manifest (base null, depth 0), so it no longer reads through its
   * base (call in the `store.write` that then deletes a backup of its chain). Deltas based on it stay
   * valid; their `depth` is then more than their chain's length, which only brings the next whole one sooner.
   */
  rebase(backupId: string, entries: readonly ManifestEntry[]): void {
    this.store.run('UPDATE manifests SET base_id = NULL, depth = 0, entries = ? WHERE backup_id = ?', encode(entries), backupId);
  }

  /**
   * Visits backups in the order given (oldest first) with each one's whole entries and the entries its
   * manifest names as stored (all when whole, the changed ones of a delta). A delta based on the backup
   * visited before it is applied to that one's entries, so a year of daily backups costs one decode per
   * manifest, not a chain per backup. `entries` is only valid during its visit.
   */
  walk(backupIds: readonly string[], visit: (id: string, entries: ReadonlyMap<string, ManifestEntry>, named: readonly ManifestEntry[]) => void): void {
    let previous: string | null = null;
    let entries = new Map<string, ManifestEntry>();
    for (const id of backupIds) {
      const row = this.row(id);
      const content = decode<ManifestEntry[] | Omit<ManifestDelta, 'base'>>(row.entries);
      if (Array.isArray(content)) {
        entries = new Map(content.map((e) => [e.path, e]));
        visit(id, entries, content);
      } else {
        if (row.base_id !== previous) entries = this.byPath(row.base_id!);
        for (const removed of content.removed) entries.delete(removed);
        for (const entry of content.changed) entries.set(entry.path, entry);
        visit(id, entries, content.changed);
      }
      previous = id;
    }
  }

  private insert(backupId: string, baseId: string | null, depth: number, content: unknown, encoded = encode(content)): void {
    this.store.run('INSERT INTO manifests (backup_id, base_id, depth, entries) VALUES (?, ?, ?, ?)', backupId, baseId, depth, encoded);
  }

  /** A backup's entries by path, in order: its whole manifest down the chain, then each delta applied. */
  private byPath(backupId: string): Map<string, ManifestEntry> {
    const deltas: Buffer[] = [];
    let row = this.row(backupId);
    while (row.base_id !== null) {
      deltas.push(row.entries);
      row = this.row(row.base_id);
    }
    const entries = new Map(decode<ManifestEntry[]>(row.entries).map((e) => [e.path, e]));
    for (const blob of deltas.reverse()) {
      const delta = decode<Omit<ManifestDelta, 'base'>>(blob);
      for (const removed of delta.removed) entries.delete(removed);
      for (const entry of delta.changed) entries.set(entry.path, entry);
    }
    return entries;
  }

  private row(backupId: string): ManifestRow {
    const row = this.store.get<ManifestRow>('SELECT base_id, depth, entries FROM manifests WHERE backup_id = ?', backupId);
    if (!row) throw new Error(`manifest of backup ${backupId} is missing`);
    return row;
  }
}

function totals(entries: Iterable<ManifestEntry>): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of entries) {
    if (e.type !== 'file') continue;
    files++;
    bytes += e.size;
  }
  return { files, bytes };
}

/** The chunks of the files among `entries`. */
export function chunksOf(entries: readonly ManifestEntry[]): Set<string> {
  const chunks = new Set<string>();
  for (const e of entries) if (e.type === 'file') for (const h of e.chunks ?? []) chunks.add(h);
  return chunks;
}
