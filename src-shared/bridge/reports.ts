/** Backup, restore and deleted-data reports. */
import { ListOf } from '../api/common.js';
import { BackupReport, DeletedReport, RestoreReport } from '../api/reports.js';
import { CachedOf, ListArg, ServerListArg, type RequestSpecs } from './request.js';

const DeletedReports = CachedOf(ListOf(DeletedReport));

export const reportRequests = {
  /** `id`: the schedule. */
  'reports.backup': { arg: ListArg, result: CachedOf(ListOf(BackupReport)) },
  'reports.restore': { arg: ListArg, result: CachedOf(ListOf(RestoreReport)) },
  'reports.deletedForSchedule': { arg: ListArg, result: DeletedReports },
  /** `id`: the customer. */
  'reports.deletedForCustomer': { arg: ListArg, result: DeletedReports },
  'reports.deletedForTrialClients': { arg: ServerListArg, result: DeletedReports },
} satisfies RequestSpecs;
