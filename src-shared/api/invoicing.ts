import { Type, type Static } from 'typebox';
import { Bytes, Count, Id, ListOf, Name, Nullable, Timestamp } from './common.js';
import { folded, listSpec, plain } from './list-spec.js';

/**
 * Invoicing (API.md): reusable plans that price MCALs and storage, each customer's invoice configuration,
 * the daily usage samples invoices bill from, and the invoices and credit notes themselves. Money travels
 * as decimal strings (`src-shared/money.ts`): responses carry exactly the currency's minor digits, requests
 * may carry fewer, never more (the currency decides, so that check is the server's, naming the field).
 */

/** A UTC day (API.md: every day-based rule is UTC). */
export const Day = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
export type Day = Static<typeof Day>;

/** An ISO 4217 code the server knows the minor digits of. */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
/** An amount as a response carries it: the currency's minor digits exactly; negative on a credit note. */
export const Money = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' });
/** A price as a request carries it: not negative, at most 9 whole digits and the currency's minor digits or fewer. */
export const Price = Type.String({ minLength: 1, maxLength: 14, pattern: '^\\d{1,9}(\\.\\d{1,4})?$' });

export const StorageMethod = Type.Union([Type.Literal('uniform'), Type.Literal('per-slab'), Type.Literal('sliding')]);
export type StorageMethod = Static<typeof StorageMethod>;

/** The most slabs a plan prices storage in. */
export const MAX_SLABS = 20;
/** A slab's upper bound in GB (2^30 bytes), whole GB; the last slab is unbounded (`null`). */
export const SlabBound = Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000 }));

const slabs = <P extends typeof Money | typeof Price>(price: P) =>
  Type.Array(Type.Object({ upToGb: SlabBound, price }, { additionalProperties: false }), { minItems: 1, maxItems: MAX_SLABS });

export const InvoicePlanStorage = Type.Object({ method: StorageMethod, slabs: slabs(Money) });
export const InvoicePlan = Type.Object({
  id: Id,
  name: Type.String(),
  currency: Currency,
  /** Per MCAL per calendar month. */
  pricePerMcal: Money,
  isDefault: Type.Boolean(),
  storage: InvoicePlanStorage,
  /** Invoices were issued on it: only `name` and `isDefault` can change, and it cannot be deleted (copy it instead). */
  hasInvoices: Type.Boolean(),
});
export type InvoicePlan = Static<typeof InvoicePlan>;
export const InvoicePlanList = ListOf(InvoicePlan);
export type InvoicePlanList = Static<typeof InvoicePlanList>;

