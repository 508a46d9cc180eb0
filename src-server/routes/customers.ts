import { Type } from 'typebox';
import { Id, IdParams, ListQuery } from '../../src-shared/api/common.js';
import { Customer, CustomerCreate, CustomerList, CustomerPatch, DeletionPreview } from '../../src-shared/api/customers.js';
import { requireSession } from './guards.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

const ResellerParams = Type.Object({ rid: Id }, { additionalProperties: false });

export const customerRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/resellers/:rid/customers', { schema: { tags: ['customers'], params: ResellerParams, querystring: ListQuery, response: ok(CustomerList) } }, async (req) =>
    s.customers.list(req.principal, req.params.rid, req.query),
  );
  api.post('/resellers/:rid/customers', { schema: { tags: ['customers'], params: ResellerParams, body: CustomerCreate, response: created(Customer) } }, async (req, reply) =>
    reply.code(201).send(s.customers.create(req.principal, req.params.rid, req.body)),
  );
  api.get('/customers/:id', { schema: { tags: ['customers'], params: IdParams, response: ok(Customer) } }, async (req) => s.customers.get(req.principal, req.params.id));
  api.patch('/customers/:id', { schema: { tags: ['customers'], params: IdParams, body: CustomerPatch, response: ok(Customer) } }, async (req) =>
    s.customers.update(req.principal, req.params.id, req.body),
  );
  api.get('/customers/:id/deletion-preview', { schema: { tags: ['customers'], params: IdParams, response: ok(DeletionPreview) } }, async (req) =>
    s.customers.deletionPreview(req.principal, req.params.id),
  );
  api.delete('/customers/:id', { schema: { tags: ['customers'], params: IdParams, response: noContent } }, async (req, reply) => {
    s.customers.delete(req.principal, req.params.id);
    return reply.code(204).send(null);
  });
};
