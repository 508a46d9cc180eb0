import type { Store } from '../store.js';

/** References that end: a SELECT of `(schedule_id, hash)` rows, and its parameters. */
export interface EndingReferences {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** What ending references did to the index: byte deltas per schedule (for `addSpace`) and the packs to compact. */
export interface EndedReferences {
  deltas: Map<string, number>;
  packs: string[];
}

interface CountedChunk {
  hash: string;
  pack_id: string;
  length: number;
  schedule_id: string;
}

/**
 * Ending references of schedules to chunks, shared by a schedule leaving its owner (`release`) and a
 * prune dropping what no kept backup uses: `refs` falls by the references ended; chunks no schedule uses
 * any more leave the index; chunks still used but counted against a schedule that no longer uses them
 * are counted against one that does (the heir), so every `spaceUsed` equals the live bytes.
 */
export class ChunkReferences {
  constructor(private readonly store: Store) {
    // The ending references, indexed, for the duration of one `end` (one statement per step instead of a
    // lookup in a JSON list per chunk). Temporary: the connection's own, never on disk.
    store.db.exec('CREATE TEMP TABLE IF NOT EXISTS ending_refs (schedule_id TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (schedule_id, hash)) WITHOUT ROWID');
  }

  /**
   * Ends `ending` for `owner` (call in `store.write`; rows of schedule_chunks are the caller's to delete,
   * or to keep for a schedule that moves). `away`: schedules leaving the owner, against which no chunk may
   * stay counted, even one they never referenced (uploaded by a run that did not commit).
   */
  end(owner: string, ending: EndingReferences, away: ReadonlySet<string>): EndedReferences {
    const awayList = JSON.stringify([...away]);
    this.store.run(`INSERT OR IGNORE INTO ending_refs (schedule_id, hash) ${ending.sql}`, ...ending.params);
    try {
      this.store.run(
        `UPDATE chunks SET refs = refs - d.uses FROM (SELECT hash, count(*) AS uses FROM ending_refs GROUP BY hash) d
         WHERE chunks.owner = ? AND chunks.hash = d.hash`,
        owner,
      );
      const deltas = new Map<string, number>();
      const add = (schedule: string, d: number) => deltas.set(schedule, (deltas.get(schedule) ?? 0) + d);
      const dead = this.store.all<CountedChunk>(
        `SELECT hash, pack_id, length, schedule_id FROM chunks
         WHERE owner = ? AND refs <= 0 AND (hash IN (SELECT hash FROM ending_refs) OR schedule_id IN (SELECT value FROM json_each(?)))`,
        owner,
        awayList,
      );
      for (const c of dead) add(c.schedule_id, -c.length);
      this.store.run('DELETE FROM chunks WHERE owner = ? AND hash IN (SELECT value FROM json_each(?))', owner, JSON.stringify(dead.map((c) => c.hash)));
      // The dead are gone, so what is still counted against a schedule that stops using it is used elsewhere.
      const orphaned = this.store.all<CountedChunk>(
        `SELECT c.hash, c.pack_id, c.length, c.schedule_id FROM ending_refs e JOIN chunks c ON c.owner = ? AND c.hash = e.hash AND c.schedule_id = e.schedule_id
         UNION SELECT hash, pack_id, length, schedule_id FROM chunks WHERE owner = ? AND schedule_id IN (SELECT value FROM json_each(?))`,
        owner,
        owner,
        awayList,
      );
      for (const c of orphaned) {
        // The same bytes may be stored by other owners too (the same file at two customers): the heir is
        // one of this owner's schedules.
        const heir = this.store.get<{ schedule_id: string }>(
          `SELECT sc.schedule_id FROM schedule_chunks sc JOIN schedules s ON s.id = sc.schedule_id JOIN clients cl ON cl.id = s.client_id
           WHERE sc.hash = ? AND coalesce(cl.customer_id, cl.id) = ? AND sc.schedule_id NOT IN (SELECT value FROM json_each(?))
             AND NOT EXISTS (SELECT 1 FROM ending_refs e WHERE e.schedule_id = sc.schedule_id AND e.hash = sc.hash) LIMIT 1`,
          c.hash,
          owner,
          awayList,
        );
        if (!heir) continue;
        this.store.run('UPDATE chunks SET schedule_id = ? WHERE owner = ? AND hash = ?', heir.schedule_id, owner, c.hash);
        add(c.schedule_id, -c.length);
        add(heir.schedule_id, c.length);
      }
      return { deltas, packs: [...new Set(dead.map((c) => c.pack_id))] };
    } finally {
      this.store.run('DELETE FROM ending_refs');
    }
  }
}
