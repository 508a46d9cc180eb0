import type { FastifyRequest, RawRequestDefaultExpression, RawServerBase, RouteGenericInterface } from 'fastify';
import type { Principal } from '../auth.js';
import type { ClientRow } from '../client-rows.js';
import { ApiError } from '../errors.js';
import type { Services } from '../services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireSession` on management routes. */
    principal: Principal;
    /** Set by `requireAgent` on agent routes. */
    agentClient: ClientRow;
  }
}

/** A request on any of the servers the app runs on (HTTP or HTTPS). */
type AnyRequest = FastifyRequest<RouteGenericInterface, RawServerBase, RawRequestDefaultExpression<RawServerBase>>;

/** The bearer token of a request, or null. The scheme name is case-insensitive (RFC 9110, API.md). */
export function bearerToken(request: AnyRequest): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer ([A-Za-z0-9_-]{16,128})$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/** An onRequest hook: the route needs an admin or reseller session token, whose principal it gets. */
export const requireSession = (s: Services) => async (req: AnyRequest) => {
  const token = bearerToken(req);
  const principal = token ? s.auth.authenticate(token) : null;
  if (!principal) throw new ApiError('UNAUTHENTICATED', 'Sign in first: this route needs a valid session token (Authorization: Bearer <token>).');
  req.principal = principal;
};

/** An onRequest hook after the session's: on a cloud deployment the feature is a 409 FEATURE_UNAVAILABLE, before the body is read. */
export const requireOnPremise = (s: Services, feature: string) => async () => {
  if (s.settings.get('deployment') === 'cloud') throw new ApiError('FEATURE_UNAVAILABLE', `${feature} is not available on a cloud deployment.`);
};

/**
 * An onRequest hook: the route needs the agent token registration handed out; a moved client gets 410
 * CLIENT_MOVED, and one a seed migration is copying waits (409).
 */
export const requireAgent = (s: Services) => async (req: AnyRequest) => {
  const token = bearerToken(req);
  const client = token ? s.clients.byAgentToken(token) : null;
  if (!client) throw new ApiError('UNAUTHENTICATED', 'This route needs the agent token from registration (Authorization: Bearer <token>).');
  if (client.status === 'moved') {
    throw new ApiError('CLIENT_MOVED', `Client "${client.name}" has moved to another server.`, s.clients.movedTo(client.id) ?? undefined);
  }
  if (s.seedMigration.runs.locked(client.id)) {
    throw new ApiError('CONFLICT', `Client "${client.name}" is being moved to another server by a seed migration; try again in a few minutes.`);
  }
  req.agentClient = client;
};
