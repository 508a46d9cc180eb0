/**
 * Invoicing (API.md): the server's invoice plans and their quotes, each customer's invoice configuration
 * and usage, and the invoices and credit notes. Lists and configurations are cached for offline reading;
 * changes, quotes and an invoice's detail (its status is what a technician acts on) are live.
 */
import { Type } from 'typebox';
import { Bytes, Count, Id } from '../api/common.js';
import {
  Day,
  Invoice,
  InvoiceConfig,
  InvoiceConfigInput,
  InvoiceListQuery,
  InvoicePlan,
  InvoicePlanInput,
  InvoicePlanList,
  InvoiceSummaryList,
  Quote,
  UsageList,
} from '../api/invoicing.js';
import { Arg, ById, CachedOf, Done, ServerArg, type RequestSpecs } from './request.js';

const ByCustomer = Arg({ serverId: Id, customerId: Id });

/** A PDF carried over the JSON bridge (both hosts): its bytes base64, and the file name the server suggests. */
export const InvoicePdf = Type.Object({ filename: Type.String(), base64: Type.String() });

export const invoicingRequests = {
  'invoicing.plans': { arg: ServerArg, result: CachedOf(InvoicePlanList) },
  'invoicing.plan.create': { arg: Arg({ serverId: Id, plan: InvoicePlanInput }), result: InvoicePlan },
  /** A plan with invoices only takes a new `name`/`isDefault` (409 otherwise: copy it instead). */
  'invoicing.plan.update': { arg: Arg({ serverId: Id, id: Id, plan: InvoicePlanInput }), result: InvoicePlan },
  'invoicing.plan.delete': { arg: ById, result: Done },
  /** One full month of plan `id` at this usage, no tax: the Invoice Configuration page's live example. */
  'invoicing.quote': { arg: Arg({ serverId: Id, id: Id, mcals: Count, storageBytes: Bytes }), result: Quote },
  'invoicing.config.get': { arg: ByCustomer, result: CachedOf(InvoiceConfig) },
  'invoicing.config.set': { arg: Arg({ serverId: Id, customerId: Id, config: InvoiceConfigInput }), result: InvoiceConfig },
  /** Days without `from`/`to`: the 30 days through today. */
  'invoicing.usage': { arg: Arg({ serverId: Id, customerId: Id, from: Type.Optional(Day), to: Type.Optional(Day) }), result: CachedOf(UsageList) },
  /** The Invoice Report: one customer's invoices, or every customer's the user may see (`customerId` left out). */
  'invoicing.invoices': { arg: Arg({ serverId: Id, customerId: Type.Optional(Id), query: InvoiceListQuery }), result: CachedOf(InvoiceSummaryList) },
  'invoicing.generate': { arg: Arg({ serverId: Id, customerId: Id, periodStart: Day, periodEnd: Day }), result: Invoice },
  'invoicing.invoice': { arg: ById, result: Invoice },
  'invoicing.markPaid': { arg: ById, result: Invoice },
  /** Voids invoice `id`; the result is the credit note. */
  'invoicing.creditNote': { arg: ById, result: Invoice },
  'invoicing.pdf': { arg: ById, result: InvoicePdf },
} satisfies RequestSpecs;
