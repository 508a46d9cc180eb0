import type { InvoicingDeps } from './index.js';

// Skeleton (filled by the invoicing work in progress).
export class InvoicePlans {
  constructor(private readonly deps: InvoicingDeps) {}
}
