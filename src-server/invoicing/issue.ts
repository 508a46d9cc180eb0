import type { Invoice, InvoicePeriod } from '../../src-shared/api/invoicing.js';
import { formatMoney, parseMoney } from '../../src-shared/money.js';
import type { Principal } from '../auth.js';
import type { CustomerRow } from '../customers.js';
import { newId, nowIso } from '../store.js';
import type { InvoicingDeps } from './index.js';
import { invoiceNumber, type InvoiceDocument, type InvoiceRow } from './invoice-rows.js';
import { periodLines, totals, wireLine, type PricedPlan } from './pricing.js';
import type { UsageSamples } from './usage.js';

/** The customer an invoice bills, as it is when the invoice is issued (the invoice keeps these). */
export type BilledCustomer = Pick<CustomerRow, 'id' | 'name' | 'reseller_id'>;
/** The plan an invoice is priced on. */
export interface BillingPlan {
  readonly id: string;
  readonly priced: PricedPlan;
}
/** What a customer's invoice configuration puts on each invoice. */
export interface BillingTerms {
  readonly taxHundredths: number;
  readonly billTo: string;
  readonly notes: string;
}

type Head = Pick<InvoiceDocument, 'id' | 'number' | 'issuedAt' | 'seller'>;

/**
 * Writes invoices and credit notes: the next number of the one sequence both share, the row, the audit
 * entry. Call inside `store.write`, which makes the number, the row and the entry one commit: a refusal or
 * a crash leaves no number taken, and requests never interleave inside it, so numbers never repeat or skip.
 */
export class InvoiceIssuer {
  constructor(
    private readonly deps: InvoicingDeps,
    private readonly usage: UsageSamples,
  ) {}

  /** An invoice of the period, from the usage it bills (UsageSamples.days) through the plan's prices. */
  invoice(actor: Principal, customer: BilledCustomer, plan: BillingPlan, terms: BillingTerms, period: InvoicePeriod): Invoice {
    const { currency } = plan.priced;
    const lines = periodLines(plan.priced, this.usage.days(customer.id, period.periodStart, period.periodEnd));
    const sums = totals(lines.map((l) => l.amount), terms.taxHundredths);
    const money = (minor: bigint) => formatMoney(minor, currency);
    return this.record(actor, { resellerId: customer.reseller_id, planId: plan.id, totalMinor: sums.total }, (head) => ({
      ...head,
      kind: 'invoice',
      creditFor: null,
      customerId: customer.id,
      customerName: customer.name,
      ...period,
      currency,
      billTo: terms.billTo,
      notes: terms.notes,
      taxPercent: terms.taxHundredths / 100,
      lines: lines.map((l) => wireLine(l, currency)),
      subtotal: money(sums.subtotal),
      tax: money(sums.tax),
      total: money(sums.total),
    }));
  }

  /** A credit note of `original`: its lines and terms, every amount negated (quantities and unit prices as they were). */
  creditNote(actor: Principal, original: InvoiceRow): Invoice {
    const was = JSON.parse(original.document) as InvoiceDocument;
    const negated = (amount: string) => formatMoney(-parseMoney(amount, was.currency)!, was.currency);
    return this.record(actor, { resellerId: original.reseller_id, planId: original.plan_id, totalMinor: -BigInt(original.total_minor) }, (head) => ({
      ...was,
      ...head,
      kind: 'credit-note',
      creditFor: was.id,
      lines: was.lines.map((l) => ({ ...l, amount: negated(l.amount) })),
      subtotal: negated(was.subtotal),
      tax: negated(was.tax),
      total: negated(was.total),
    }));
  }

  private record(actor: Principal, meta: { resellerId: string; planId: string | null; totalMinor: bigint }, make: (head: Head) => InvoiceDocument): Invoice {
    const { store, settings, audit } = this.deps;
    const seq = store.get<{ next: number }>('SELECT coalesce(max(seq), 0) + 1 AS next FROM invoices')!.next;
    const document = make({ id: newId('inv'), number: invoiceNumber(seq), issuedAt: nowIso(), seller: settings.get('name') });
    store.run(
      `INSERT INTO invoices (id, seq, number, kind, credit_for, status, customer_id, customer_name, reseller_id, plan_id, period_start, period_end, issued_at, currency, total_minor, document)
       VALUES (?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      document.id,
      seq,
      document.number,
      document.kind,
      document.creditFor,
      document.customerId,
      document.customerName,
      meta.resellerId,
      meta.planId,
      document.periodStart,
      document.periodEnd,
      document.issuedAt,
      document.currency,
      meta.totalMinor,
      JSON.stringify(document),
    );
    const { id, number, kind, creditFor, customerId, customerName, periodStart, periodEnd, currency, total } = document;
    audit.record(actor, {
      action: kind === 'invoice' ? 'invoice.issue' : 'invoice.credit-note',
      objectType: 'invoice',
      objectId: id,
      objectName: number,
      resellerId: meta.resellerId,
      after: { number, kind, creditFor, customerId, customerName, periodStart, periodEnd, currency, total, status: 'issued' },
    });
    return { ...document, status: 'issued' };
  }
}
