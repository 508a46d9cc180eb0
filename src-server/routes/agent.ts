import type { RawServerBase } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AgentRegister, AgentRegistered } from '../../src-shared/api/agent.js';
import { ErrorBody } from '../../src-shared/api/common.js';
import type { Services } from '../services.js';

type Plugin = FastifyPluginAsyncTypebox<Record<never, never>, RawServerBase>;

/** The agent API under /api/v1/agent. Registration needs no token; it hands one out. */
export const agentRoutes =
  (s: Services): Plugin =>
  async (api) => {
    api.post(
      '/register',
      { schema: { tags: ['agent'], security: [], body: AgentRegister, response: { 201: AgentRegistered, '4xx': ErrorBody } } },
      async (req, reply) => reply.code(201).send(s.clients.register(req.body)),
    );
  };
