/**
 * The response schemas the console checks server answers (and cached values) against, built once: the
 * compiled validators are cached per schema object, so a schema made per call would be compiled per call.
 * The list schemas are the ones the server serves (src-shared/api, next to each list's spec).
 */
import { Type } from 'typebox';

export { AuditList } from '../../src-shared/api/audit.js';
export { ClientList } from '../../src-shared/api/clients.js';
export { CustomerList } from '../../src-shared/api/customers.js';
export { InvoicePlanList, InvoiceSummaryList, UsageList } from '../../src-shared/api/invoicing.js';
export { BackupReportList, DeletedReportList, RestoreReportList } from '../../src-shared/api/reports.js';
export { ReplicationOverviewList } from '../../src-shared/api/replication.js';
export { ResellerList } from '../../src-shared/api/resellers.js';
export { BackupVersionList } from '../../src-shared/api/retention.js';
export { ScheduleList } from '../../src-shared/api/schedules.js';
/** 204 No Content. */
export const NoContent = Type.Null();
