/**
 * The scheduler's invoicing (API.md, invoice-config), in process so a test can choose the day: on its
 * billing day each enabled customer's cycle that ended the day before is invoiced from the later of its
 * start and enabledSince, days already invoiced skipped; a run that finds nothing new issues nothing, and
 * cycles missed while the server was down are caught up by the next run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../src-shared/api/customers.js';
import type { Invoice, InvoiceConfigInput, InvoiceSummary } from '../../src-shared/api/invoicing.js';
import type { Principal } from '../../src-server/auth.js';
import { bootstrap } from '../../src-server/bootstrap.js';
import { openDatabase, type Db } from '../../src-server/db/database.js';
import { Services } from '../../src-server/services.js';

const ADMIN: Principal = { userId: 'usr_admin', username: 'admin', role: 'admin', resellerId: null };
const GIB = 2 ** 30;
const at = (day: string) => Date.parse(`${day}T00:30:00.000Z`);
const dayAfter = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

let dir: string;
let db: Db;
let services: Services;
const customers: Record<string, Customer> = {};

/** A customer invoiced on the default plan from `enabledSince`, with 1 MCAL and 10 GB every day of September. */
function customer(name: string, config: Pick<InvoiceConfigInput, 'cycle' | 'billingDay'>, enabledSince: string): Customer {
  const created = services.customers.create(ADMIN, 'default', { name });
  services.invoicing.configs.put(ADMIN, created.id, { enabled: true, planId: null, taxPercent: 0, ...config });
  // PUT starts invoicing today; the scheduler must be seen billing from a chosen past day.
  db.prepare('UPDATE invoice_configs SET enabled_since = ? WHERE customer_id = ?').run(enabledSince, created.id);
  const sample = db.prepare('INSERT INTO usage_samples (customer_id, day, space_used, mcals_used) VALUES (?, ?, ?, ?)');
  for (let day = 1; day <= 30; day++) sample.run(created.id, `2026-09-${String(day).padStart(2, '0')}`, 10 * GIB, 1);
  customers[name] = created;
  return created;
}

const invoicesOf = (name: string): InvoiceSummary[] =>
  services.invoicing.invoices.list(ADMIN, customers[name]!.id, { sort: 'periodStart', limit: 1000 }).items.filter((i) => i.kind === 'invoice');
const periods = (name: string) => invoicesOf(name).map((i) => `${i.periodStart}..${i.periodEnd}`);

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'invoice-cycles-'));
  db = openDatabase(path.join(dir, 'server.sqlite'));
  services = new Services(db, dir);
  await bootstrap(services, { cloud: false, adminPassword: 'invoice-cycles-admin-pw' });
  services.invoicing.plans.create(ADMIN, { name: 'Standard', currency: 'EUR', pricePerMcal: '10', isDefault: true, storage: { method: 'uniform', slabs: [{ upToGb: null, price: '0.10' }] } });
  customer('Monthly', { cycle: 'monthly', billingDay: 1 }, '2026-09-12');
  customer('Weekly', { cycle: 'weekly', billingDay: 1 }, '2026-09-16');
  customer('Quarterly', { cycle: 'quarterly', billingDay: 1 }, '2026-08-15');
  customer('By Hand Too', { cycle: 'monthly', billingDay: 1 }, '2026-09-01');
  const off = customer('Switched Off', { cycle: 'monthly', billingDay: 1 }, '2026-09-01');
  services.invoicing.configs.put(ADMIN, off.id, { enabled: false, planId: null, taxPercent: 0, cycle: 'monthly', billingDay: 1 });
});

afterAll(async () => {
  db.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

describe('the invoicing task', () => {
  it('on the billing day invoices the cycle that ended the day before, from enabledSince, skipping days invoiced by hand', async () => {
    services.invoicing.invoices.generate(ADMIN, customers['By Hand Too']!.id, { periodStart: '2026-09-10', periodEnd: '2026-09-20' });
    const summary = await services.maintenance.run(at('2026-10-01'));
    // Monthly 1, Weekly 2 (the rest of its first week, then a whole one), Quarterly 1, By Hand Too 2, Switched Off none.
    expect(summary.invoicesIssued).toBe(6);
    expect(periods('Monthly')).toEqual(['2026-09-12..2026-09-30']);
    expect(periods('Weekly')).toEqual(['2026-09-16..2026-09-20', '2026-09-21..2026-09-27']);
    expect(periods('Quarterly')).toEqual(['2026-08-15..2026-09-30']);
    expect(periods('By Hand Too')).toEqual(['2026-09-01..2026-09-09', '2026-09-10..2026-09-20', '2026-09-21..2026-09-30']);
    expect(periods('Switched Off')).toEqual([]);

    const [monthly] = invoicesOf('Monthly');
    const invoice: Invoice = services.invoicing.invoices.get(ADMIN, monthly!.id);
    expect(invoice).toMatchObject({
      lines: [
        // 19 days of 1 MCAL in a 30-day month: 19/30 × 10.00 = 6.333… → 6.33; 10 GB: 1.00 × 19/30 = 0.633… → 0.63.
        { description: 'MCALs, September 2026', quantity: '0.6333', unitPrice: '10.00', amount: '6.33' },
        { description: 'Storage, September 2026 (average 10.0000 GB)', quantity: '0.6333', unitPrice: '1.00', amount: '0.63' },
      ],
      total: '6.96',
    });
    const audit = services.audit.list(ADMIN, { q: monthly!.number }).items;
    expect(audit).toEqual([expect.objectContaining({ actor: 'scheduler', action: 'invoice.issue' })]);
  });

  it('never invoices a cycle twice: not later that day, not the next day, not after a restart', async () => {
    expect((await services.maintenance.run(at('2026-10-01') + 3_600_000)).invoicesIssued).toBe(0);
    expect(await services.invoicing.invoices.task().run(at('2026-10-01'))).toEqual({ invoicesIssued: 0 });
    expect((await services.maintenance.run(at('2026-10-02'))).invoicesIssued).toBe(0);
    expect((await new Services(db, dir).maintenance.run(at('2026-10-02'))).invoicesIssued).toBe(0);
  });

  it('catches up the cycles missed while the server was down, each once, numbers consecutive', async () => {
    const before = services.invoicing.invoices.list(ADMIN, null, { limit: 1 }).total;
    // Down from 2 October to 3 December (a Thursday): November's and December's billing days were missed.
    const restarted = new Services(db, dir);
    // Monthly and By Hand Too: October and November; Weekly: the 9 weeks from Monday 28 September to Sunday 29 November.
    expect((await restarted.maintenance.run(at('2026-12-03'))).invoicesIssued).toBe(2 + 9 + 2);
    expect(periods('Monthly').slice(1)).toEqual(['2026-10-01..2026-10-31', '2026-11-01..2026-11-30']);
    const weeks = Array.from({ length: 9 }, (_, i) => `${dayAfter('2026-09-28', 7 * i)}..${dayAfter('2026-09-28', 7 * i + 6)}`);
    expect(weeks[8]).toBe('2026-11-23..2026-11-29');
    expect(periods('Weekly').slice(2)).toEqual(weeks);
    expect(periods('Quarterly')).toHaveLength(1);
    expect((await restarted.maintenance.run(at('2026-12-04'))).invoicesIssued).toBe(0);

    const all = services.invoicing.invoices.list(ADMIN, null, { sort: 'number', limit: 1000 }).items;
    expect(all).toHaveLength(before + 13);
    expect(all.map((i) => i.number)).toEqual(all.map((_, i) => `INV-${String(i + 1).padStart(6, '0')}`));
  });
});
