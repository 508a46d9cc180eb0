import { IdParams, ListQuery } from '../../src-shared/api/common.js';
import { Schedule, ScheduleList, SchedulePatch } from '../../src-shared/api/schedules.js';
import { requireSession } from './guards.js';
import { noContent, ok, type RoutePlugin } from './reply.js';

/** A client's schedules as technicians see them (agents create them: routes/agent.ts). */
export const scheduleRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/clients/:id/schedules', { schema: { tags: ['schedules'], params: IdParams, querystring: ListQuery, response: ok(ScheduleList) } }, async (req) =>
    s.schedules.list(req.principal, req.params.id, req.query),
  );
  api.patch('/schedules/:id', { schema: { tags: ['schedules'], params: IdParams, body: SchedulePatch, response: ok(Schedule) } }, async (req) =>
    s.schedules.update(req.principal, req.params.id, req.body),
  );
  api.delete('/schedules/:id', { schema: { tags: ['schedules'], params: IdParams, response: noContent } }, async (req, reply) => {
    s.schedules.delete(req.principal, req.params.id);
    return reply.code(204).send(null);
  });
};