/** POST /invoice-plans and PUT /invoice-plans/:id: the whole plan. */
export const InvoicePlanInput = Type.Object(
  {
    name: Name,
    currency: Currency,
    pricePerMcal: Price,
    isDefault: Type.Optional(Type.Boolean()),
    storage: Type.Object({ method: StorageMethod, slabs: slabs(Price) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type InvoicePlanInput = Static<typeof InvoicePlanInput>;

export const QuoteInput = Type.Object({ mcals: Count, storageBytes: Bytes }, { additionalProperties: false });
export type QuoteInput = Static<typeof QuoteInput>;

/** One line of an invoice or a quote: `quantity` a decimal with 4 places, `amount` rounded once, half-even. */
export const InvoiceLine = Type.Object({
  description: Type.String(),
  quantity: Type.String({ pattern: '^-?\\d+\\.\\d{4}$' }),
  unitPrice: Money,
  amount: Money,
});
export type InvoiceLine = Static<typeof InvoiceLine>;

/** POST /invoice-plans/:id/quote: one full month at the given usage, no tax. */
export const Quote = Type.Object({ currency: Currency, lines: Type.Array(InvoiceLine), subtotal: Money });
export type Quote = Static<typeof Quote>;

export const InvoiceCycle = Type.Union([Type.Literal('weekly'), Type.Literal('monthly'), Type.Literal('quarterly')]);
export type InvoiceCycle = Static<typeof InvoiceCycle>;

/** Multi-line text printed on an invoice (an address, a note): tabs and line breaks allowed, no other control characters. */
const PrintedText = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$' });

const CONFIG_FIELDS = {
  enabled: Type.Boolean(),
  /** `null`: the server's default plan at the time each invoice is generated. */
  planId: Nullable(Id),
  /** 0–100 with at most 2 decimals. */
  taxPercent: Type.Number({ minimum: 0, maximum: 100 }),
  cycle: InvoiceCycle,
  /** 1–7 (ISO weekday) for weekly, 1–28 otherwise (quarterly: in January, April, July, October). */
  billingDay: Type.Integer({ minimum: 1, maximum: 28 }),
};
export const InvoiceConfig = Type.Object({
  ...CONFIG_FIELDS,
  billTo: Type.String(),
  notes: Type.String(),
  /** The day invoicing was last enabled: no cycle bills a day before it. */
  enabledSince: Nullable(Day),
});
export type InvoiceConfig = Static<typeof InvoiceConfig>;

/** PUT /customers/:id/invoice-config: the whole configuration; `billTo` and `notes` may be omitted (empty). */
export const InvoiceConfigInput = Type.Object(
  { ...CONFIG_FIELDS, billTo: Type.Optional(PrintedText(2000)), notes: Type.Optional(PrintedText(4000)) },
  { additionalProperties: false },
);
export type InvoiceConfigInput = Static<typeof InvoiceConfigInput>;

/** One customer's usage on one UTC day: a sample taken at the end of the day, or interpolated between samples. */
export const UsageDay = Type.Object({ day: Day, spaceUsed: Bytes, mcalsUsed: Count });
export type UsageDay = Static<typeof UsageDay>;
export const UsageList = ListOf(UsageDay);
export type UsageList = Static<typeof UsageList>;
/** The most days one usage request covers. */
export const MAX_USAGE_DAYS = 731;
/** GET /customers/:id/usage: by default the 30 days through today. */
export const UsageQuery = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false });
export type UsageQuery = Static<typeof UsageQuery>;

export const InvoiceKind = Type.Union([Type.Literal('invoice'), Type.Literal('credit-note')]);
export type InvoiceKind = Static<typeof InvoiceKind>;
export const InvoiceStatus = Type.Union([Type.Literal('issued'), Type.Literal('paid'), Type.Literal('void')]);
export type InvoiceStatus = Static<typeof InvoiceStatus>;

const SUMMARY_FIELDS = {
  id: Id,
  /** Unique per server, from one sequence shared with credit notes, ending in its sequence number (`INV-000042`). */
  number: Type.String(),
  kind: InvoiceKind,
  creditFor: Nullable(Id),
  status: InvoiceStatus,
  customerId: Id,
  customerName: Type.String(),
  periodStart: Day,
  periodEnd: Day,
  issuedAt: Timestamp,
  currency: Currency,
  total: Money,
};
/** An invoice as the Invoice Report lists it. */
export const InvoiceSummary = Type.Object(SUMMARY_FIELDS);
export type InvoiceSummary = Static<typeof InvoiceSummary>;
export const InvoiceSummaryList = ListOf(InvoiceSummary);
export type InvoiceSummaryList = Static<typeof InvoiceSummaryList>;
/** GET /invoices and GET /customers/:id/invoices: the newest first by default. */
export const INVOICE_LIST = listSpec(InvoiceSummaryList, {
  sortable: { number: plain, kind: plain, status: plain, customerName: folded, periodStart: plain, periodEnd: plain, issuedAt: plain, total: plain },
  search: ['number', 'customerName'],
  defaultSort: '-number',
});
/** The Invoice Report's filters besides paging: the status, and the issue day from/to (inclusive). */
export const InvoiceListQuery = Type.Object(
  { ...INVOICE_LIST.query.properties, status: Type.Optional(InvoiceStatus), from: Type.Optional(Day), to: Type.Optional(Day) },
  { additionalProperties: false },
);
export type InvoiceListQuery = Static<typeof InvoiceListQuery>;

/** GET /invoices/:id: an issued invoice or credit note, immutable except its status. */
export const Invoice = Type.Object({
  ...SUMMARY_FIELDS,
  /** Who bills: the server's name when it was issued. */
  seller: Type.String(),
  billTo: Type.String(),
  notes: Type.String(),
  taxPercent: Type.Number(),
  lines: Type.Array(InvoiceLine),
  subtotal: Money,
  tax: Money,
});
export type Invoice = Static<typeof Invoice>;

/** POST /customers/:id/invoices: a period of whole UTC days, ending before today, at most 366 days. */
export const InvoicePeriod = Type.Object({ periodStart: Day, periodEnd: Day }, { additionalProperties: false });
export type InvoicePeriod = Static<typeof InvoicePeriod>;
export const MAX_INVOICE_DAYS = 366;

/** PATCH /invoices/:id: only `issued` → `paid`. */
export const InvoiceStatusInput = Type.Object({ status: Type.Literal('paid') }, { additionalProperties: false });
export type InvoiceStatusInput = Static<typeof InvoiceStatusInput>;
