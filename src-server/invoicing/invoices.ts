import type { ScheduledTask } from '../scheduler.js';
import type { InvoiceConfigs } from './config.js';
import type { InvoicingDeps } from './index.js';
import type { InvoicePlans } from './plans.js';
import type { UsageSamples } from './usage.js';

// Skeleton (filled by the invoicing work in progress).
export class Invoices {
  constructor(
    private readonly deps: InvoicingDeps,
    private readonly plans: InvoicePlans,
    private readonly usage: UsageSamples,
    private readonly configs: InvoiceConfigs,
  ) {}

  task(): ScheduledTask {
    return { name: 'invoicing', due: () => false, run: () => ({}) };
  }
}
