import { Type } from 'typebox';
import { Id, IdParams } from '../../src-shared/api/common.js';
import { CUSTOMER_LIST, Customer, CustomerCreate, CustomerList, CustomerPatch, DeletionPreview } from '../../src-shared/api/customers.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

const ResellerParams = Type.Object({ rid: Id }, { additionalProperties: false });

export const customerRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('customers', 'session');
  api.get(
    '/resellers/:rid/customers',
    {
      schema: doc.get({
        operationId: 'listCustomers',
        description: "A reseller's customers, sortable by every scalar field; `q` searches the name.",
        params: ResellerParams,
        querystring: CUSTOMER_LIST.query,
        response: ok(CustomerList),
      }),
    },
    async (req) => s.customers.list(req.principal, req.params.rid, req.query),
  );
  api.post(
    '/resellers/:rid/customers',
    {
      schema: doc.post({
        operationId: 'createCustomer',
        description: 'Creates a customer of the reseller. Names are unique case-insensitively across all resellers (409 NAME_TAKEN); an MCAL allotment the pool cannot reserve is a 409.',
        params: ResellerParams,
        body: CustomerCreate,
        response: created(Customer),
        refuses: [409],
      }),
    },
    async (req, reply) => reply.code(201).send(s.customers.create(req.principal, req.params.rid, req.body)),
  );
  api.get(
    '/customers/:id',
    { schema: doc.get({ operationId: 'getCustomer', description: 'One customer with its MCAL and space allotments and usage.', params: IdParams, response: ok(Customer) }) },
    async (req) => s.customers.get(req.principal, req.params.id),
  );
  api.patch(
    '/customers/:id',
    {
      schema: doc.patch({
        operationId: 'updateCustomer',
        description: 'Changes any field of the create body, including autoAuthorization and active; an allotment below what is in use, or one the pool cannot reserve, is a 409 naming the field.',
        params: IdParams,
        body: CustomerPatch,
        response: ok(Customer),
        refuses: [409],
      }),
    },
    async (req) => s.customers.update(req.principal, req.params.id, req.body),
  );
  api.get(
    '/customers/:id/deletion-preview',
    {
      schema: doc.get({
        operationId: 'getCustomerDeletionPreview',
        description: 'What deleting the customer would delete: its clients, their schedules and the bytes of backup data.',
        params: IdParams,
        response: ok(DeletionPreview),
      }),
    },
    async (req) => s.customers.deletionPreview(req.principal, req.params.id),
  );
  api.delete(
    '/customers/:id',
    {
      schema: doc.delete({
        operationId: 'deleteCustomer',
        description: 'Deletes the customer with its clients and backup data, frees their MCALs and space, and records each deleted client and backup in the deleted report. A customer with a backup running is a 409.',
        params: IdParams,
        response: noContent,
        refuses: [409],
      }),
    },
    async (req, reply) => {
      s.customers.delete(req.principal, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
