import type { ManifestEntry } from '../../src-shared/api/agent.js';
import type { RetentionPolicy } from '../../src-shared/api/retention.js';
import { chunksOf, type Manifests } from '../dataplane/manifests.js';
import type { Store } from '../store.js';
import { STARTED_AT, STATUS, VERSIONS_FROM } from './config.js';
import { keptBackups } from './policy.js';

/** What pruning a schedule with a policy does: computed from the database alone, writing nothing. */
export interface PrunePlan {
  kept: number;
  /** The backups removed, oldest first, each with the bytes its removal frees. */
  removed: { id: string; bytes: number }[];
  /** The schedule's chunk references no kept backup uses. */
  dropped: string[];
  /** Kept backups whose delta chain runs through a removed one, with their entries: they are stored whole first. */
  rebase: Map<string, ManifestEntry[]>;
  bytesFreed: number;
}

interface Version {
  id: string;
  startedAt: string;
  status: string;
  baseId: string | null;
}

/**
 * Plans the prune of `scheduleId` under `policy` (inside the prune's transaction, or alone for a preview).
 * Every manifest of the schedule is decoded once, oldest first (`Manifests.walk`).
 */
export function planPrune(store: Store, manifests: Manifests, scheduleId: string, policy: RetentionPolicy): PrunePlan {
  // Dated and given a status as the versions list has them (config.ts).
  const versions = store.all<Version>(
    `SELECT b.id, ${STARTED_AT} AS startedAt, ${STATUS} AS status, m.base_id AS baseId
     FROM ${VERSIONS_FROM} JOIN manifests m ON m.backup_id = b.id
     WHERE b.schedule_id = ? ORDER BY startedAt, b.id`,
    scheduleId,
  );
  const keep = keptBackups(versions, policy);
  const removed = versions.filter((v) => !keep.has(v.id));
  if (removed.length === 0) return { kept: versions.length, removed: [], dropped: [], rebase: new Map(), bytesFreed: 0 };

  // Oldest first, so a chain reaching a kept backup made whole before reaching a removed one stays a delta.
  const baseOf = new Map(versions.map((v) => [v.id, v.baseId]));
  const rebase = new Set<string>();
  const chainCut = (id: string): boolean => {
    for (let base = baseOf.get(id); base && !rebase.has(base); base = baseOf.get(base)) if (!keep.has(base)) return true;
    return false;
  };
  for (const v of versions) if (keep.has(v.id) && chainCut(v.id)) rebase.add(v.id);
  // One walk, oldest first: the chunks kept backups use, the entries of those made whole, and for each
  // removed backup the chunks its manifest names (the oldest backup using a chunk always names it: a later
  // one inherits it from its base).
  const used = new Set<string>();
  const whole = new Map<string, ManifestEntry[]>();
  const named = new Map<string, Set<string>>();
  manifests.walk(
    versions.map((v) => v.id),
    (id, entries, stored) => {
      if (!keep.has(id)) named.set(id, chunksOf(stored));
      else for (const e of entries.values()) for (const h of e.chunks ?? []) used.add(h);
      if (rebase.has(id)) whole.set(id, [...entries.values()]);
    },
  );

  // refs counts the owner's schedules using a chunk: at 1, this schedule is the last, and dropping frees it.
  const references = store.all<{ hash: string; length: number; refs: number }>(
    `SELECT sc.hash, c.length, c.refs FROM schedule_chunks sc JOIN schedules s ON s.id = sc.schedule_id JOIN clients cl ON cl.id = s.client_id
     JOIN chunks c ON c.owner = coalesce(cl.customer_id, cl.id) AND c.hash = sc.hash WHERE sc.schedule_id = ?`,
    scheduleId,
  );
  const dropped = references.filter((r) => !used.has(r.hash));
  const freeing = new Map(dropped.filter((r) => r.refs <= 1).map((r) => [r.hash, r.length]));
  const bytesFreed = [...freeing.values()].reduce((n, b) => n + b, 0);

  // Each freed chunk counts once, on the oldest removed backup that uses it; one no manifest names (none
  // should be) on the oldest, so the report's rows add up to what was freed.
  const bytes = removed.map((v) => {
    let freed = 0;
    for (const h of named.get(v.id)!) {
      const length = freeing.get(h);
      if (length === undefined) continue;
      freed += length;
      freeing.delete(h);
    }
    return freed;
  });
  bytes[0]! += [...freeing.values()].reduce((n, b) => n + b, 0);

  return {
    kept: versions.length - removed.length,
    removed: removed.map((v, i) => ({ id: v.id, bytes: bytes[i]! })),
    dropped: dropped.map((r) => r.hash),
    rebase: whole,
    bytesFreed,
  };
}
