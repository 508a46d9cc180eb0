import { Customer, DeletionPreview } from '../../../src-shared/api/customers.js';
import type { customerRequests } from '../../../src-shared/bridge/customers.js';
import type { ConsoleState } from '../console-state.js';
import { CustomerList, NoContent } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

export const customerHandlers = ({ servers }: ConsoleState) =>
  ({
    'customers.list': ({ serverId, id, query }) => servers.get(serverId).read(apiPath`/resellers/${id}/customers`, query, CustomerList, { kind: 'customers' }),
    'customers.get': ({ serverId, id }) => servers.get(serverId).read(apiPath`/customers/${id}`, undefined, Customer),
    'customers.create': ({ serverId, resellerId, input }) => servers.get(serverId).write('POST', apiPath`/resellers/${resellerId}/customers`, input, Customer),
    'customers.update': ({ serverId, id, patch }) => servers.get(serverId).write('PATCH', apiPath`/customers/${id}`, patch, Customer),
    'customers.deletionPreview': ({ serverId, id }) => servers.get(serverId).get(apiPath`/customers/${id}/deletion-preview`, DeletionPreview),
    'customers.delete': ({ serverId, id }) => servers.get(serverId).write('DELETE', apiPath`/customers/${id}`, undefined, NoContent),
  }) satisfies Handlers<typeof customerRequests>;
