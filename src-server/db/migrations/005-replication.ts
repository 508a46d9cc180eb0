// 5: replication. A customer copied here from another server (a replica) names its source: the source
// server's id and name (the replica keeps the source's customer id, so a replica is keyed by source server
// + customer id). A customer's own replication configuration (`custom` mode) sits beside it, passwords
// encrypted. `replication_targets` is the state of each (customer, replication server): how the last run
// went, the backoff, and `synced_through`, the source time up to which reports have reached the replica.
// `server` is the replication server as configured at its last run (password sealed), which a tombstone
// keeps: `replication_tombstones` hold a deleted customer's replicas to delete until each has applied it.
export default `
  ALTER TABLE customers ADD COLUMN replica_server_id TEXT;
  ALTER TABLE customers ADD COLUMN replica_server_name TEXT;

  CREATE TABLE customer_replication (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    config TEXT NOT NULL
  ) STRICT;

  CREATE TABLE replication_targets (
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'running', 'failed')),
    last_run_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    chunks_sent INTEGER NOT NULL DEFAULT 0,
    bytes_sent INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    retry_at TEXT,
    synced_through TEXT,
    job_id TEXT,
    server TEXT NOT NULL,
    PRIMARY KEY (customer_id, url)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE replication_tombstones (
    customer_id TEXT NOT NULL,
    url TEXT NOT NULL,
    server TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    last_error TEXT,
    PRIMARY KEY (customer_id, url)
  ) STRICT, WITHOUT ROWID;

  -- Whatever deletes a customer, its replicas learn of it: each server it was replicated to gets a tombstone.
  CREATE TRIGGER customers_replication_tombstones BEFORE DELETE ON customers BEGIN
    INSERT OR REPLACE INTO replication_tombstones (customer_id, url, server, deleted_at)
      SELECT customer_id, url, server, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM replication_targets WHERE customer_id = OLD.id;
  END;
  `;
