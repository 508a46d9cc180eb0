import { IdParams } from '../../src-shared/api/common.js';
import { Invoice, InvoiceListQuery, InvoicePeriod, InvoiceStatusInput, InvoiceSummaryList } from '../../src-shared/api/invoicing.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { created, ok, type RoutePlugin } from './reply.js';

const LIST_QUERY =
  'Filters by `status` and by the issue day (`from`/`to`, inclusive UTC days); `q` searches the number and the customer name; the newest first by default.';

/** Invoices and credit notes (API.md, Invoicing): an administrator sees every one, a reseller those of its own customers. */
export const invoiceRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('invoicing', 'session');
  const { invoices } = s.invoicing;
  api.get(
    '/customers/:id/invoices',
    {
      schema: doc.get({
        operationId: 'listCustomerInvoices',
        description: `The customer's invoices and credit notes (the Invoice Report), still listed after the customer was deleted. ${LIST_QUERY}`,
        params: IdParams,
        querystring: InvoiceListQuery,
        response: ok(InvoiceSummaryList),
      }),
    },
    async (req) => invoices.list(req.principal, req.params.id, req.query),
  );
  api.post(
    '/customers/:id/invoices',
    {
      schema: doc.post({
        operationId: 'generateInvoice',
        description:
          "Issues an invoice of the period now, with the next number, from the customer's daily usage and its configuration's plan and tax. periodStart after periodEnd, periodEnd today or later, or more than 366 days is a 400 naming the field; invoicing disabled, no plan, or a period overlapping an issued or paid invoice of the customer is a 409.",
        params: IdParams,
        body: InvoicePeriod,
        response: created(Invoice),
        refuses: [409],
      }),
    },
    async (req, reply) => reply.code(201).send(invoices.generate(req.principal, req.params.id, req.body)),
  );
  api.get(
    '/invoices',
    {
      schema: doc.get({
        operationId: 'listInvoices',
        description: `Every invoice and credit note the caller may see, across customers. ${LIST_QUERY}`,
        querystring: InvoiceListQuery,
        response: ok(InvoiceSummaryList),
      }),
    },
    async (req) => invoices.list(req.principal, null, req.query),
  );
  api.get(
    '/invoices/:id',
    {
      schema: doc.get({
        operationId: 'getInvoice',
        description: 'One invoice or credit note as issued, with its lines and totals: only its status ever changes.',
        params: IdParams,
        response: ok(Invoice),
      }),
    },
    async (req) => invoices.get(req.principal, req.params.id),
  );
  api.get(
    '/invoices/:id/pdf',
    {
      schema: doc.get({
        operationId: 'getInvoicePdf',
        description: 'The invoice or credit note as a PDF document, as an attachment named after its number (INV-000042.pdf).',
        params: IdParams,
        response: { 200: { description: 'The PDF document.', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } } },
      }),
    },
    async (req, reply) => {
      const { fileName, pdf } = await invoices.pdf(req.principal, req.params.id);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).send(pdf);
    },
  );
  api.patch(
    '/invoices/:id',
    {
      schema: doc.patch({
        operationId: 'updateInvoiceStatus',
        description: 'Marks an issued invoice or credit note paid; any other status is a 409 (void comes only with a credit note).',
        params: IdParams,
        body: InvoiceStatusInput,
        response: ok(Invoice),
        refuses: [409],
      }),
    },
    async (req) => invoices.markPaid(req.principal, req.params.id),
  );
  api.post(
    '/invoices/:id/credit-note',
    {
      schema: doc.post({
        operationId: 'issueCreditNote',
        description:
          'Issues a credit note of an issued or paid invoice with the next number: its lines, every amount negated, the same period, creditFor the invoice, which becomes void (its period may then be invoiced again). A credit note of a void invoice or of a credit note is a 409.',
        params: IdParams,
        response: created(Invoice),
        refuses: [409],
      }),
    },
    async (req, reply) => reply.code(201).send(invoices.creditNote(req.principal, req.params.id)),
  );
};
