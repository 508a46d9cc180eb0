import { Invoice, InvoiceConfig, InvoicePlan, Quote, type InvoiceListQuery } from '../../../src-shared/api/invoicing.js';
import type { invoicingRequests } from '../../../src-shared/bridge/invoicing.js';
import type { ConsoleState } from '../console-state.js';
import { queryString } from '../server-client.js';
import { InvoicePlanList, InvoiceSummaryList, NoContent, UsageList } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

/**
 * Invoicing (API.md): plans, customers' invoice configurations and usage, invoices. Lists and
 * configurations are read through the offline cache like every other view; changes, quotes, an invoice's
 * detail and its PDF are live.
 */
export const invoicingHandlers = ({ servers }: ConsoleState) =>
  ({
    'invoicing.plans': ({ serverId }) => servers.get(serverId).read('/invoice-plans', undefined, InvoicePlanList),
    'invoicing.plan.create': ({ serverId, plan }) => servers.get(serverId).write('POST', '/invoice-plans', plan, InvoicePlan),
    'invoicing.plan.update': ({ serverId, id, plan }) => servers.get(serverId).write('PUT', apiPath`/invoice-plans/${id}`, plan, InvoicePlan),
    'invoicing.plan.delete': ({ serverId, id }) => servers.get(serverId).write('DELETE', apiPath`/invoice-plans/${id}`, undefined, NoContent),
    'invoicing.quote': ({ serverId, id, mcals, storageBytes }) =>
      servers.get(serverId).write('POST', apiPath`/invoice-plans/${id}/quote`, { mcals, storageBytes }, Quote),
    'invoicing.config.get': ({ serverId, customerId }) => servers.get(serverId).read(apiPath`/customers/${customerId}/invoice-config`, undefined, InvoiceConfig),
    'invoicing.config.set': ({ serverId, customerId, config }) =>
      servers.get(serverId).write('PUT', apiPath`/customers/${customerId}/invoice-config`, config, InvoiceConfig),
    // The days are part of the path, so each range is its own cached answer (they are no list query).
    'invoicing.usage': ({ serverId, customerId, from, to }) =>
      servers.get(serverId).read(apiPath`/customers/${customerId}/usage` + queryString({ from, to }), undefined, UsageList),
    'invoicing.invoices': ({ serverId, customerId, query }) =>
      servers.get(serverId).read(customerId === undefined ? '/invoices' : apiPath`/customers/${customerId}/invoices`, query, InvoiceSummaryList, listOptions(query)),
    'invoicing.generate': ({ serverId, customerId, periodStart, periodEnd }) =>
      servers.get(serverId).write('POST', apiPath`/customers/${customerId}/invoices`, { periodStart, periodEnd }, Invoice),
    'invoicing.invoice': ({ serverId, id }) => servers.get(serverId).get(apiPath`/invoices/${id}`, Invoice),
    'invoicing.markPaid': ({ serverId, id }) => servers.get(serverId).write('PATCH', apiPath`/invoices/${id}`, { status: 'paid' }, Invoice),
    'invoicing.creditNote': ({ serverId, id }) => servers.get(serverId).write('POST', apiPath`/invoices/${id}/credit-note`, undefined, Invoice),
    'invoicing.pdf': async ({ serverId, id }) => {
      const { bytes, filename } = await servers.get(serverId).download(apiPath`/invoices/${id}/pdf`);
      return { filename: filename ?? `invoice-${id}.pdf`, base64: bytes.toString('base64') };
    },
  }) satisfies Handlers<typeof invoicingRequests>;

/**
 * The offline cache answers any paging, sorting and `q` of a whole cached list (list-query.ts), but knows
 * nothing of the status and issue-day filters: a filtered answer is cached only for its exact query, never
 * as the whole list.
 */
function listOptions(query: InvoiceListQuery) {
  const filtered = query.status !== undefined || query.from !== undefined || query.to !== undefined;
  return filtered ? {} : { kind: 'invoices' as const };
}
