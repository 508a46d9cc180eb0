import { AUDIT_LIST } from './audit.js';
import { CLIENT_LIST } from './clients.js';
import { CUSTOMER_LIST } from './customers.js';
import { INVOICE_LIST } from './invoicing.js';
import { BACKUP_REPORT_LIST, DELETED_REPORT_LIST, RESTORE_REPORT_LIST } from './reports.js';
import { REPLICATION_OVERVIEW_LIST } from './replication.js';
import { RESELLER_LIST } from './resellers.js';
import { BACKUP_VERSION_LIST } from './retention.js';
import { SCHEDULE_LIST } from './schedules.js';

/** Every list of the API by kind (list-spec.ts); a new list adds its spec next to its schema and one line here. */
export const LIST_SPECS = {
  resellers: RESELLER_LIST,
  customers: CUSTOMER_LIST,
  clients: CLIENT_LIST,
  schedules: SCHEDULE_LIST,
  backupReports: BACKUP_REPORT_LIST,
  restoreReports: RESTORE_REPORT_LIST,
  deletedReports: DELETED_REPORT_LIST,
  auditLog: AUDIT_LIST,
  replicationOverview: REPLICATION_OVERVIEW_LIST,
  invoices: INVOICE_LIST,
  backupVersions: BACKUP_VERSION_LIST,
} as const;

export type ListKind = keyof typeof LIST_SPECS;
