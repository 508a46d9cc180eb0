import { dayNumber, dayOf, utcDay } from './invoicing/usage.js';
import type { Services } from './services.js';
import { nameKey, newId, nowIso } from './store.js';

/** How far back the demo's usage samples go: about six months, twice its 90 days of report history. */
const SAMPLED_DAYS = 183;
/** Days the demo server "was down" and took no sample, so the usage chart and invoices show interpolation. */
const OUTAGE = [41, 40];
const DAY_MS = 24 * 60 * 60 * 1000;

interface Contribution {
  customer_id: string;
  day: string;
  bytes: number;
  mcals: number;
}

/**
 * The invoicing part of `--demo`: two plans (the default in EUR with sliding slabs, one in USD priced
 * uniformly), invoicing enabled for some customers, and a daily usage sample per customer derived from the
 * rows the demo already holds, so the samples agree with its report history: each backup's uploaded bytes
 * count from the day it finished (a schedule's first backup from the day its client was created, since that
 * client's history predates the 90 days of reports), each authorized client's MCAL from the day it was
 * created. Samples end yesterday; the first maintenance run takes today's.
 */
export function seedDemoInvoicing(s: Services, now: number): void {
  const run = (sql: string, ...params: unknown[]) => s.store.run(sql, ...params);
  s.store.write(() => {
    const plan = (name: string, currency: string, pricePerMcal: number, method: string, slabs: { upToGb: number | null; price: number }[], isDefault: boolean) => {
      const id = newId('pln');
      run(
        `INSERT INTO invoice_plans (id, name, name_key, currency, price_per_mcal, storage_method, slabs, is_default, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        name,
        nameKey(name),
        currency,
        pricePerMcal,
        method,
        JSON.stringify(slabs),
        isDefault ? 1 : 0,
        nowIso(now - 200 * DAY_MS),
      );
      return id;
    };
    // Minor units: EUR 4.50 per MCAL, storage 0.05 / 0.03 / 0.02 per GB past 100 and 1,000 GB; USD 5.00 and 0.04 per GB.
    plan('Standard (EUR)', 'EUR', 450, 'sliding', [{ upToGb: 100, price: 5 }, { upToGb: 1000, price: 3 }, { upToGb: null, price: 2 }], true);
    const usd = plan('Flat (USD)', 'USD', 500, 'uniform', [{ upToGb: null, price: 4 }], false);

    const customers = s.store.all<{ id: string; name: string; reseller: string; active: number }>(
      'SELECT c.id, c.name, r.name AS reseller, c.active FROM customers c JOIN resellers r ON r.id = c.reseller_id ORDER BY r.name_key, c.name_key',
    );
    customers.forEach((c, i) => {
      const config = demoConfig(c.reseller, i, usd);
      if (!config || c.active === 0) return;
      run(
        `INSERT INTO invoice_configs (customer_id, enabled, plan_id, tax_hundredths, cycle, billing_day, bill_to, notes, enabled_since)
         VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)`,
        c.id,
        config.planId,
        config.taxHundredths,
        config.cycle,
        config.billingDay,
        `${c.name}\nAccounts Payable\n${10 + i} Harbor Street`,
        'Payable within 30 days.',
        utcDay(now - config.enabledDaysAgo * DAY_MS),
      );
      run('UPDATE customers SET invoicing_enabled = 1 WHERE id = ?', c.id);
    });

    writeSamples(s, now);
  });
}

/** Who bills how: Northwind IT every customer on the default plan, Contoso every other one weekly in USD, Fabrikam two quarterly. */
function demoConfig(reseller: string, index: number, usdPlan: string) {
  if (reseller === 'Northwind IT') return { planId: null, taxHundredths: 1900, cycle: 'monthly', billingDay: 1, enabledDaysAgo: 150 };
  if (reseller === 'Contoso Managed Services' && index % 2 === 0) return { planId: usdPlan, taxHundredths: 825, cycle: 'weekly', billingDay: 1, enabledDaysAgo: 60 };
  if (reseller === 'Fabrikam Cloud' && index % 11 === 0) return { planId: null, taxHundredths: 2000, cycle: 'quarterly', billingDay: 1, enabledDaysAgo: 170 };
  return null;
}

/** Each customer's end-of-day usage for the sampled days, from the demo's clients and backup reports. */
function writeSamples(s: Services, now: number): void {
  const today = dayNumber(utcDay(now));
  const first = today - SAMPLED_DAYS;
  const contributions = s.store.all<Contribution>(
    `SELECT c.customer_id, substr(
        CASE WHEN r.started_at = (SELECT min(r2.started_at) FROM backup_reports r2 WHERE r2.schedule_id = r.schedule_id AND r2.status != 'failed')
             THEN min(c.created_at, r.finished_at) ELSE r.finished_at END, 1, 10) AS day,
        r.bytes_uploaded AS bytes, 0 AS mcals
     FROM backup_reports r JOIN schedules s ON s.id = r.schedule_id JOIN clients c ON c.id = s.client_id
     WHERE c.customer_id IS NOT NULL AND r.status != 'failed'
     UNION ALL
     SELECT customer_id, substr(created_at, 1, 10), 0, 1 FROM clients WHERE customer_id IS NOT NULL AND mcal_consumed = 1`,
  );
  // Per customer, the change on each day; a running sum over the days gives the samples.
  const changes = new Map<string, Map<number, { bytes: number; mcals: number }>>();
  for (const { customer_id, day, bytes, mcals } of contributions) {
    const byDay = changes.get(customer_id) ?? new Map<number, { bytes: number; mcals: number }>();
    changes.set(customer_id, byDay);
    const n = Math.max(dayNumber(day), first);
    const change = byDay.get(n) ?? { bytes: 0, mcals: 0 };
    byDay.set(n, { bytes: change.bytes + bytes, mcals: change.mcals + mcals });
  }
  const outage = new Set(OUTAGE.map((ago) => today - ago));
  const customers = s.store.all<{ id: string }>('SELECT id FROM customers');
  for (const { id } of customers) {
    const byDay = changes.get(id);
    let space = 0;
    let mcals = 0;
    for (let n = first; n < today; n++) {
      const change = byDay?.get(n);
      space += change?.bytes ?? 0;
      mcals += change?.mcals ?? 0;
      if (outage.has(n)) continue;
      s.store.run('INSERT INTO usage_samples (customer_id, day, space_used, mcals_used) VALUES (?, ?, ?, ?)', id, dayOf(n), space, mcals);
    }
  }
}
