import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Static, TObject } from 'typebox';
import type { Principal } from '../auth.js';
import { MissingQuery, MissingResult, PackStored } from '../../src-shared/api/agent.js';
import { PeerBackups, PeerBackupsStored, PeerCustomerSync, PeerPackQuery, PeerReplicaParams, PeerReplicaSummary } from '../../src-shared/api/peer.js';
import { PackUpload } from '../dataplane/pack-verifier.js';
import { unsupportedMediaType } from '../errors.js';
import type { Services } from '../services.js';
import { requireOnPremise, requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { noContent, ok, PackBody, type RoutePlugin } from './reply.js';

/** Manifests of up to 100 backups travel in one body; a customer with its clients and schedules in another. */
const BACKUPS_BODY_LIMIT = 512 * 1024 * 1024;
const CUSTOMER_BODY_LIMIT = 64 * 1024 * 1024;

type Api = Parameters<ReturnType<RoutePlugin>>[0];

/** A copy's receiving side as the routes call it: keyed by the path's params (a replica's, a seeded client's). */
interface CopyReceiving<K> {
  missing(principal: Principal, key: K, hashes: readonly string[]): string[];
  storePack(principal: Principal, key: K, scheduleId: string, upload: PackUpload): Promise<PackStored>;
  storeBackups(principal: Principal, key: K, input: PeerBackups): PeerBackupsStored;
}

/**
 * The three routes every copy from another server takes, under `path`: which chunks are missing, packs of
 * them, then the backups and reports. Packs arrive as application/octet-stream, streamed into the pack
 * verifier.
 */
export function copyRoutes<P extends TObject>(
  api: Api,
  doc: ReturnType<typeof openapi>,
  copy: { path: string; params: P; what: string; of: string; receiver: CopyReceiving<Static<P>> },
): void {
  const { path, params, what, of, receiver } = copy;
  api.post(
    `${path}/missing`,
    { schema: doc.post({ operationId: `find${what}MissingChunks`, description: `Which of these chunks ${of} lacks, so only those are sent.`, params, body: MissingQuery, response: ok(MissingResult), refuses: [403] }) },
    async (req) => ({ missing: receiver.missing(req.principal, req.params as Static<P>, req.body.hashes) }),
  );
  api.put(
    `${path}/packs`,
    {
      schema: doc.put({
        operationId: `upload${what}Pack`,
        description: `Chunks of ${of}, each checked against its name, counted against the schedule given.`,
        params,
        querystring: PeerPackQuery,
        consumes: ['application/octet-stream'],
        body: PackBody,
        response: ok(PackStored),
        refuses: [403],
      }),
    },
    async (req) => {
      if (!(req.body instanceof PackUpload)) throw unsupportedMediaType('A pack is sent as application/octet-stream.');
      return receiver.storePack(req.principal, req.params as Static<P>, req.query.schedule, req.body);
    },
  );
  api.post(
    `${path}/backups`,
    {
      bodyLimit: BACKUPS_BODY_LIMIT,
      schema: doc.post({
        operationId: `store${what}Backups`,
        description: `Backups of ${of} with their manifests as stored (base first), backup and restore reports, and deleted report entries; a backup whose chunks are not all here is a 409 listing them, and nothing of the request is kept.`,
        params,
        body: PeerBackups,
        response: ok(PeerBackupsStored),
        refuses: [403, 409],
      }),
    },
    async (req) => receiver.storeBackups(req.principal, req.params as Static<P>, req.body),
  );
}

/** Packs of chunks arrive as application/octet-stream, streamed into the pack verifier. */
export function acceptPacks(s: Services, api: Api): void {
  api.addContentTypeParser('application/octet-stream', async (req: { headers: IncomingHttpHeaders }, payload: Readable) => {
    const declared = req.headers['content-length'];
    return s.replication.copies.receivePack(payload, declared === undefined ? undefined : Number(declared));
  });
}

/**
 * Server to server (src-shared/api/peer.ts): what a replication server answers to its sources, for an
 * administrator session of its own (obtained with the credentials the source is configured with).
 */
export const peerRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.addHook('onRequest', requireOnPremise(s, 'Keeping replicas'));
  acceptPacks(s, api);
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
  copyRoutes(api, doc, {
    path: '/replicas/:serverId/:customerId',
    params: PeerReplicaParams,
    what: 'Replica',
    of: 'the replica',
    receiver: s.replication.replicas,
  });
};
