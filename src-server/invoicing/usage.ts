import type { ScheduledTask } from '../scheduler.js';
import type { InvoicingDeps } from './index.js';

// Skeleton (filled by the invoicing work in progress).
export class UsageSamples {
  constructor(private readonly deps: InvoicingDeps) {}

  task(): ScheduledTask {
    return { name: 'usage-samples', due: () => false, run: () => ({}) };
  }
}
