/** The server's audit log. */
import { Type } from 'typebox';
import { AuditList, AuditQuery } from '../api/audit.js';
import { Id } from '../api/common.js';
import { Arg, CachedOf, type RequestSpecs } from './request.js';

export const auditRequests = {
  'auditLog.list': { arg: Arg({ serverId: Id, query: Type.Optional(AuditQuery) }), result: CachedOf(AuditList) },
} satisfies RequestSpecs;
