import { IdParams } from '../../src-shared/api/common.js';
import { RESELLER_LIST, Reseller, ResellerCreate, ResellerList, ResellerPatch } from '../../src-shared/api/resellers.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

/** Resellers, for the administrator (a reseller reads only its own). */
export const resellerRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('resellers', 'session');
  api.get(
    '/resellers',
    {
      schema: doc.get({
        operationId: 'listResellers',
        description: 'Every reseller with its customer count and the MCALs and space of its customers, summed (exact up to 2^53−1, clamped there); administrator only.',
        querystring: RESELLER_LIST.query,
        response: ok(ResellerList),
        refuses: [403],
      }),
    },
    async (req) => s.resellers.list(req.principal, req.query),
  );
  api.post(
    '/resellers',
    {
      schema: doc.post({
        operationId: 'createReseller',
        description: "Creates a reseller and its login (username = name); administrator only, with reseller management on (else 409 FEATURE_UNAVAILABLE). Names are unique case-insensitively (409 NAME_TAKEN).",
        body: ResellerCreate,
        response: created(Reseller),
        refuses: [403, 409],
      }),
    },
    async (req, reply) => reply.code(201).send(await s.resellers.create(req.principal, req.body)),
  );
  api.get(
    '/resellers/:id',
    { schema: doc.get({ operationId: 'getReseller', description: 'One reseller with its totals; a reseller may read only itself.', params: IdParams, response: ok(Reseller) }) },
    async (req) => s.resellers.get(req.principal, req.params.id),
  );
  api.patch(
    '/resellers/:id',
    {
      schema: doc.patch({
        operationId: 'updateReseller',
        description: "Changes a reseller's name, email or login password (administrator only).",
        params: IdParams,
        body: ResellerPatch,
        response: ok(Reseller),
        refuses: [403, 409],
      }),
    },
    async (req) => s.resellers.update(req.principal, req.params.id, req.body),
  );
  api.delete(
    '/resellers/:id',
    {
      schema: doc.delete({
        operationId: 'deleteReseller',
        description: 'Deletes a reseller and its login (administrator only); one that still has customers, and the built-in `default`, cannot be deleted (409).',
        params: IdParams,
        response: noContent,
        refuses: [403, 409],
      }),
    },
    async (req, reply) => {
      s.resellers.delete(req.principal, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
