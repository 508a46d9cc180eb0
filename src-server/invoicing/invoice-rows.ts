import { INVOICE_LIST, type Invoice, type InvoiceKind, type InvoiceStatus, type InvoiceSummary } from '../../src-shared/api/invoicing.js';
import { formatMoney } from '../../src-shared/money.js';
import { listSource } from '../store.js';

/** An `invoices` row (migration 7): the list's columns, and `document`, the issued invoice minus its status. */
export interface InvoiceRow {
  id: string;
  seq: number;
  number: string;
  kind: InvoiceKind;
  credit_for: string | null;
  status: InvoiceStatus;
  customer_id: string;
  customer_name: string;
  reseller_id: string;
  plan_id: string | null;
  period_start: string;
  period_end: string;
  issued_at: string;
  currency: string;
  total_minor: number;
  document: string;
}

/** What `document` holds: everything GET /invoices/:id answers but the status, which alone changes. */
export type InvoiceDocument = Omit<Invoice, 'status'>;

/** Rows without `document`, which a list never needs. */
const SUMMARY_COLUMNS =
  'id, seq, number, kind, credit_for, status, customer_id, customer_name, reseller_id, plan_id, period_start, period_end, issued_at, currency, total_minor';

export const INVOICE_ROWS = listSource(INVOICE_LIST, {
  select: SUMMARY_COLUMNS,
  from: 'invoices',
  sort: {
    number: 'seq',
    kind: 'kind',
    status: 'status',
    customerName: 'lower(customer_name)',
    periodStart: 'period_start',
    periodEnd: 'period_end',
    issuedAt: 'issued_at',
    total: 'total_minor',
  },
  search: { number: 'lower(number)', customerName: 'lower(customer_name)' },
  tieBreak: 'seq',
});

/** `INV-` and the sequence number, 6 digits at least (API.md: the number ends in its sequence number). */
export const invoiceNumber = (seq: number) => `INV-${String(seq).padStart(6, '0')}`;

export const toSummary = (r: Omit<InvoiceRow, 'document'>): InvoiceSummary => ({
  id: r.id,
  number: r.number,
  kind: r.kind,
  creditFor: r.credit_for,
  status: r.status,
  customerId: r.customer_id,
  customerName: r.customer_name,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  issuedAt: r.issued_at,
  currency: r.currency,
  total: formatMoney(BigInt(r.total_minor), r.currency),
});

export const toInvoice = (r: InvoiceRow): Invoice => ({ ...(JSON.parse(r.document) as InvoiceDocument), status: r.status });
