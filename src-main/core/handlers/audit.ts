import type { auditRequests } from '../../../src-shared/bridge/audit.js';
import type { ConsoleState } from '../console-state.js';
import { AuditList } from '../wire.js';
import type { Handlers } from './handler.js';

export const auditHandlers = ({ servers }: ConsoleState) =>
  ({
    'auditLog.list': ({ serverId, query }) => servers.get(serverId).read('/audit-log', query, AuditList, { kind: 'auditLog' }),
  }) satisfies Handlers<typeof auditRequests>;
