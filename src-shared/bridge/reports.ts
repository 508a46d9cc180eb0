/** Backup, restore and deleted-data reports. */
import { BackupReportList, DeletedReportList, RestoreReportList } from '../api/reports.js';
import { CachedOf, ListArg, ServerListArg, type RequestSpecs } from './request.js';

const DeletedReports = CachedOf(DeletedReportList);

export const reportRequests = {
  /** `id`: the schedule. */
  'reports.backup': { arg: ListArg, result: CachedOf(BackupReportList) },
  'reports.restore': { arg: ListArg, result: CachedOf(RestoreReportList) },
  'reports.deletedForSchedule': { arg: ListArg, result: DeletedReports },
  /** `id`: the customer. */
  'reports.deletedForCustomer': { arg: ListArg, result: DeletedReports },
  'reports.deletedForTrialClients': { arg: ServerListArg, result: DeletedReports },
} satisfies RequestSpecs;
