// 1: the management schema: settings, resellers and their logins, sessions, customers, clients, schedules,
// reports, the audit log and jobs.
// Counters that lists sort by (a customer's mcals_used, space_used, client_count) are kept denormalized
// and updated in the same transaction as the rows they summarize, so a 20,000-customer list sorted by
// space used is an index walk, not an aggregate.
export default `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

  CREATE TABLE resellers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username_key TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'reseller')),
    reseller_id TEXT REFERENCES resellers(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX sessions_expiry ON sessions(expires_at);

  CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    reseller_id TEXT NOT NULL REFERENCES resellers(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    mcals_allotted INTEGER CHECK (mcals_allotted >= 0),
    mcals_used INTEGER NOT NULL DEFAULT 0 CHECK (mcals_used >= 0),
    space_allotted INTEGER CHECK (space_allotted >= 0),
    space_used INTEGER NOT NULL DEFAULT 0 CHECK (space_used >= 0),
    client_count INTEGER NOT NULL DEFAULT 0 CHECK (client_count >= 0),
    auto_authorization INTEGER NOT NULL DEFAULT 1,
    active INTEGER NOT NULL DEFAULT 1,
    replication_mode TEXT NOT NULL DEFAULT 'inherit',
    invoicing_enabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX customers_reseller_name ON customers(reseller_id, name_key);
  CREATE INDEX customers_reseller_space ON customers(reseller_id, space_used);

  CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    customer_id TEXT REFERENCES customers(id),
    name TEXT NOT NULL,
    hostname TEXT NOT NULL DEFAULT '',
    os TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'authorized', 'moved')),
    trial INTEGER NOT NULL DEFAULT 0,
    trial_expires_at TEXT,
    mcal_consumed INTEGER NOT NULL DEFAULT 0,
    space_used INTEGER NOT NULL DEFAULT 0 CHECK (space_used >= 0),
    last_backup_at TEXT,
    last_backup_status TEXT,
    registration_key_hash TEXT UNIQUE,
    agent_token_hash TEXT UNIQUE,
    moved_to TEXT,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX clients_customer_name ON clients(customer_id, name);
  CREATE INDEX clients_trial ON clients(trial, trial_expires_at);

  CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id),
    name TEXT NOT NULL,
    sources TEXT NOT NULL,
    frequency TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    last_run_at TEXT,
    last_status TEXT,
    next_run_at TEXT,
    space_used INTEGER NOT NULL DEFAULT 0 CHECK (space_used >= 0),
    created_at TEXT NOT NULL,
    UNIQUE (client_id, name)
  ) STRICT;

  CREATE TABLE backups (
    id TEXT PRIMARY KEY,
    schedule_id TEXT NOT NULL REFERENCES schedules(id),
    created_at TEXT NOT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX backups_schedule ON backups(schedule_id, created_at);

  CREATE TABLE backup_reports (
    id TEXT PRIMARY KEY,
    schedule_id TEXT NOT NULL REFERENCES schedules(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    files_scanned INTEGER NOT NULL DEFAULT 0,
    files_uploaded INTEGER NOT NULL DEFAULT 0,
    bytes_scanned INTEGER NOT NULL DEFAULT 0,
    bytes_uploaded INTEGER NOT NULL DEFAULT 0,
    error TEXT
  ) STRICT;
  CREATE INDEX backup_reports_schedule ON backup_reports(schedule_id, started_at);
  CREATE INDEX backup_reports_running ON backup_reports(status) WHERE status = 'running';

  CREATE TABLE restore_reports (
    id TEXT PRIMARY KEY,
    schedule_id TEXT NOT NULL REFERENCES schedules(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    target TEXT NOT NULL DEFAULT '',
    error TEXT
  ) STRICT;
  CREATE INDEX restore_reports_schedule ON restore_reports(schedule_id, started_at);

  -- No foreign keys: the deleted report outlives what it describes.
  CREATE TABLE deleted_reports (
    id TEXT PRIMARY KEY,
    reseller_id TEXT,
    customer_id TEXT,
    client_id TEXT NOT NULL,
    schedule_id TEXT,
    deleted_at TEXT NOT NULL,
    deleted_by TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('client', 'schedule', 'backup')),
    client_name TEXT NOT NULL,
    schedule_name TEXT,
    bytes INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL
  ) STRICT;
  CREATE INDEX deleted_reports_customer ON deleted_reports(customer_id, deleted_at);
  CREATE INDEX deleted_reports_schedule ON deleted_reports(schedule_id, deleted_at);

  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    reseller_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    object_name TEXT NOT NULL,
    before TEXT,
    after TEXT
  ) STRICT;
  CREATE INDEX audit_log_reseller ON audit_log(reseller_id, seq);

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    reseller_id TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  ) STRICT;
  `;
