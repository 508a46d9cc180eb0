import { AuditList, AuditQuery } from '../../src-shared/api/audit.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

export const auditRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('audit', 'session');
  api.get(
    '/audit-log',
    {
      schema: doc.get({
        operationId: 'listAuditLog',
        description: 'Every change made through the management API, newest first; `q` searches the object name, actor and action. A reseller sees only entries about its own objects; secrets are never recorded.',
        querystring: AuditQuery,
        response: ok(AuditList),
      }),
    },
    async (req) => s.audit.list(req.principal, req.query),
  );
};
