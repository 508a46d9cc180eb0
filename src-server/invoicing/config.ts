import type { InvoiceConfig, InvoiceConfigInput, InvoiceCycle } from '../../src-shared/api/invoicing.js';
import type { Principal } from '../auth.js';
import { assertWritable } from '../customers.js';
import { badRequest } from '../errors.js';
import type { InvoicingDeps } from './index.js';
import type { InvoicePlans } from './plans.js';
import { utcDay } from './usage.js';

interface ConfigRow {
  customer_id: string;
  enabled: number;
  plan_id: string | null;
  tax_hundredths: number;
  cycle: string;
  billing_day: number;
  bill_to: string;
  notes: string;
  enabled_since: string | null;
}

/** A customer's stored configuration as invoicing reads it, with the customer's name and reseller as they are now. */
export interface StoredInvoiceConfig {
  customerId: string;
  customerName: string;
  resellerId: string;
  enabled: boolean;
  /** `null`: the default plan at the time each invoice is generated. */
  planId: string | null;
  /** taxPercent × 100, exact. */
  taxHundredths: number;
  cycle: InvoiceCycle;
  billingDay: number;
  billTo: string;
  notes: string;
  enabledSince: string | null;
}

type JoinedRow = ConfigRow & { customer_name: string; reseller_id: string };

const SELECT_JOINED = 'SELECT ic.*, c.name AS customer_name, c.reseller_id FROM invoice_configs ic JOIN customers c ON c.id = ic.customer_id';

const toStored = (r: JoinedRow): StoredInvoiceConfig => ({
  customerId: r.customer_id,
  customerName: r.customer_name,
  resellerId: r.reseller_id,
  enabled: r.enabled === 1,
  planId: r.plan_id,
  taxHundredths: r.tax_hundredths,
  cycle: r.cycle as InvoiceCycle,
  billingDay: r.billing_day,
  billTo: r.bill_to,
  notes: r.notes,
  enabledSince: r.enabled_since,
});

/** A customer that never saved a configuration: not invoiced. */
const DEFAULTS: InvoiceConfig = { enabled: false, planId: null, taxPercent: 0, cycle: 'monthly', billingDay: 1, billTo: '', notes: '', enabledSince: null };

const toConfig = (r: ConfigRow): InvoiceConfig => ({
  enabled: r.enabled === 1,
  planId: r.plan_id,
  taxPercent: r.tax_hundredths / 100,
  cycle: r.cycle as InvoiceCycle,
  billingDay: r.billing_day,
  billTo: r.bill_to,
  notes: r.notes,
  enabledSince: r.enabled_since,
});

/** Each customer's invoice configuration (API.md: `GET|PUT /customers/:id/invoice-config`), the customer's admin or reseller. */
export class InvoiceConfigs {
  constructor(
    private readonly deps: InvoicingDeps,
    private readonly plans: InvoicePlans,
  ) {}

  get(principal: Principal, customerId: string): InvoiceConfig {
    this.deps.customers.row(principal, customerId);
    return this.read(customerId);
  }

  put(principal: Principal, customerId: string, input: InvoiceConfigInput): InvoiceConfig {
    const taxHundredths = Math.round(input.taxPercent * 100);
    if (taxHundredths / 100 !== input.taxPercent) throw badRequest('taxPercent', `taxPercent: ${input.taxPercent} has more than 2 decimals.`);
    if (input.cycle === 'weekly' && input.billingDay > 7) {
      throw badRequest('billingDay', `billingDay: a weekly cycle starts on an ISO weekday, 1 (Monday) to 7 (Sunday), not ${input.billingDay}.`);
    }
    return this.deps.store.write(() => {
      const customer = this.deps.customers.row(principal, customerId);
      assertWritable(customer);
      if (input.planId !== null && !this.plans.exists(input.planId)) throw badRequest('planId', `planId: no such plan "${input.planId}".`);
      if (input.enabled && input.planId === null && !this.plans.defaultPlan()) {
        throw badRequest('planId', 'planId: no plan is the default, so invoicing needs a plan chosen.');
      }
      const before = this.read(customerId);
      // The day invoicing starts counting from: set when it is switched on, kept while on and after it is off.
      const enabledSince = input.enabled && !before.enabled ? utcDay(Date.now()) : before.enabledSince;
      this.deps.store.run(
        `INSERT INTO invoice_configs (customer_id, enabled, plan_id, tax_hundredths, cycle, billing_day, bill_to, notes, enabled_since)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (customer_id) DO UPDATE SET enabled = excluded.enabled, plan_id = excluded.plan_id, tax_hundredths = excluded.tax_hundredths,
           cycle = excluded.cycle, billing_day = excluded.billing_day, bill_to = excluded.bill_to, notes = excluded.notes, enabled_since = excluded.enabled_since`,
        customerId,
        input.enabled ? 1 : 0,
        input.planId,
        taxHundredths,
        input.cycle,
        input.billingDay,
        (input.billTo ?? '').trim(),
        (input.notes ?? '').trim(),
        enabledSince,
      );
      // The customer itself says whether it is invoiced (Customer.invoicing.enabled).
      this.deps.store.run('UPDATE customers SET invoicing_enabled = ? WHERE id = ?', input.enabled ? 1 : 0, customerId);
      const after = this.read(customerId);
      this.deps.audit.record(principal, { action: 'customer.invoice-config.update', objectType: 'customer', objectId: customerId, objectName: customer.name, resellerId: customer.reseller_id, before, after });
      return after;
    });
  }

  /** The stored configuration of a customer, or null when it never saved one (then it is not invoiced). */
  forInvoicing(customerId: string): StoredInvoiceConfig | null {
    const row = this.deps.store.get<JoinedRow>(`${SELECT_JOINED} WHERE ic.customer_id = ?`, customerId);
    return row ? toStored(row) : null;
  }

  /** Every configuration with invoicing enabled, in one query (the scheduler walks all of them). */
  enabledCustomers(): StoredInvoiceConfig[] {
    return this.deps.store.all<JoinedRow>(`${SELECT_JOINED} WHERE ic.enabled = 1 ORDER BY ic.customer_id`).map(toStored);
  }

  private read(customerId: string): InvoiceConfig {
    const row = this.deps.store.get<ConfigRow>('SELECT * FROM invoice_configs WHERE customer_id = ?', customerId);
    return row ? toConfig(row) : DEFAULTS;
  }
}
