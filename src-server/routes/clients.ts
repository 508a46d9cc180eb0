import { Client, ClientCreate, ClientCreated, ClientList, ClientMigrate, ClientPatch } from '../../src-shared/api/clients.js';
import { IdParams, ListQuery } from '../../src-shared/api/common.js';
import { requireSession } from './guards.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

/** Clients of a customer, trial clients (which have none), and what a technician does to one. */
export const clientRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/customers/:id/clients', { schema: { tags: ['clients'], params: IdParams, querystring: ListQuery, response: ok(ClientList) } }, async (req) =>
    s.clients.list(req.principal, req.params.id, req.query),
  );
  api.post('/customers/:id/clients', { schema: { tags: ['clients'], params: IdParams, body: ClientCreate, response: created(ClientCreated) } }, async (req, reply) =>
    reply.code(201).send(s.clients.create(req.principal, req.params.id, req.body)),
  );
  api.get('/trial-clients', { schema: { tags: ['clients'], querystring: ListQuery, response: ok(ClientList) } }, async (req) => s.clients.listTrial(req.principal, req.query));
  api.get('/clients/:id', { schema: { tags: ['clients'], params: IdParams, response: ok(Client) } }, async (req) => s.clients.get(req.principal, req.params.id));
  api.patch('/clients/:id', { schema: { tags: ['clients'], params: IdParams, body: ClientPatch, response: ok(Client) } }, async (req) =>
    s.clients.update(req.principal, req.params.id, req.body),
  );
  api.delete('/clients/:id', { schema: { tags: ['clients'], params: IdParams, response: noContent } }, async (req, reply) => {
    s.clients.delete(req.principal, req.params.id);
    return reply.code(204).send(null);
  });
  api.post('/clients/:id/authorize', { schema: { tags: ['clients'], params: IdParams, response: ok(Client) } }, async (req) => s.clients.authorize(req.principal, req.params.id));
  api.post('/clients/:id/migrate', { schema: { tags: ['clients'], params: IdParams, body: ClientMigrate, response: ok(Client) } }, async (req) =>
    s.clients.migrate(req.principal, req.params.id, req.body.customerId),
  );
};
