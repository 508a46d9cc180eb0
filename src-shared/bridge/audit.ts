/** The server's audit log. */
import { Type } from 'typebox';
import { AuditEntry, AuditQuery } from '../api/audit.js';
import { Id, ListOf } from '../api/common.js';
import { Arg, CachedOf, type RequestSpecs } from './request.js';

export const auditRequests = {
  'auditLog.list': { arg: Arg({ serverId: Id, query: Type.Optional(AuditQuery) }), result: CachedOf(ListOf(AuditEntry)) },
} satisfies RequestSpecs;
