import type { List } from '../../src-shared/api/common.js';
import { MAX_INVOICE_DAYS, type Invoice, type InvoiceListQuery, type InvoicePeriod, type InvoiceSummary } from '../../src-shared/api/invoicing.js';
import type { Principal } from '../auth.js';
import { ApiError, badRequest, conflict, fieldConflict, notFound } from '../errors.js';
import type { ScheduledTask } from '../scheduler.js';
import { billingTask } from './billing-run.js';
import type { InvoiceConfigs } from './config.js';
import { addDays, daysFromTo } from './cycles.js';
import type { InvoicingDeps } from './index.js';
import { INVOICE_ROWS, toInvoice, toSummary, type InvoiceRow } from './invoice-rows.js';
import { InvoiceIssuer, type BillingPlan } from './issue.js';
import { invoicePdf } from './pdf.js';
import type { InvoicePlans } from './plans.js';
import { dayNumber, utcDay, type UsageSamples } from './usage.js';

/** The rows a principal may see: an administrator every invoice, a reseller those of its own customers. */
const visibility = (principal: Principal): { where: string; params: unknown[] } => (principal.role === 'admin' ? { where: '1', params: [] } : { where: 'reseller_id = ?', params: [principal.resellerId] });

/**
 * Invoices and credit notes (API.md): generated for a period on demand or by the scheduler at the end of
 * each billing cycle, immutable once issued except their status (issued → paid, or void through a credit
 * note). They outlive their customer: rows name it and its reseller as they were, with no foreign key.
 */
export class Invoices {
  private readonly issuer: InvoiceIssuer;

  constructor(
    private readonly deps: InvoicingDeps,
    private readonly plans: InvoicePlans,
    usage: UsageSamples,
    private readonly configs: InvoiceConfigs,
  ) {
    this.issuer = new InvoiceIssuer(deps, usage);
  }

  /** POST /customers/:id/invoices: one invoice of the period, now. */
  generate(principal: Principal, customerId: string, period: InvoicePeriod): Invoice {
    assertPeriod(period, utcDay(Date.now()));
    return this.deps.store.write(() => {
      const customer = this.deps.customers.row(principal, customerId);
      const config = this.configs.forInvoicing(customerId);
      if (!config?.enabled) throw conflict(`Invoicing is disabled for customer "${customer.name}": enable it in the customer's invoice configuration first.`);
      const plan = this.planOf(config.planId);
      if (!plan) throw fieldConflict('planId', `No invoice plan is the default, and customer "${customer.name}" has none: pick a plan in its invoice configuration first.`);
      const taken = this.deps.store.get<{ number: string; period_start: string; period_end: string }>(
        `SELECT number, period_start, period_end FROM invoices
         WHERE customer_id = ? AND kind = 'invoice' AND status IN ('issued', 'paid') AND period_start <= ? AND period_end >= ? LIMIT 1`,
        customerId,
        period.periodEnd,
        period.periodStart,
      );
      if (taken) {
        throw fieldConflict('periodStart', `Invoice ${taken.number} already bills ${taken.period_start} to ${taken.period_end}: a period may be invoiced once; issue a credit note for that invoice first to invoice it again.`, { number: taken.number });
      }
      return this.issuer.invoice(principal, customer, plan, config, period);
    });
  }

  get(principal: Principal, id: string): Invoice {
    return toInvoice(this.row(principal, id));
  }

  /** GET /invoices (every customer the principal sees) and GET /customers/:id/invoices. */
  list(principal: Principal, customerId: string | null, query: InvoiceListQuery): List<InvoiceSummary> {
    if (customerId !== null) this.assertCustomerVisible(principal, customerId);
    const { where, params } = visibility(principal);
    // Issue days: issued_at is an ISO time, which orders as text; the day after `to` bounds it.
    const filters = (
      [
        ['customer_id = ?', customerId],
        ['status = ?', query.status],
        ['issued_at >= ?', query.from],
        ['issued_at < ?', query.to && addDays(query.to, 1)],
      ] as const
    ).filter(([, value]) => value !== null && value !== undefined);
    return this.deps.store.list(
      { ...INVOICE_ROWS, where: [where, ...filters.map(([sql]) => sql)].join(' AND '), params: [...params, ...filters.map(([, value]) => value)] },
      query,
      toSummary,
    );
  }

