// 6: seed backup migration. On the target, a client being seeded from another server carries
// `incoming_from` (the source's server id) until the source hands it over: till then it is listed nowhere
// and counts in no total (its customer's client count, MCALs, space); `incoming_at` is when its source last
// took it up, so a copy its source gave up on can be discarded. On the source, each migration keeps
// its clients in order with their state; a client `copying` refuses its agent (its data is being copied,
// and a backup made meanwhile would not move with it). `handing_over` marks a client whose target may
// already have taken it: after a crash it stays refused to its agent until a resume settles it.
export default `
  ALTER TABLE clients ADD COLUMN incoming_from TEXT;
  ALTER TABLE clients ADD COLUMN incoming_at TEXT;

  CREATE TABLE seed_migrations (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    target_url TEXT NOT NULL,
    target_fingerprint TEXT,
    target_customer_name TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE seed_migration_clients (
    migration_id TEXT NOT NULL REFERENCES seed_migrations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'copying', 'moved', 'failed')),
    handing_over INTEGER NOT NULL DEFAULT 0,
    bytes_copied INTEGER NOT NULL DEFAULT 0,
    bytes_total INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    PRIMARY KEY (migration_id, position)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX seed_migration_clients_client ON seed_migration_clients(client_id, state);
  `;
