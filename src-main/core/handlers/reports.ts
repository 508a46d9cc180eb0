import type { reportRequests } from '../../../src-shared/bridge/reports.js';
import type { ConsoleState } from '../console-state.js';
import { BackupReportList, DeletedReportList, RestoreReportList } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

export const reportHandlers = ({ servers }: ConsoleState) =>
  ({
    'reports.backup': ({ serverId, id, query }) => servers.get(serverId).read(apiPath`/schedules/${id}/reports/backup`, query, BackupReportList, { kind: 'backupReports' }),
    'reports.restore': ({ serverId, id, query }) => servers.get(serverId).read(apiPath`/schedules/${id}/reports/restore`, query, RestoreReportList, { kind: 'restoreReports' }),
    'reports.deletedForSchedule': ({ serverId, id, query }) =>
      servers.get(serverId).read(apiPath`/schedules/${id}/reports/deleted`, query, DeletedReportList, { kind: 'deletedReports' }),
    'reports.deletedForCustomer': ({ serverId, id, query }) =>
      servers.get(serverId).read(apiPath`/customers/${id}/reports/deleted`, query, DeletedReportList, { kind: 'deletedReports' }),
    'reports.deletedForTrialClients': ({ serverId, query }) => servers.get(serverId).read('/trial-clients/reports/deleted', query, DeletedReportList, { kind: 'deletedReports' }),
  }) satisfies Handlers<typeof reportRequests>;
