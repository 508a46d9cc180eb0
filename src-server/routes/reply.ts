import type { RawServerBase } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { ErrorBody } from '../../src-shared/api/common.js';
import type { PackUpload } from '../dataplane/pack-verifier.js';
import type { Services } from '../services.js';

/** One resource's routes over the services; `routes/index.ts` lists every one of them. */
export type RoutePlugin = (services: Services) => FastifyPluginAsyncTypebox<Record<never, never>, RawServerBase>;

/** The success response of a route, by status. */
export const ok = <T extends TSchema>(schema: T) => ({ 200: schema });
export const created = <T extends TSchema>(schema: T) => ({ 201: schema });
export const noContent = { 204: Type.Null() };
/** A body of raw bytes (an encoded chunk), not JSON. */
export const octets = (description: string) => ({ 200: { description, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } });

/** A pack upload's body: read as a stream by its own content parser (receivePack), so the document states its media type only. */
export const PackBody = Type.Unsafe<PackUpload>({
  format: 'binary',
  description: 'Chunks back to back, each framed as [32-byte SHA-256][4-byte big-endian length][encoded chunk]; see CHUNK_FRAME.',
});

/** What each refusal status means (API.md, Conventions). Every one answers with an ErrorBody. */
const REFUSALS = {
  400: 'BAD_REQUEST: the request breaks its schema or a rule of this route (a path id over 64 characters, too); error.details.field names the field.',
  401: 'UNAUTHENTICATED: no valid token (the response carries WWW-Authenticate: Bearer), or wrong credentials.',
  403: "FORBIDDEN: the caller's role may not do this, or a backup refusal: CUSTOMER_INACTIVE, CLIENT_NOT_AUTHORIZED, MCAL_EXHAUSTED, QUOTA_EXCEEDED, TRIAL_EXPIRED, REPLICA_READ_ONLY.",
  404: 'NOT_FOUND: an id names nothing the caller may see (another reseller\'s object is not found, too).',
  409: 'CONFLICT, NAME_TAKEN, FEATURE_UNAVAILABLE or REPLICA_READ_ONLY: the change clashes with what the server holds; error.details.field names the value when one caused it.',
  410: 'CLIENT_MOVED: the client lives on another server now; error.details.server says where.',
  413: 'PAYLOAD_TOO_LARGE: the body is larger than this route takes.',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body is not of a media type this route takes.',
  429: 'RATE_LIMITED: too many failed sign-ins for this username; Retry-After says how many seconds to wait.',
} as const;
export type Refusal = keyof typeof REFUSALS;

/** The responses of these refusals, each an ErrorBody described by what the status means. */
export const refusals = (statuses: Iterable<Refusal>) =>
  Object.fromEntries([...new Set(statuses)].map((status) => [status, { ...ErrorBody, description: REFUSALS[status] }]));
