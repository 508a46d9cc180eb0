import { Type, type Static } from 'typebox';
import { ListOf, Nullable, PAGING, Timestamp } from './common.js';
import { listSpec } from './list-spec.js';
import { Role } from './session.js';

export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actor: Type.String(),
  role: Role,
  action: Type.String(),
  objectType: Type.String(),
  objectId: Type.String(),
  objectName: Type.String(),
  before: Nullable(Type.Record(Type.String(), Type.Unknown())),
  after: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditList = ListOf(AuditEntry);
/** Newest first, in the order entries were written (the id is the sequence number); not sortable otherwise. */
export const AUDIT_LIST = listSpec(AuditList, { sortable: { at: { numberIn: 'id' } }, search: ['objectName', 'actor', 'action'], defaultSort: '-at', numericIds: true });

/** API.md: `GET /audit-log?offset&limit&q`, always newest first. */
export const AuditQuery = Type.Object(PAGING, { additionalProperties: false });
export type AuditQuery = Static<typeof AuditQuery>;
