import type { Principal } from '../auth.js';
import type { ScheduledTask } from '../scheduler.js';
import type { InvoiceConfigs, StoredInvoiceConfig } from './config.js';
import { duePeriods, type Cycle } from './cycles.js';
import type { InvoicingDeps } from './index.js';
import type { BillingPlan, InvoiceIssuer } from './issue.js';
import { utcDay } from './usage.js';

/** Who the audit log names for the invoices the scheduler issues. */
const SCHEDULER: Principal = { userId: 'scheduler', username: 'scheduler', role: 'admin', resellerId: null };
/**
 * Customers per write transaction: one commit per invoice would make 20,000 customers take minutes, one
 * for all would hold the write lock as long; numbers stay consecutive either way (issue.ts).
 */
const BATCH = 500;

/**
 * The scheduler's `invoicing` task (after `usage-samples`): every enabled customer's cycles that ended,
 * invoiced once each (cycles.ts `duePeriods`). Cycles end at midnight UTC, so one run a day finds all of
 * them; after a restart the first run looks again, which issues nothing twice.
 */
export function billingTask(deps: InvoicingDeps, configs: InvoiceConfigs, issuer: InvoiceIssuer, planOf: (planId: string | null) => BillingPlan | null): ScheduledTask {
  let ranOn: string | null = null;
  return {
    name: 'invoicing',
    due: (now) => utcDay(now) !== ranOn,
    run: (now) => {
      const today = utcDay(now);
      // Each plan priced once per run, not once per customer.
      const plans = new Map<string | null, BillingPlan | null>();
      const planFor = (id: string | null) => (plans.has(id) ? plans.get(id)! : plans.set(id, planOf(id)).get(id)!);
      const issueFor = (config: StoredInvoiceConfig) => {
        const plan = planFor(config.planId);
        if (!plan || !config.enabledSince) return 0;
        const taken = deps.store.all<Cycle>(
          `SELECT period_start AS start, period_end AS end FROM invoices
           WHERE customer_id = ? AND kind = 'invoice' AND status IN ('issued', 'paid') AND period_end >= ?`,
          config.customerId,
          config.enabledSince,
        );
        const customer = { id: config.customerId, name: config.customerName, reseller_id: config.resellerId };
        const periods = duePeriods(config.cycle, config.billingDay, config.enabledSince, today, taken);
        for (const p of periods) issuer.invoice(SCHEDULER, customer, plan, config, { periodStart: p.start, periodEnd: p.end });
        return periods.length;
      };
      const enabled = configs.enabledCustomers();
      let invoicesIssued = 0;
      for (let i = 0; i < enabled.length; i += BATCH) {
        invoicesIssued += deps.store.write(() => enabled.slice(i, i + BATCH).reduce((n, config) => n + issueFor(config), 0));
      }
      ranOn = today;
      return { invoicesIssued };
    },
  };
}
