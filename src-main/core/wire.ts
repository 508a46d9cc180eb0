/**
 * The response schemas the console checks server answers (and cached values) against, built once: the
 * compiled validators are cached per schema object, so a schema made per call would be compiled per call.
 */
import { Type } from 'typebox';
import { AuditEntry } from '../../src-shared/api/audit.js';
import { Client } from '../../src-shared/api/clients.js';
import { ListOf } from '../../src-shared/api/common.js';
import { Customer } from '../../src-shared/api/customers.js';
import { BackupReport, DeletedReport, RestoreReport } from '../../src-shared/api/reports.js';
import { Reseller } from '../../src-shared/api/resellers.js';
import { Schedule } from '../../src-shared/api/schedules.js';

export const ResellerList = ListOf(Reseller);
export const CustomerList = ListOf(Customer);
export const ClientList = ListOf(Client);
export const ScheduleList = ListOf(Schedule);
export const BackupReportList = ListOf(BackupReport);
export const RestoreReportList = ListOf(RestoreReport);
export const DeletedReportList = ListOf(DeletedReport);
export const AuditList = ListOf(AuditEntry);
/** 204 No Content. */
export const NoContent = Type.Null();
