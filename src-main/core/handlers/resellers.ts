import type { resellerRequests } from '../../../src-shared/bridge/resellers.js';
import { Reseller } from '../../../src-shared/api/resellers.js';
import type { ConsoleState } from '../console-state.js';
import { NoContent, ResellerList } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

export const resellerHandlers = ({ servers }: ConsoleState) =>
  ({
    'resellers.list': ({ serverId, query }) => servers.get(serverId).read('/resellers', query, ResellerList, { kind: 'resellers' }),
    'resellers.create': ({ serverId, input }) => servers.get(serverId).write('POST', '/resellers', input, Reseller),
    'resellers.update': ({ serverId, id, patch }) => servers.get(serverId).write('PATCH', apiPath`/resellers/${id}`, patch, Reseller),
    'resellers.delete': ({ serverId, id }) => servers.get(serverId).write('DELETE', apiPath`/resellers/${id}`, undefined, NoContent),
  }) satisfies Handlers<typeof resellerRequests>;
