import type { AuditLog } from '../audit.js';
import type { Customers } from '../customers.js';
import type { ScheduledTask } from '../scheduler.js';
import type { Settings } from '../settings.js';
import type { Store } from '../store.js';
import { InvoiceConfigs } from './config.js';
import { Invoices } from './invoices.js';
import { InvoicePlans } from './plans.js';
import { UsageSamples } from './usage.js';

export interface InvoicingDeps {
  readonly store: Store;
  readonly settings: Settings;
  readonly audit: AuditLog;
  readonly customers: Customers;
}

/**
 * Invoicing (API.md): the plans (`plans.ts`), each customer's configuration (`config.ts`), the daily usage
 * samples invoices bill from (`usage.ts`), and the invoices and credit notes (`invoices.ts`); the arithmetic
 * is `pricing.ts`, the PDF `pdf.ts`.
 */
export class Invoicing {
  readonly plans: InvoicePlans;
  readonly usage: UsageSamples;
  readonly configs: InvoiceConfigs;
  readonly invoices: Invoices;

  constructor(deps: InvoicingDeps) {
    this.plans = new InvoicePlans(deps);
    this.usage = new UsageSamples(deps);
    this.configs = new InvoiceConfigs(deps, this.plans);
    this.invoices = new Invoices(deps, this.plans, this.usage, this.configs);
  }

  /** The scheduler's part, in order: the day's usage samples first, then the cycles that ended invoiced from them. */
  tasks(): ScheduledTask[] {
    return [this.usage.task(), this.invoices.task()];
  }
}
