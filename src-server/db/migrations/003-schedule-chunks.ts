// 3: chunk references per schedule instead of per backup. Backups leave only with their whole client
// (and its schedules), so a schedule's chunks are the union of its backups' chunks, and a commit adds
// rows only for chunks new to the schedule: a handful, where per-backup rows were one per chunk of
// every file (21,000 row inserts and reference-count updates per commit of 20,000 unchanged files).
// A chunk's `refs` now counts the schedules of its owner that use it.
export default `
  CREATE TABLE schedule_chunks (
    schedule_id TEXT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    PRIMARY KEY (schedule_id, hash)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX schedule_chunks_hash ON schedule_chunks(hash);
  INSERT INTO schedule_chunks (schedule_id, hash) SELECT DISTINCT b.schedule_id, bc.hash FROM backup_chunks bc JOIN backups b ON b.id = bc.backup_id;
  UPDATE chunks SET refs = (
    SELECT count(*) FROM schedule_chunks sc JOIN schedules s ON s.id = sc.schedule_id JOIN clients c ON c.id = s.client_id
    WHERE sc.hash = chunks.hash AND coalesce(c.customer_id, c.id) = chunks.owner
  );
  DROP TABLE backup_chunks;
  `;
