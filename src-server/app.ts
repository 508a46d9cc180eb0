import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TValidationError } from 'typebox/error';
import type { ErrorBody } from '../src-shared/api/common.js';
import { ApiError, badRequest, payloadTooLarge, unsupportedMediaType } from './errors.js';
import { acceptJsonBodies } from './json-body.js';
import { SERVER_VERSION } from './server-config.js';
import type { Services } from './services.js';
import { validationError } from './validation.js';
import { validatorCompiler } from './validator.js';
import { ROUTES } from './routes/index.js';
import { TAGS } from './routes/openapi.js';

export const API_BASE = '/api/v1';
/**
 * Path ids longer than 64 characters are a 400 from the route's schema at any length (API.md): the router
 * passes on whatever Node's HTTP parser accepts (its header limit bounds the URL) instead of answering 414.
 */
const MAX_PARAM_LENGTH = 64 * 1024;

function createFastify(options: AppOptions) {
  // Request logs carry method and URL only (Fastify's serializers): never headers, so never a token.
  return Fastify({
    logger: options.logger ?? false,
    https: options.tls ?? null,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    schemaErrorFormatter: (errors, part) => validationError(errors as unknown as TValidationError[], part),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  tls?: { key: string; cert: string };
  bodyLimit?: number;
}

/** Builds the HTTP API over `services`: validation, errors, auth, OpenAPI, and every route of API.md. */
export async function buildApp(services: Services, options: AppOptions = {}) {
  const app = createFastify(options);
  app.setValidatorCompiler(validatorCompiler);
  acceptJsonBodies(app);
  app.decorateRequest('principal');
  app.decorateRequest('agentClient');

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Backup Server API',
        version: SERVER_VERSION,
        description: 'Management API for the console and agent API for backup agents (API.md).',
        contact: { name: 'Backup Console' },
      },
      // Paths carry the /api/v1 base, so the server is the one this document was fetched from.
      servers: [{ url: '/', description: 'This backup server.' }],
      tags: [...TAGS],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  app.setErrorHandler((error, request, reply) => sendError(reply, toApiError(error, request)));
  app.setNotFoundHandler((request, reply) => sendError(reply, new ApiError('NOT_FOUND', `There is no route ${request.method} ${request.url.split('?')[0]}.`)));

  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      for (const { plugin, prefix } of ROUTES) await api.register(plugin(services), prefix ? { prefix } : {});
    },
    { prefix: API_BASE },
  );
  return app;
}

/** The refusals Fastify makes before any route runs, by status: each gets the code API.md ties to it. */
const TRANSPORT_REFUSALS: Record<number, () => ApiError> = {
  413: () => payloadTooLarge('The request body is too large.'),
  415: () => unsupportedMediaType('The request body has a media type this route does not take.'),
};

function toApiError(error: unknown, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { statusCode?: number; message?: string };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    // What else Fastify refuses before any schema runs (an unreadable body, a bad URL) is a 400 about the body.
    return TRANSPORT_REFUSALS[e.statusCode]?.() ?? badRequest('body', e.message ?? 'Bad request.');
  }
  request.log.error({ err: error }, 'request failed');
  return new ApiError('INTERNAL', 'The server failed to handle this request; the error was logged. Try again, and report it if it persists.');
}

/** Seconds a 429 asks to wait when the refusal does not say. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

function sendError(reply: FastifyReply, error: ApiError) {
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  // HTTP's own hints (API.md, Conventions): how to authenticate, and when to try again.
  if (error.status === 401) void reply.header('www-authenticate', 'Bearer');
  if (error.status === 429) {
    const seconds = error.details?.['retryAfterSeconds'];
    void reply.header('retry-after', String(typeof seconds === 'number' ? seconds : DEFAULT_RETRY_AFTER_SECONDS));
  }
  return reply.code(error.status).type('application/json').send(body);
}
