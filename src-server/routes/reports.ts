import { IdParams } from '../../src-shared/api/common.js';
import { BACKUP_REPORT_LIST, BackupReportList, DELETED_REPORT_LIST, DeletedReportList, RESTORE_REPORT_LIST, RestoreReportList } from '../../src-shared/api/reports.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

/** Backup, restore and deleted reports: of a schedule, and the deleted reports of a customer and of trial clients. */
export const reportRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('reports', 'session');
  const deleted = { querystring: DELETED_REPORT_LIST.query, response: ok(DeletedReportList) };
  api.get(
    '/customers/:id/reports/deleted',
    {
      schema: doc.get({
        operationId: 'listCustomerDeletedReports',
        description: "The Deleted Client/Backup Report of a customer, newest first: every client, schedule and backup deleted, including clients that no longer exist.",
        params: IdParams,
        ...deleted,
      }),
    },
    async (req) => s.schedules.deletedForCustomer(req.principal, req.params.id, req.query),
  );
  api.get(
    '/trial-clients/reports/deleted',
    { schema: doc.get({ operationId: 'listTrialClientDeletedReports', description: 'The deleted report of trial clients (administrator only), such as those deleted after their trial expired.', refuses: [403], ...deleted }) },
    async (req) => s.schedules.deletedForTrialClients(req.principal, req.query),
  );
  api.get(
    '/schedules/:id/reports/backup',
    {
      schema: doc.get({
        operationId: 'listBackupReports',
        description: "A schedule's backup runs, newest first: status, files and bytes scanned and uploaded, error.",
        params: IdParams,
        querystring: BACKUP_REPORT_LIST.query,
        response: ok(BackupReportList),
      }),
    },
    async (req) => s.schedules.backupReports(req.principal, req.params.id, req.query),
  );
  api.get(
    '/schedules/:id/reports/restore',
    {
      schema: doc.get({
        operationId: 'listRestoreReports',
        description: "A schedule's restores, newest first: status, files, bytes, target and error.",
        params: IdParams,
        querystring: RESTORE_REPORT_LIST.query,
        response: ok(RestoreReportList),
      }),
    },
    async (req) => s.schedules.restoreReports(req.principal, req.params.id, req.query),
  );
  api.get(
    '/schedules/:id/reports/deleted',
    { schema: doc.get({ operationId: 'listScheduleDeletedReports', description: "The deleted report of a schedule: its backups removed by retention or deletion, newest first.", params: IdParams, ...deleted }) },
    async (req) => s.schedules.deletedForSchedule(req.principal, req.params.id, req.query),
  );
};
