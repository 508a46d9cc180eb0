import { PeerSeed, PeerSeedCommit, PeerSeedParams, PeerSeedSummary } from '../../src-shared/api/peer.js';
import { requireOnPremise, requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { acceptPacks, copyRoutes } from './peer.js';
import { noContent, ok, type RoutePlugin } from './reply.js';

/** A client with its schedules in one body. */
const CLIENT_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * Server to server, a seed migration's target (src-shared/api/peer.ts): what this server answers to a
 * source moving clients here, for an administrator session of its own (obtained by the console).
 */
export const peerSeedRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.addHook('onRequest', requireOnPremise(s, 'Taking seed migrations'));
  acceptPacks(s, api);
  const doc = openapi('peer', 'session');
  const seeds = s.seedMigration.targets;
  api.put(
    '/seeds/:serverId/:clientId',
    {
      bodyLimit: CLIENT_BODY_LIMIT,
      schema: doc.put({
        operationId: 'seedClient',
        description:
          "Takes in a client of the source server with its schedules (administrator only), hidden until the hand-over; its customer (same name) is created when missing. No MCAL for it is a 403 MCAL_EXHAUSTED, nothing written. Answers the backups held, or `committed` when the client was already handed over.",
        params: PeerSeedParams,
        body: PeerSeed,
        response: ok(PeerSeedSummary),
        refuses: [403, 409],
      }),
    },
    async (req) => seeds.seed(req.principal, req.params, req.body),
  );
  api.delete(
    '/seeds/:serverId/:clientId',
    { schema: doc.delete({ operationId: 'discardSeededClient', description: 'The source gave the client up: what arrived of it goes (administrator only).', params: PeerSeedParams, response: noContent, refuses: [403] }) },
    async (req, reply) => {
      seeds.discard(req.principal, req.params);
      return reply.code(204).send(null);
    },
  );
  copyRoutes(api, doc, { path: '/seeds/:serverId/:clientId', params: PeerSeedParams, what: 'Seed', of: 'the seeded client', receiver: seeds });
  api.post(
    '/seeds/:serverId/:clientId/commit',
    {
      schema: doc.post({
        operationId: 'commitSeededClient',
        description: "The hand-over: the client becomes this server's, authorized (taking its MCAL; none left is a 403 MCAL_EXHAUSTED), counted, its agent's token valid. Again after it went through changes nothing.",
        params: PeerSeedParams,
        body: PeerSeedCommit,
        response: noContent,
        refuses: [403],
      }),
    },
    async (req, reply) => {
      seeds.commit(req.principal, req.params, req.body);
      return reply.code(204).send(null);
    },
  );
};
