import { IdParams } from '../../src-shared/api/common.js';
import { SCHEDULE_LIST, Schedule, ScheduleList, SchedulePatch } from '../../src-shared/api/schedules.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { noContent, ok, type RoutePlugin } from './reply.js';

/** A client's schedules as technicians see them (agents create them: routes/agent.ts). */
export const scheduleRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('schedules', 'session');
  api.get(
    '/clients/:id/schedules',
    { schema: doc.get({ operationId: 'listSchedules', description: "A client's backup schedules; `q` searches the name.", params: IdParams, querystring: SCHEDULE_LIST.query, response: ok(ScheduleList) }) },
    async (req) => s.schedules.list(req.principal, req.params.id, req.query),
  );
  api.patch(
    '/schedules/:id',
    {
      schema: doc.patch({
        operationId: 'updateSchedule',
        description: "Turns a schedule on or off or changes its frequency; it applies from the agent's next run.",
        params: IdParams,
        body: SchedulePatch,
        response: ok(Schedule),
      }),
    },
    async (req) => s.schedules.update(req.principal, req.params.id, req.body),
  );
  api.delete(
    '/schedules/:id',
    {
      schema: doc.delete({
        operationId: 'deleteSchedule',
        description: 'Deletes a schedule with its backups, recorded in the deleted report; a schedule with a backup running is a 409.',
        params: IdParams,
        response: noContent,
        refuses: [409],
      }),
    },
    async (req, reply) => {
      s.schedules.delete(req.principal, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
