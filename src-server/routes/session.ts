import { Login, Session } from '../../src-shared/api/session.js';
import { requireSession, bearerToken } from './guards.js';
import { noContent, ok, type RoutePlugin } from './reply.js';

/** Signing in (the one management route without a token) and out. */
export const sessionRoutes: RoutePlugin = (s) => async (api) => {
  api.post('/session', { schema: { tags: ['session'], security: [], body: Login, response: ok(Session) } }, async (req) => s.auth.login(req.body.username, req.body.password));
  api.delete('/session', { onRequest: requireSession(s), schema: { tags: ['session'], response: noContent } }, async (req, reply) => {
    s.auth.logout(bearerToken(req)!);
    return reply.code(204).send(null);
  });
};
