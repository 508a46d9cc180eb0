import type { ListKind } from '../../src-shared/api/lists.js';

/** Every management list route of API.md, as the OpenAPI document spells its path, by the list it serves. */
export const LIST_ROUTES: Record<string, ListKind> = {
  '/api/v1/resellers': 'resellers',
  '/api/v1/resellers/{rid}/customers': 'customers',
  '/api/v1/customers/{id}/clients': 'clients',
  '/api/v1/clients': 'clients',
  '/api/v1/trial-clients': 'clients',
  '/api/v1/clients/{id}/schedules': 'schedules',
  '/api/v1/schedules/{id}/reports/backup': 'backupReports',
  '/api/v1/schedules/{id}/reports/restore': 'restoreReports',
  '/api/v1/schedules/{id}/reports/deleted': 'deletedReports',
  '/api/v1/customers/{id}/reports/deleted': 'deletedReports',
  '/api/v1/trial-clients/reports/deleted': 'deletedReports',
  '/api/v1/audit-log': 'auditLog',
  '/api/v1/replication/customers': 'replicationOverview',
  '/api/v1/customers/{id}/invoices': 'invoices',
  '/api/v1/invoices': 'invoices',
  '/api/v1/schedules/{id}/backups': 'backupVersions',
};

/** The list routes that take `sort`: all but the audit log, which is newest first only. */
export const SORTED_LISTS: Record<string, ListKind> = Object.fromEntries(Object.entries(LIST_ROUTES).filter(([, kind]) => kind !== 'auditLog'));
