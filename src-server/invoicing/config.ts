import type { InvoicingDeps } from './index.js';
import type { InvoicePlans } from './plans.js';

// Skeleton (filled by the invoicing work in progress).
export class InvoiceConfigs {
  constructor(
    private readonly deps: InvoicingDeps,
    private readonly plans: InvoicePlans,
  ) {}
}
