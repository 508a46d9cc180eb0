import { IdParams } from '../../src-shared/api/common.js';
import { InvoiceConfig, InvoiceConfigInput, UsageList, UsageQuery } from '../../src-shared/api/invoicing.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

/** A customer's invoice configuration and daily usage (API.md, Invoicing): its administrator or reseller. */
export const invoiceConfigRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('invoicing', 'session');
  const { configs, usage } = s.invoicing;
  api.get(
    '/customers/:id/invoice-config',
    {
      schema: doc.get({
        operationId: 'getInvoiceConfig',
        description: "The customer's invoice configuration; one never saved reads as disabled, monthly on day 1, no tax, the default plan.",
        params: IdParams,
        response: ok(InvoiceConfig),
      }),
    },
    async (req) => configs.get(req.principal, req.params.id),
  );
  api.put(
    '/customers/:id/invoice-config',
    {
      schema: doc.put({
        operationId: 'updateInvoiceConfig',
        description:
          'Replaces the configuration (billTo and notes may be omitted: empty). taxPercent has at most 2 decimals; billingDay is 1–7 (ISO weekday) for weekly, 1–28 otherwise; planId names an existing plan, or null for the default plan, which must then exist when enabled (400 naming the field). Enabling sets enabledSince to today. A replica customer is a 409.',
        params: IdParams,
        body: InvoiceConfigInput,
        response: ok(InvoiceConfig),
        refuses: [409],
      }),
    },
    async (req) => configs.put(req.principal, req.params.id, req.body),
  );
  api.get(
    '/customers/:id/usage',
    {
      schema: doc.get({
        operationId: 'getCustomerUsage',
        description:
          'The used space and MCALs in use of every UTC day from `from` to `to` (by default the 30 days through today, at most 731 days): the end-of-day sample, or for a day without one the linear interpolation between its neighbours rounded half-even (0 before the first sample, the last after it), exactly what invoices bill from.',
        params: IdParams,
        querystring: UsageQuery,
        response: ok(UsageList),
      }),
    },
    async (req) => usage.get(req.principal, req.params.id, req.query),
  );
};
