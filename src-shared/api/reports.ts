import { Type, type Static } from 'typebox';
import { Bytes, Count, Id, ListOf, Nullable, Timestamp } from './common.js';
import { folded, listSpec, plain } from './list-spec.js';
import { BackupStatus } from './clients.js';

export const BackupReport = Type.Object({
  id: Id,
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  status: BackupStatus,
  filesScanned: Count,
  filesUploaded: Count,
  bytesScanned: Bytes,
  bytesUploaded: Bytes,
  error: Nullable(Type.String()),
});
export type BackupReport = Static<typeof BackupReport>;

export const RestoreStatus = Type.Union([Type.Literal('running'), Type.Literal('success'), Type.Literal('partial'), Type.Literal('failed')]);
export type RestoreStatus = Static<typeof RestoreStatus>;

export const RestoreReport = Type.Object({
  id: Id,
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  status: RestoreStatus,
  files: Count,
  bytes: Bytes,
  target: Type.String(),
  error: Nullable(Type.String()),
});
export type RestoreReport = Static<typeof RestoreReport>;

export const DeletedKind = Type.Union([Type.Literal('client'), Type.Literal('schedule'), Type.Literal('backup')]);
export type DeletedKind = Static<typeof DeletedKind>;

export const DeletedReport = Type.Object({
  id: Id,
  deletedAt: Timestamp,
  deletedBy: Type.String(),
  kind: DeletedKind,
  clientName: Type.String(),
  scheduleName: Nullable(Type.String()),
  bytes: Bytes,
  reason: Type.String(),
});
export type DeletedReport = Static<typeof DeletedReport>;

const RUN_SORTABLE = { startedAt: plain, finishedAt: plain, status: plain };

export const BackupReportList = ListOf(BackupReport);
export const BACKUP_REPORT_LIST = listSpec(BackupReportList, { sortable: RUN_SORTABLE, search: ['status'], defaultSort: '-startedAt' });

export const RestoreReportList = ListOf(RestoreReport);
export const RESTORE_REPORT_LIST = listSpec(RestoreReportList, { sortable: RUN_SORTABLE, search: ['status', 'target'], defaultSort: '-startedAt' });

export const DeletedReportList = ListOf(DeletedReport);
export const DELETED_REPORT_LIST = listSpec(DeletedReportList, {
  sortable: { deletedAt: plain, kind: plain, clientName: folded, bytes: plain },
  search: ['clientName', 'scheduleName'],
  defaultSort: '-deletedAt',
});
