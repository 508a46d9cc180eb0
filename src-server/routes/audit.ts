import { AuditEntry, AuditQuery } from '../../src-shared/api/audit.js';
import { ListOf } from '../../src-shared/api/common.js';
import { requireSession } from './guards.js';
import { ok, type RoutePlugin } from './reply.js';

export const auditRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/audit-log', { schema: { tags: ['audit'], querystring: AuditQuery, response: ok(ListOf(AuditEntry)) } }, async (req) => s.audit.list(req.principal, req.query));
};
