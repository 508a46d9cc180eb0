import { Type, type Static } from 'typebox';
import { Bytes, Id, Nullable, Timestamp } from './common.js';
import { BackupStatus } from './clients.js';

export const BackupReport = Type.Object({
  id: Id,
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  status: BackupStatus,
  filesScanned: Type.Integer({ minimum: 0 }),
  filesUploaded: Type.Integer({ minimum: 0 }),
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
  files: Type.Integer({ minimum: 0 }),
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

export const REPORT_SORT_FIELDS = ['startedAt', 'finishedAt', 'status'] as const;
export const DELETED_SORT_FIELDS = ['deletedAt', 'kind', 'clientName', 'bytes'] as const;
