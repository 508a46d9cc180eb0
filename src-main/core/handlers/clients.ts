import { Client, ClientCreated } from '../../../src-shared/api/clients.js';
import type { clientRequests } from '../../../src-shared/bridge/clients.js';
import type { ConsoleState } from '../console-state.js';
import { ClientList, NoContent } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

export const clientHandlers = ({ servers }: ConsoleState) =>
  ({
    'clients.list': ({ serverId, id, query }) => servers.get(serverId).read(apiPath`/customers/${id}/clients`, query, ClientList, { kind: 'clients' }),
    'clients.listTrial': ({ serverId, query }) => servers.get(serverId).read('/trial-clients', query, ClientList, { kind: 'clients' }),
    'clients.create': ({ serverId, customerId, input }) => servers.get(serverId).write('POST', apiPath`/customers/${customerId}/clients`, input, ClientCreated),
    'clients.update': ({ serverId, id, patch }) => servers.get(serverId).write('PATCH', apiPath`/clients/${id}`, patch, Client),
    'clients.authorize': ({ serverId, id }) => servers.get(serverId).write('POST', apiPath`/clients/${id}/authorize`, undefined, Client),
    'clients.migrate': ({ serverId, id, input }) => servers.get(serverId).write('POST', apiPath`/clients/${id}/migrate`, input, Client),
    'clients.delete': ({ serverId, id }) => servers.get(serverId).write('DELETE', apiPath`/clients/${id}`, undefined, NoContent),
  }) satisfies Handlers<typeof clientRequests>;
