import { IdParams } from '../../src-shared/api/common.js';
import { Job, MaintenanceSummary } from '../../src-shared/api/jobs.js';
import { assertAdmin } from '../resellers.js';
import { requireSession } from './guards.js';
import { ok, type RoutePlugin } from './reply.js';

/** Long-running work, and running maintenance now instead of at its next scheduled time. */
export const jobRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/jobs/:id', { schema: { tags: ['jobs'], params: IdParams, response: ok(Job) } }, async (req) => s.jobs.get(req.principal, req.params.id));
  api.post('/maintenance/run', { schema: { tags: ['maintenance'], response: ok(MaintenanceSummary) } }, async (req) => {
    assertAdmin(req.principal);
    return s.maintenance.run();
  });
};
