import { IdParams } from '../../src-shared/api/common.js';
import { InvoicePlan, InvoicePlanInput, InvoicePlanList, Quote, QuoteInput } from '../../src-shared/api/invoicing.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

/** Invoice plans (API.md, Invoicing): admins and resellers read and quote them, only the administrator changes them. */
export const invoicePlanRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('invoicing', 'session');
  const plans = s.invoicing.plans;
  api.get(
    '/invoice-plans',
    {
      schema: doc.get({
        operationId: 'listInvoicePlans',
        description: 'Every invoice plan, by name: its currency, price per MCAL and storage slabs (prices per calendar month), whether it is the default and whether invoices were issued on it.',
        response: ok(InvoicePlanList),
      }),
    },
    async () => plans.list(),
  );
  api.get(
    '/invoice-plans/:id',
    { schema: doc.get({ operationId: 'getInvoicePlan', description: 'One invoice plan: its prices, whether it is the default and whether invoices were issued on it.', params: IdParams, response: ok(InvoicePlan) }) },
    async (req) => plans.get(req.params.id),
  );
  api.post(
    '/invoice-plans',
    {
      schema: doc.post({
        operationId: 'createInvoicePlan',
        description:
          'Creates a plan (administrator). Storage slabs ascend strictly by upToGb (GB = 2^30 bytes) and only the last is unbounded (null); prices carry at most the currency\'s minor digits (400 naming the field, e.g. storage.slabs[2].price). Names are unique case-insensitively (409 NAME_TAKEN). isDefault: true clears it on every other plan.',
        body: InvoicePlanInput,
        response: created(InvoicePlan),
        refuses: [403, 409],
      }),
    },
    async (req, reply) => reply.code(201).send(plans.create(req.principal, req.body)),
  );
  api.put(
    '/invoice-plans/:id',
    {
      schema: doc.put({
        operationId: 'updateInvoicePlan',
        description:
          'Replaces a plan (administrator), with the rules of createInvoicePlan; isDefault omitted keeps the flag. A plan invoices were issued on changes only its name and isDefault; every other change is a 409 naming the first changed field (copy the plan instead). Unsetting the default that customers with invoicing enabled bill on is a 409.',
        params: IdParams,
        body: InvoicePlanInput,
        response: ok(InvoicePlan),
        refuses: [403, 409],
      }),
    },
    async (req) => plans.update(req.principal, req.params.id, req.body),
  );
  api.delete(
    '/invoice-plans/:id',
    {
      schema: doc.delete({
        operationId: 'deleteInvoicePlan',
        description: "Deletes a plan (administrator). A plan with issued invoices, one customers' invoice configurations name (they must pick another plan first), or the default while customers bill on it is a 409.",
        params: IdParams,
        response: noContent,
        refuses: [403, 409],
      }),
    },
    async (req, reply) => {
      plans.remove(req.principal, req.params.id);
      return reply.code(204).send();
    },
  );
  api.post(
    '/invoice-plans/:id/quote',
    {
      schema: doc.post({
        operationId: 'quoteInvoicePlan',
        description: 'What one full calendar month at this usage costs on the plan, without tax: an MCAL line and a storage line, each rounded half-even once, and their subtotal.',
        params: IdParams,
        body: QuoteInput,
        response: ok(Quote),
      }),
    },
    async (req) => plans.quote(req.params.id, req.body),
  );
};
