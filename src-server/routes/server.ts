import { ServerInfo, ServerPatch } from '../../src-shared/api/session.js';
import { requireSession } from './guards.js';
import { ok, type RoutePlugin } from './reply.js';

/** The server's own settings and status. */
export const serverRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/server', { schema: { tags: ['server'], response: ok(ServerInfo) } }, async () => s.server.info());
  api.patch('/server', { schema: { tags: ['server'], body: ServerPatch, response: ok(ServerInfo) } }, async (req) => s.server.update(req.principal, req.body));
};
