import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TValidationError } from 'typebox/error';
import type { ErrorBody } from '../src-shared/api/common.js';
import { ApiError, badRequest } from './errors.js';
import { SERVER_VERSION } from './server-config.js';
import type { Services } from './services.js';
import { validationError } from './validation.js';
import { ROUTES } from './routes/index.js';
import { TAGS } from './routes/openapi.js';

export const API_BASE = '/api/v1';

function createFastify(options: AppOptions) {
  // Request logs carry method and URL only (Fastify's serializers): never headers, so never a token.
  return Fastify({
    logger: options.logger ?? false,
    https: options.tls ?? null,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    schemaErrorFormatter: (errors, part) => validationError(errors as unknown as TValidationError[], part),
    ajv: { customOptions: { removeAdditional: false } },
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
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
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

function toApiError(error: unknown, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    const message =
      e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError
        ? 'The request body is not valid JSON.'
        : e.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request body is too large.'
          : (e.message ?? 'Bad request.');
    // What Fastify refuses before any schema runs (JSON syntax, size, media type) is about the body.
    return badRequest('body', message, e.statusCode);
  }
  request.log.error({ err: error }, 'request failed');
  return new ApiError('INTERNAL', 'The server failed to handle this request; the error was logged. Try again, and report it if it persists.');
}

function sendError(reply: FastifyReply, error: ApiError) {
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return reply.code(error.status).type('application/json').send(body);
}
