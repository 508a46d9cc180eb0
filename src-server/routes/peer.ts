import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { MissingQuery, MissingResult, PackStored } from '../../src-shared/api/agent.js';
import { PeerBackups, PeerBackupsStored, PeerCustomerSync, PeerPackQuery, PeerReplicaParams, PeerReplicaSummary } from '../../src-shared/api/peer.js';
import { PackUpload } from '../dataplane/pack-verifier.js';
import { unsupportedMediaType } from '../errors.js';
import { requireOnPremise, requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { noContent, ok, PackBody, type RoutePlugin } from './reply.js';

/** Manifests of up to 100 backups travel in one body; a customer with its clients and schedules in another. */
const BACKUPS_BODY_LIMIT = 512 * 1024 * 1024;
const CUSTOMER_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Server to server (src-shared/api/peer.ts): what a replication server answers to its sources, for an
 * administrator session of its own (obtained with the credentials the source is configured with).
 */
export const peerRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.addHook('onRequest', requireOnPremise(s, 'Keeping replicas'));
  api.addContentTypeParser('application/octet-stream', async (req: { headers: IncomingHttpHeaders }, payload: Readable) => {
    const declared = req.headers['content-length'];
    return s.replication.replicas.receivePack(payload, declared === undefined ? undefined : Number(declared));
  });
  const doc = openapi('peer', 'session');
  api.put(
    '/replicas/:serverId/:customerId',
    {
      bodyLimit: CUSTOMER_BODY_LIMIT,
      schema: doc.put({
        operationId: 'syncReplica',
        description:
          "Creates or updates the replica of a source server's customer with its clients and schedules (administrator only), removes those the source no longer has. A primary customer of that name is a 409 NAME_TAKEN, nothing written. Answers the backups the replica holds.",
        params: PeerReplicaParams,
        body: PeerCustomerSync,
        response: ok(PeerReplicaSummary),
        refuses: [403, 409],
      }),
    },
    async (req) => s.replication.replicas.sync(req.principal, req.params, req.body),
  );
  api.delete(
    '/replicas/:serverId/:customerId',
    {
      schema: doc.delete({ operationId: 'deleteReplica', description: 'The source deleted the customer: the replica goes, recorded in the deleted report (administrator only).', params: PeerReplicaParams, response: noContent, refuses: [403] }),
    },
    async (req, reply) => {
      s.replication.replicas.remove(req.principal, req.params);
      return reply.code(204).send(null);
    },
  );
  api.post(
    '/replicas/:serverId/:customerId/missing',
    { schema: doc.post({ operationId: 'findReplicaMissingChunks', description: 'Which of these chunks the replica lacks, so only those are sent.', params: PeerReplicaParams, body: MissingQuery, response: ok(MissingResult), refuses: [403] }) },
    async (req) => ({ missing: s.replication.replicas.missing(req.principal, req.params, req.body.hashes) }),
  );
  api.put(
    '/replicas/:serverId/:customerId/packs',
    {
      schema: doc.put({
        operationId: 'uploadReplicaPack',
        description: 'Chunks of the replica, each checked against its name, counted against the schedule given.',
        params: PeerReplicaParams,
        querystring: PeerPackQuery,
        consumes: ['application/octet-stream'],
        body: PackBody,
        response: ok(PackStored),
        refuses: [403],
      }),
    },
    async (req) => {
      if (!(req.body instanceof PackUpload)) throw unsupportedMediaType('A pack is sent as application/octet-stream.');
      return s.replication.replicas.storePack(req.principal, req.params, req.query.schedule, req.body);
    },
  );
  api.post(
    '/replicas/:serverId/:customerId/backups',
    {
      bodyLimit: BACKUPS_BODY_LIMIT,
      schema: doc.post({
        operationId: 'storeReplicaBackups',
        description: 'Backups of the replica with their manifests as stored (base first), backup and restore reports, and deleted report entries; a backup whose chunks are not all here is a 409 listing them, and nothing of the request is kept.',
        params: PeerReplicaParams,
        body: PeerBackups,
        response: ok(PeerBackupsStored),
        refuses: [403, 409],
      }),
    },
    async (req) => s.replication.replicas.storeBackups(req.principal, req.params, req.body),
  );
};
