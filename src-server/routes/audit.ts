import { AuditList, AuditQuery } from '../../src-shared/api/audit.js';
import { requireSession } from './guards.js';
import { ok, type RoutePlugin } from './reply.js';

export const auditRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/audit-log', { schema: { tags: ['audit'], querystring: AuditQuery, response: ok(AuditList) } }, async (req) => s.audit.list(req.principal, req.query));
};
