import { IdParams, ListQuery } from '../../src-shared/api/common.js';
import { Reseller, ResellerCreate, ResellerList, ResellerPatch } from '../../src-shared/api/resellers.js';
import { requireSession } from './guards.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

export const resellerRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/resellers', { schema: { tags: ['resellers'], querystring: ListQuery, response: ok(ResellerList) } }, async (req) => s.resellers.list(req.principal, req.query));
  api.post('/resellers', { schema: { tags: ['resellers'], body: ResellerCreate, response: created(Reseller) } }, async (req, reply) =>
    reply.code(201).send(await s.resellers.create(req.principal, req.body)),
  );
  api.get('/resellers/:id', { schema: { tags: ['resellers'], params: IdParams, response: ok(Reseller) } }, async (req) => s.resellers.get(req.principal, req.params.id));
  api.patch('/resellers/:id', { schema: { tags: ['resellers'], params: IdParams, body: ResellerPatch, response: ok(Reseller) } }, async (req) =>
    s.resellers.update(req.principal, req.params.id, req.body),
  );
  api.delete('/resellers/:id', { schema: { tags: ['resellers'], params: IdParams, response: noContent } }, async (req, reply) => {
    s.resellers.delete(req.principal, req.params.id);
    return reply.code(204).send(null);
  });
};
