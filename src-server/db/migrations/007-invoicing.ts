// 7: invoicing. Money is integer minor units of the row's currency (a plan's slabs are JSON
// `[{upToGb, price}]` with `price` in minor units too). Usage samples are one row per customer and UTC
// day and leave with their customer; invoices do not: they name their customer and reseller as they
// were and have no foreign key to them (API.md: invoices outlive their customer). `seq` is the one
// sequence invoices and credit notes share; a number is taken inside the transaction that writes its
// invoice, so a crash or a refusal never skips or reuses one. `document` is the issued invoice as the
// API returns it minus its status: immutable once written.
export default `
  CREATE TABLE invoice_plans (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    currency TEXT NOT NULL,
    price_per_mcal INTEGER NOT NULL CHECK (price_per_mcal >= 0),
    storage_method TEXT NOT NULL CHECK (storage_method IN ('uniform', 'per-slab', 'sliding')),
    slabs TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX invoice_plans_one_default ON invoice_plans(is_default) WHERE is_default = 1;

  CREATE TABLE invoice_configs (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL,
    plan_id TEXT REFERENCES invoice_plans(id),
    tax_hundredths INTEGER NOT NULL CHECK (tax_hundredths BETWEEN 0 AND 10000),
    cycle TEXT NOT NULL CHECK (cycle IN ('weekly', 'monthly', 'quarterly')),
    billing_day INTEGER NOT NULL,
    bill_to TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    enabled_since TEXT
  ) STRICT;
  CREATE INDEX invoice_configs_plan ON invoice_configs(plan_id);

  CREATE TABLE usage_samples (
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    space_used INTEGER NOT NULL CHECK (space_used >= 0),
    mcals_used INTEGER NOT NULL CHECK (mcals_used >= 0),
    PRIMARY KEY (customer_id, day)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit-note')),
    credit_for TEXT REFERENCES invoices(id),
    status TEXT NOT NULL CHECK (status IN ('issued', 'paid', 'void')),
    customer_id TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    reseller_id TEXT NOT NULL,
    plan_id TEXT,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    document TEXT NOT NULL
  ) STRICT;
  CREATE INDEX invoices_customer ON invoices(customer_id, period_start);
  CREATE INDEX invoices_reseller ON invoices(reseller_id, seq);
  CREATE INDEX invoices_issued ON invoices(issued_at);
  CREATE INDEX invoices_plan ON invoices(plan_id);
  `;
