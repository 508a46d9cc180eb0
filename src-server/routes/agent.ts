import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AgentRegister,
  AgentRegistered,
  AgentScheduleUpsert,
  BackupCommit,
  BackupFail,
  BackupStart,
  BackupStarted,
  BackupSummary,
  ChunkHash,
  Manifest,
  MissingQuery,
  MissingResult,
  PackStored,
  RestoreFinish,
  RestoreStart,
  RestoreStarted,
} from '../../src-shared/api/agent.js';
import { Client } from '../../src-shared/api/clients.js';
import { IdParams, ListOf } from '../../src-shared/api/common.js';
import { Schedule, ScheduleList } from '../../src-shared/api/schedules.js';
import { badRequest } from '../errors.js';
import { PackUpload } from '../dataplane/pack-verifier.js';
import { toClient } from '../client-rows.js';
import { requireAgent } from './guards.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

const HashParams = Type.Object({ hash: ChunkHash }, { additionalProperties: false });
/** A manifest lists every file of a backup; a few hundred thousand entries must fit. */
const MANIFEST_BODY_LIMIT = 512 * 1024 * 1024;

/**
 * The agent API under /api/v1/agent (protocol in src-shared/api/agent.ts). Registration needs no token;
 * every other route needs the agent token it handed out, and a moved client gets 410 CLIENT_MOVED.
 */
export const agentRoutes: RoutePlugin = (s) => async (api) => {
  api.post('/register', { schema: { tags: ['agent'], security: [], body: AgentRegister, response: created(AgentRegistered) } }, async (req, reply) =>
    reply.code(201).send(s.clients.register(req.body)),
  );

  await api.register(async (authed) => {
    authed.addContentTypeParser('application/octet-stream', async (req: FastifyRequest, payload: Readable) => {
      const declared = req.headers['content-length'];
      return s.backups.receivePack(payload, declared === undefined ? undefined : Number(declared));
    });
    authed.addHook('onRequest', requireAgent(s));
    const r = authed.withTypeProvider<TypeBoxTypeProvider>();

    r.get('/me', { schema: { tags: ['agent'], response: ok(Client) } }, async (req) => toClient(req.agentClient));
    r.get('/schedules', { schema: { tags: ['agent'], response: ok(ScheduleList) } }, async (req) => s.backups.listSchedules(req.agentClient));
    r.put('/schedules', { schema: { tags: ['agent'], body: AgentScheduleUpsert, response: ok(Schedule) } }, async (req) => s.backups.upsertSchedule(req.agentClient, req.body));
    r.get('/schedules/:id/backups', { schema: { tags: ['agent'], params: IdParams, response: ok(ListOf(BackupSummary)) } }, async (req) =>
      s.backups.listBackups(req.agentClient, req.params.id),
    );

    r.post('/backups', { schema: { tags: ['agent'], body: BackupStart, response: created(BackupStarted) } }, async (req, reply) =>
      reply.code(201).send(s.backups.start(req.agentClient, req.body.scheduleId)),
    );
    r.post('/backups/:id/missing', { schema: { tags: ['agent'], params: IdParams, body: MissingQuery, response: ok(MissingResult) } }, async (req) => ({
      missing: s.backups.missing(req.agentClient, req.params.id, req.body.hashes),
    }));
    r.put(
      '/backups/:id/packs',
      {
        schema: {
          tags: ['agent'],
          description: 'Chunks back to back, each framed as [32-byte SHA-256][4-byte big-endian length][encoded chunk]; see CHUNK_FRAME.',
          params: IdParams,
          consumes: ['application/octet-stream'],
          response: ok(PackStored),
        },
      },
      async (req) => {
        if (!(req.body instanceof PackUpload)) throw badRequest('body', 'A pack is sent as application/octet-stream.', 415);
        return s.backups.storePack(req.agentClient, req.params.id, req.body);
      },
    );
    r.post('/backups/:id/commit', { bodyLimit: MANIFEST_BODY_LIMIT, schema: { tags: ['agent'], params: IdParams, body: BackupCommit, response: ok(BackupSummary) } }, async (req) =>
      s.backups.commit(req.agentClient, req.params.id, req.body),
    );
    r.post('/backups/:id/fail', { schema: { tags: ['agent'], params: IdParams, body: BackupFail, response: noContent } }, async (req, reply) => {
      s.backups.fail(req.agentClient, req.params.id, req.body);
      return reply.code(204).send(null);
    });
    r.get('/backups/:id/manifest', { schema: { tags: ['agent'], params: IdParams, response: ok(Manifest) } }, async (req) => s.backups.manifest(req.agentClient, req.params.id));
    r.get(
      '/chunks/:hash',
      { schema: { tags: ['agent'], description: 'The encoded chunk (chunk codec), as application/octet-stream.', params: HashParams, produces: ['application/octet-stream'] } },
      async (req, reply) => reply.type('application/octet-stream').send(await s.backups.readChunk(req.agentClient, req.params.hash)),
    );

    r.post('/restores', { schema: { tags: ['agent'], body: RestoreStart, response: created(RestoreStarted) } }, async (req, reply) =>
      reply.code(201).send({ restoreId: s.backups.startRestore(req.agentClient, req.body) }),
    );
    r.post('/restores/:id/finish', { schema: { tags: ['agent'], params: IdParams, body: RestoreFinish, response: noContent } }, async (req, reply) => {
      s.backups.finishRestore(req.agentClient, req.params.id, req.body);
      return reply.code(204).send(null);
    });
  });
};
