import { IdParams } from '../../src-shared/api/common.js';
import { Job, MaintenanceSummary } from '../../src-shared/api/jobs.js';
import { assertAdmin } from '../resellers.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

/** Long-running work, and running maintenance now instead of at its next scheduled time. */
export const jobRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get(
    '/jobs/:id',
    { schema: openapi('jobs', 'session').get({ operationId: 'getJob', description: 'A long-running job: its kind, status, progress and error.', params: IdParams, response: ok(Job) }) },
    async (req) => s.jobs.get(req.principal, req.params.id),
  );
  api.post(
    '/maintenance/run',
    {
      schema: openapi('maintenance', 'session').post({
        operationId: 'runMaintenance',
        description: 'Runs now what the scheduler runs periodically (trial expiry and deletion, stale runs, orphan chunks, expired sessions, pack compaction) and returns its summary (administrator only).',
        response: ok(MaintenanceSummary),
        refuses: [403],
      }),
    },
    async (req) => {
      assertAdmin(req.principal);
      return s.maintenance.run();
    },
  );
};
