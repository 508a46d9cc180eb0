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
import { unsupportedMediaType } from '../errors.js';
import { PackUpload } from '../dataplane/pack-verifier.js';
import { toClient } from '../client-rows.js';
import { requireAgent } from './guards.js';
import { openapi } from './openapi.js';
import { created, noContent, octets, ok, PackBody, type RoutePlugin } from './reply.js';

const HashParams = Type.Object({ hash: ChunkHash }, { additionalProperties: false });
/** A manifest lists every file of a backup; a few hundred thousand entries must fit. */
const MANIFEST_BODY_LIMIT = 512 * 1024 * 1024;

/**
 * The agent API under /api/v1/agent (protocol in src-shared/api/agent.ts). Registration needs no token;
 * every other route needs the agent token it handed out, and a moved client gets 410 CLIENT_MOVED.
 */
export const agentRoutes: RoutePlugin = (s) => async (api) => {
  const doc = openapi('agent', 'agent');
  api.post(
    '/register',
    {
      schema: doc.post({
        operationId: 'registerAgent',
        description:
          'A machine joins: with a registration key from "Add New Client" (authorized when an MCAL is free), into a customer by name (authorized when the customer has autoAuthorization and an MCAL is free), or as a trial client. Returns the agent token.',
        access: 'public',
        body: AgentRegister,
        response: created(AgentRegistered),
        refuses: [401, 404, 409],
      }),
    },
    async (req, reply) => reply.code(201).send(s.clients.register(req.body)),
  );

  await api.register(async (authed) => {
    authed.addContentTypeParser('application/octet-stream', async (req: FastifyRequest, payload: Readable) => {
      const declared = req.headers['content-length'];
      return s.backups.receivePack(payload, declared === undefined ? undefined : Number(declared));
    });
    authed.addHook('onRequest', requireAgent(s));
    const r = authed.withTypeProvider<TypeBoxTypeProvider>();

    r.get('/me', { schema: doc.get({ operationId: 'getAgentClient', description: 'The client this agent token belongs to.', response: ok(Client) }) }, async (req) => toClient(req.agentClient));
    r.get(
      '/schedules',
      { schema: doc.get({ operationId: 'listAgentSchedules', description: "The client's schedules as the server holds them: the agent runs what is due or requested.", response: ok(ScheduleList) }) },
      async (req) => s.backups.listSchedules(req.agentClient),
    );
    r.put(
      '/schedules',
      {
        schema: doc.put({
          operationId: 'upsertAgentSchedule',
          description: 'Creates the schedule of that name (case-insensitive), or updates its sources and frequency.',
          body: AgentScheduleUpsert,
          response: ok(Schedule),
        }),
      },
      async (req) => s.backups.upsertSchedule(req.agentClient, req.body),
    );
    r.get(
      '/schedules/:id/backups',
      { schema: doc.get({ operationId: 'listAgentBackups', description: 'The kept backup versions of one of its schedules, newest first.', params: IdParams, response: ok(ListOf(BackupSummary)) }) },
      async (req) => s.backups.listBackups(req.agentClient, req.params.id),
    );

    r.post(
      '/backups',
      {
        schema: doc.post({
          operationId: 'startBackup',
          description: "Starts a backup run of a schedule, after the server's policy allows it; a refusal (403) is recorded as a `refused` backup report.",
          body: BackupStart,
          response: created(BackupStarted),
          refuses: [403, 404],
        }),
      },
      async (req, reply) => reply.code(201).send(s.backups.start(req.agentClient, req.body.scheduleId)),
    );
    r.post(
      '/backups/:id/missing',
      {
        schema: doc.post({
          operationId: 'findMissingChunks',
          description: 'Which of these chunks the server lacks for this client, so only those are uploaded. A run that has ended is a 409.',
          params: IdParams,
          body: MissingQuery,
          response: ok(MissingResult),
          refuses: [409],
        }),
      },
      async (req) => ({ missing: s.backups.missing(req.agentClient, req.params.id, req.body.hashes) }),
    );
    r.put(
      '/backups/:id/packs',
      {
        schema: doc.put({
          operationId: 'uploadPack',
          description: 'Uploads chunks for a running backup; the server keeps only chunks whose decoded bytes hash to their name. The space they need is checked against the quota first (403 QUOTA_EXCEEDED).',
          params: IdParams,
          consumes: ['application/octet-stream'],
          body: PackBody,
          response: ok(PackStored),
          refuses: [403, 409],
        }),
      },
      async (req) => {
        if (!(req.body instanceof PackUpload)) throw unsupportedMediaType('A pack is sent as application/octet-stream.');
        return s.backups.storePack(req.agentClient, req.params.id, req.body);
      },
    );
    r.post(
      '/backups/:id/commit',
      {
        bodyLimit: MANIFEST_BODY_LIMIT,
        schema: doc.post({
          operationId: 'commitBackup',
          description: 'Ends a run with a restorable backup: its stats and its manifest, whole or as a delta against an earlier backup of the schedule. Chunks the server lacks are a 409 listing them.',
          params: IdParams,
          body: BackupCommit,
          response: ok(BackupSummary),
          refuses: [409],
        }),
      },
      async (req) => {
        const summary = s.backups.commit(req.agentClient, req.params.id, req.body);
        s.retention.pruner.afterCommit(summary.scheduleId, (err) => req.log.error({ err }, 'pruning after a commit failed'));
        return summary;
      },
    );
    r.post(
      '/backups/:id/fail',
      {
        schema: doc.post({
          operationId: 'failBackup',
          description: 'Ends a run without a restorable backup, with its stats and error, as a `failed` backup report.',
          params: IdParams,
          body: BackupFail,
          response: noContent,
          refuses: [409],
        }),
      },
      async (req, reply) => {
        s.backups.fail(req.agentClient, req.params.id, req.body);
        return reply.code(204).send(null);
      },
    );
    r.get(
      '/backups/:id/manifest',
      { schema: doc.get({ operationId: 'getBackupManifest', description: 'The whole manifest of one of its backups (deltas applied), for a restore or the next incremental backup.', params: IdParams, response: ok(Manifest) }) },
      async (req) => s.backups.manifest(req.agentClient, req.params.id),
    );
    r.get(
      '/chunks/:hash',
      {
        schema: doc.get({
          operationId: 'getChunk',
          description: 'One chunk of its backups by its SHA-256, as stored: encoded with the chunk codec.',
          params: HashParams,
          response: octets('The encoded chunk.'),
        }),
      },
      async (req, reply) => reply.type('application/octet-stream').send(await s.backups.readChunk(req.agentClient, req.params.hash)),
    );

    r.post(
      '/restores',
      {
        schema: doc.post({ operationId: 'startRestore', description: 'Records the start of a restore of one of its backups into a target folder.', body: RestoreStart, response: created(RestoreStarted), refuses: [404] }),
      },
      async (req, reply) => reply.code(201).send({ restoreId: s.backups.startRestore(req.agentClient, req.body) }),
    );
    r.post(
      '/restores/:id/finish',
      { schema: doc.post({ operationId: 'finishRestore', description: 'Records how a restore ended, in the restore report.', params: IdParams, body: RestoreFinish, response: noContent }) },
      async (req, reply) => {
        s.backups.finishRestore(req.agentClient, req.params.id, req.body);
        return reply.code(204).send(null);
      },
    );
  });
};
