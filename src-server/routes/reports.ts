import { IdParams, ListQuery } from '../../src-shared/api/common.js';
import { BackupReportList, DeletedReportList, RestoreReportList } from '../../src-shared/api/reports.js';
import { requireSession } from './guards.js';
import { ok, type RoutePlugin } from './reply.js';

/** Backup, restore and deleted reports: of a schedule, and the deleted reports of a customer and of trial clients. */
export const reportRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.get('/customers/:id/reports/deleted', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(DeletedReportList) } }, async (req) =>
    s.schedules.deletedForCustomer(req.principal, req.params.id, req.query),
  );
  api.get('/trial-clients/reports/deleted', { schema: { tags: ['reports'], querystring: ListQuery, response: ok(DeletedReportList) } }, async (req) =>
    s.schedules.deletedForTrialClients(req.principal, req.query),
  );
  api.get('/schedules/:id/reports/backup', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(BackupReportList) } }, async (req) =>
    s.schedules.backupReports(req.principal, req.params.id, req.query),
  );
  api.get('/schedules/:id/reports/restore', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(RestoreReportList) } }, async (req) =>
    s.schedules.restoreReports(req.principal, req.params.id, req.query),
  );
  api.get('/schedules/:id/reports/deleted', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(DeletedReportList) } }, async (req) =>
    s.schedules.deletedForSchedule(req.principal, req.params.id, req.query),
  );
};