  /** PATCH /invoices/:id: issued → paid, the one change an issued invoice takes. */
  markPaid(principal: Principal, id: string): Invoice {
    return this.deps.store.write(() => {
      const row = this.row(principal, id);
      if (row.status !== 'issued') {
        throw fieldConflict('status', `${row.number} is ${row.status}: only an issued ${row.kind === 'invoice' ? 'invoice' : 'credit note'} can be marked paid.`, { status: row.status });
      }
      this.deps.store.run("UPDATE invoices SET status = 'paid' WHERE id = ?", id);
      this.audit(principal, row, 'invoice.paid', 'paid');
      return toInvoice({ ...row, status: 'paid' });
    });
  }

  /** POST /invoices/:id/credit-note: a credit note of an issued or paid invoice, which becomes void. */
  creditNote(principal: Principal, id: string): Invoice {
    return this.deps.store.write(() => {
      const row = this.row(principal, id);
      if (row.kind === 'credit-note') throw conflict(`${row.number} is a credit note: only an invoice can be credited.`);
      if (row.status === 'void') throw conflict(`${row.number} is void already: a credit note was issued for it.`);
      const note = this.issuer.creditNote(principal, row);
      this.deps.store.run("UPDATE invoices SET status = 'void' WHERE id = ?", id);
      this.audit(principal, row, 'invoice.void', 'void');
      return note;
    });
  }

  /** GET /invoices/:id/pdf: the document and the file name it is saved as. */
  async pdf(principal: Principal, id: string): Promise<{ fileName: string; pdf: Buffer }> {
    const row = this.row(principal, id);
    const credited = row.credit_for ? this.deps.store.get<{ number: string }>('SELECT number FROM invoices WHERE id = ?', row.credit_for)?.number : undefined;
    return { fileName: `${row.number}.pdf`, pdf: await invoicePdf(toInvoice(row), credited) };
  }

  /** The scheduler's invoicing at the end of each billing cycle (billing-run.ts). */
  task(): ScheduledTask {
    return billingTask(this.deps, this.configs, this.issuer, (planId) => this.planOf(planId));
  }

  /** A configuration's plan, or the default plan for `null`; null when there is none. */
  private planOf(planId: string | null): BillingPlan | null {
    if (planId !== null) {
      const priced = this.plans.pricedById(planId);
      return priced && { id: planId, priced };
    }
    const row = this.plans.defaultPlan();
    return row && { id: row.id, priced: this.plans.priced(row) };
  }

  private row(principal: Principal, id: string): InvoiceRow {
    const row = this.deps.store.get<InvoiceRow>('SELECT * FROM invoices WHERE id = ?', id);
    if (!row || (principal.role === 'reseller' && row.reseller_id !== principal.resellerId)) throw notFound('Invoice');
    return row;
  }

  /** A customer's invoices are listed while it exists, and after it was deleted as long as it had any. */
  private assertCustomerVisible(principal: Principal, customerId: string): void {
    try {
      this.deps.customers.row(principal, customerId);
    } catch (err) {
      const { where, params } = visibility(principal);
      const kept = err instanceof ApiError && err.code === 'NOT_FOUND' && this.deps.store.get(`SELECT 1 FROM invoices WHERE customer_id = ? AND ${where} LIMIT 1`, customerId, ...params);
      if (!kept) throw err;
    }
  }

  private audit(principal: Principal, row: InvoiceRow, action: string, status: string): void {
    this.deps.audit.record(principal, {
      action,
      objectType: 'invoice',
      objectId: row.id,
      objectName: row.number,
      resellerId: row.reseller_id,
      before: { number: row.number, status: row.status },
      after: { number: row.number, status },
    });
  }
}

/** API.md: whole calendar days, start ≤ end, ending before today, at most MAX_INVOICE_DAYS; each a 400 naming its field. */
function assertPeriod({ periodStart, periodEnd }: InvoicePeriod, today: string): void {
  for (const [field, day] of [['periodStart', periodStart], ['periodEnd', periodEnd]] as const) {
    if (Number.isNaN(dayNumber(day))) throw badRequest(field, `${field}: ${day} is not a calendar day.`);
  }
  if (periodStart > periodEnd) throw badRequest('periodEnd', `periodEnd: ${periodEnd} is before periodStart (${periodStart}).`);
  if (periodEnd >= today) throw badRequest('periodEnd', `periodEnd: ${periodEnd} is not over yet; a period ends before today (${today}, UTC).`);
  const days = daysFromTo(periodStart, periodEnd);
  if (days > MAX_INVOICE_DAYS) throw badRequest('periodEnd', `periodEnd: ${periodStart} to ${periodEnd} is ${days} days; an invoice covers at most ${MAX_INVOICE_DAYS}.`);
}
