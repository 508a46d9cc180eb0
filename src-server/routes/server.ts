import { ServerInfo, ServerPatch } from '../../src-shared/api/session.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

/** The server's own settings and status. */
export const serverRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('server', 'session');
  api.get(
    '/server',
    {
      schema: doc.get({
        operationId: 'getServer',
        description: "The server's identity (name, version, cloud or on-premise deployment), whether reseller management is on, the MCAL pool and the features it offers.",
        response: ok(ServerInfo),
      }),
    },
    async () => s.server.info(),
  );
  api.patch(
    '/server',
    {
      schema: doc.patch({
        operationId: 'updateServer',
        description: "Changes the server's name, reseller management or MCAL pool size (administrator only); a pool smaller than what is allotted and used is a 409.",
        body: ServerPatch,
        response: ok(ServerInfo),
        refuses: [403, 409],
      }),
    },
    async (req) => s.server.update(req.principal, req.body),
  );
};
