/**
 * The manifest side of a backup run: the previous backup it compares against (change detection), and the
 * new manifest as it is sent: whole, as JSON in pieces, or as the changes since the previous backup.
 */
import type { BackupSummary, Manifest, ManifestDelta, ManifestEntry } from '../src-shared/api/agent.js';
import { latestBackup } from './schedules.js';
import type { ServerClient } from './server-client.js';
import type { SnapshotEntry } from './snapshot.js';
import type { StateDir } from './state.js';

/** The schedule's newest backup and its entries by path (previousBackup: null before the first backup). */
export interface PreviousBackup {
  id: string;
  entries: Map<string, ManifestEntry>;
}

/** The schedule's newest backup, from the state dir's cached manifest when it belongs to that backup, else downloaded. */
export async function previousBackup(api: ServerClient, stateDir: StateDir, scheduleId: string): Promise<PreviousBackup | null> {
  const latest: BackupSummary | null = await latestBackup(api, scheduleId);
  if (!latest) return null;
  const cached = await stateDir.loadManifest(scheduleId);
  const entries = cached?.backupId === latest.id ? cached.entries : (await api.json<Manifest>('GET', `/agent/backups/${latest.id}/manifest`)).entries;
  return { id: latest.id, entries: new Map(entries.map((e) => [e.path, e])) };
}

/** Whether a file is as the previous backup recorded it (size, mtime, ctime, inode), so its chunks can be reused unread. */
export function unchanged(previous: ManifestEntry | undefined, current: SnapshotEntry): previous is ManifestEntry & { chunks: string[] } {
  return (
    previous !== undefined &&
    previous.chunks !== undefined &&
    previous.size === current.size &&
    previous.mtimeMs === current.mtimeMs &&
    previous.ctimeMs !== undefined &&
    previous.ctimeMs === current.ctimeMs &&
    previous.ino === current.ino
  );
}

/**
 * The manifest as the JSON text of an array, in pieces of about 64 KiB: for 20,000 files it is some
 * 6 MB, which as one string plus its UTF-8 copy would be the biggest allocation of the run.
 */
export function manifestJson(entries: readonly (ManifestEntry | null)[]): Buffer[] {
  const pieces: Buffer[] = [];
  let text = '[';
  let first = true;
  for (const entry of entries) {
    if (!entry) continue;
    text += first ? JSON.stringify(entry) : `,${JSON.stringify(entry)}`;
    first = false;
    if (text.length >= 64 * 1024) {
      pieces.push(Buffer.from(text));
      text = '';
    }
  }
  pieces.push(Buffer.from(`${text}]`));
  return pieces;
}

/**
 * The manifest as changes since the previous backup, or null when more than half the entries changed
 * (the whole manifest is then hardly larger, and the server need not apply a delta).
 */
export function deltaSince(previous: PreviousBackup, entries: readonly (ManifestEntry | null)[]): ManifestDelta | null {
  const changed: ManifestEntry[] = [];
  let count = 0;
  let kept = 0;
  for (const entry of entries) {
    if (!entry) continue;
    count++;
    const before = previous.entries.get(entry.path);
    if (before) kept++;
    if (!before || !sameEntry(before, entry)) changed.push(entry);
  }
  // Paths are unique on both sides: when every previous path is still here, nothing was removed.
  let removed: string[] = [];
  if (kept < previous.entries.size) {
    const present = new Set(entries.map((entry) => entry?.path));
    removed = [...previous.entries.keys()].filter((p) => !present.has(p));
  }
  return changed.length + removed.length > count / 2 ? null : { base: previous.id, changed, removed };
}

/** Every field of an entry; the `satisfies` makes a field added to ManifestEntry a compile error here until listed. */
const ENTRY_FIELDS = Object.keys({
  path: 0,
  type: 0,
  size: 0,
  mtimeMs: 0,
  mode: 0,
  linkTarget: 0,
  chunks: 0,
  ctimeMs: 0,
  ino: 0,
} satisfies Record<keyof ManifestEntry, 0>) as (keyof ManifestEntry)[];

/** Whether two entries record the same: every field equal, chunk lists element by element. */
function sameEntry(a: ManifestEntry, b: ManifestEntry): boolean {
  for (const field of ENTRY_FIELDS) {
    if (field === 'chunks' ? !sameList(a.chunks, b.chunks) : a[field] !== b[field]) return false;
  }
  return true;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((item, i) => item === b[i]));
}
