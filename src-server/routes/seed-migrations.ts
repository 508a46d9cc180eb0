import { IdParams } from '../../src-shared/api/common.js';
import { SeedMigration, SeedMigrationCreate, SeedMigrationResume, SeedMigrationStarted } from '../../src-shared/api/seed-migration.js';
import { requireOnPremise, requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

/** Seed backup migration (API.md), administrator only and on-premise only (409 FEATURE_UNAVAILABLE before the body is read). */
export const seedMigrationRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.addHook('onRequest', requireOnPremise(s, 'Seed backup migration'));
  const doc = openapi('seed-migration', 'session');
  api.post(
    '/seed-migrations',
    {
      schema: doc.post({
        operationId: 'startSeedMigration',
        description:
          "Moves the clients, in the order given, with their backups, schedules, reports and identity to the target server (an admin session token of the target, kept in memory only), creating the target customer when missing. Only chunks the target lacks travel, under the global replication bandwidth limit. An unknown client is a 404, a moved one or one another migration is moving a 409, nothing written.",
        body: SeedMigrationCreate,
        response: { 202: SeedMigrationStarted },
        refuses: [403, 404, 409],
      }),
    },
    async (req, reply) => reply.code(202).send(s.seedMigration.runs.start(req.principal, req.body)),
  );
  api.get(
    '/seed-migrations/:id',
    {
      schema: doc.get({
        operationId: 'getSeedMigration',
        description: 'A migration and each of its clients: queued, copying, moved or failed (with why), and the bytes copied of those the target lacked.',
        params: IdParams,
        response: ok(SeedMigration),
        refuses: [403, 409],
      }),
    },
    async (req) => s.seedMigration.runs.get(req.principal, req.params.id),
  );
  api.post(
    '/seed-migrations/:id/resume',
    {
      schema: doc.post({
        operationId: 'resumeSeedMigration',
        description: 'Goes on with the clients not moved yet, with a fresh target token (after a stop, an expired token, a refusal that was mended); what the target already holds is not sent again. A migration running answers its job.',
        params: IdParams,
        body: SeedMigrationResume,
        response: { 202: SeedMigrationStarted },
        refuses: [403, 409],
      }),
    },
    async (req, reply) => reply.code(202).send(s.seedMigration.runs.resume(req.principal, req.params.id, req.body.token)),
  );
};
