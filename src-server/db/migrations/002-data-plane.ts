// 2: the data plane. Chunks are stored once per owner (a customer, or a trial client that has none),
// packed into files written whole (temp, fsync, rename). A chunk's `schedule_id` is the schedule its
// bytes are counted against; `refs` counts committed backups that use it (0 = uploaded by a run that
// has not committed yet).
export default `
  CREATE TABLE packs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX packs_owner ON packs(owner);

  CREATE TABLE chunks (
    owner TEXT NOT NULL,
    hash TEXT NOT NULL,
    pack_id TEXT NOT NULL REFERENCES packs(id),
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    schedule_id TEXT NOT NULL,
    refs INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (owner, hash)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX chunks_pack ON chunks(pack_id);
  CREATE INDEX chunks_schedule ON chunks(schedule_id);

  CREATE TABLE backup_chunks (
    backup_id TEXT NOT NULL REFERENCES backups(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    PRIMARY KEY (backup_id, hash)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX backup_chunks_hash ON backup_chunks(hash);

  CREATE TABLE manifests (
    backup_id TEXT PRIMARY KEY REFERENCES backups(id) ON DELETE CASCADE,
    entries BLOB NOT NULL
  ) STRICT;
  `;
