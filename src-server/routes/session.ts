import { Login, Session } from '../../src-shared/api/session.js';
import { requireSession, bearerToken } from './guards.js';
import { openapi } from './openapi.js';
import { noContent, ok, type RoutePlugin } from './reply.js';

/** Signing in (the one management route without a token) and out. */
export const sessionRoutes: RoutePlugin = (s) => async (api) => {
  const doc = openapi('session', 'session');
  api.post(
    '/session',
    {
      schema: doc.post({
        operationId: 'createSession',
        description: 'Signs in as the administrator or a reseller: the token goes in `Authorization: Bearer <token>` until it expires. Five failures for one username within 5 minutes lock it out for a while (429).',
        access: 'public',
        body: Login,
        response: ok(Session),
        refuses: [401, 429],
      }),
    },
    async (req) => s.auth.login(req.body.username, req.body.password),
  );
  api.delete(
    '/session',
    { onRequest: requireSession(s), schema: doc.delete({ operationId: 'deleteSession', description: 'Signs out: the session token stops working.', response: noContent }) },
    async (req, reply) => {
      s.auth.logout(bearerToken(req)!);
      return reply.code(204).send(null);
    },
  );
};
