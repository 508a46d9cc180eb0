import type { InvoiceListQuery, InvoiceStatus, InvoiceSummary } from '../../src-shared/api/invoicing.js';
import type { Bridge } from '../../src-shared/bridge.js';
import { isDay } from '../lib/invoice-period.js';
import { ListLoader } from './list.svelte.js';

export interface InvoiceReportContext {
  bridge: Bridge;
  /** Bumped by Refresh and after changes: the report loads again. */
  readonly version: number;
}

/** The newest invoices first (a month of 20,000 customers' invoices); older ones are reached with the issue-day filters. */
export const MAX_INVOICES = 20_000;

/**
 * The Invoice Report of one customer (`customerId`) or of every customer the user may see (null): the
 * filters the server applies (status, issue day from/to), and the invoices they select, newest number
 * first. A filter changed is a new list.
 */
export class InvoiceReport {
  status = $state<InvoiceStatus | ''>('');
  /** Issue days (UTC), inclusive; '' for no bound. */
  from = $state('');
  to = $state('');
  readonly loader: ListLoader<InvoiceSummary>;

  /** Made while a component is set up: the list loads at once and follows the filters. */
  constructor(ctx: InvoiceReportContext, serverId: string, customerId: string | null) {
    this.loader = new ListLoader<InvoiceSummary>(
      (q) => ctx.bridge.invoke('invoicing.invoices', { serverId, ...(customerId ? { customerId } : {}), query: { ...q, ...this.query } }),
      // A range that is no range asks nothing: the page says what is wrong with it instead.
      { what: 'invoices', max: MAX_INVOICES, reloadOn: () => [ctx.version, this.status, this.from, this.to], enabled: () => this.rangeProblem === null },
    );
  }

  /** Why the issue-day filters cannot apply (a half-typed or reversed range), or null. */
  get rangeProblem(): string | null {
    if ((this.from && !isDay(this.from)) || (this.to && !isDay(this.to))) return 'Enter whole days for the issue-date filter.';
    if (this.from && this.to && this.from > this.to) return 'The “issued from” day is after the “to” day.';
    return null;
  }

  /** What the server filters by. */
  get query(): Omit<InvoiceListQuery, 'offset' | 'limit'> {
    return {
      sort: '-number',
      ...(this.status ? { status: this.status } : {}),
      ...(this.from ? { from: this.from } : {}),
      ...(this.to ? { to: this.to } : {}),
    };
  }

  clear(): void {
    this.status = '';
    this.from = '';
    this.to = '';
  }
}
