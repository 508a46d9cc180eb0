import { CustomerReplication, GlobalReplication, ReplicationRunStarted, ReplicationStatus } from '../../../src-shared/api/replication.js';
import type { replicationRequests } from '../../../src-shared/bridge/replication.js';
import type { ConsoleState } from '../console-state.js';
import { ReplicationOverviewList } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

/**
 * Replication (API.md): reads are cached for offline reading like every other view (the overview is a list
 * the offline cache can filter and sort); changes and "Replicate now" need the server. Passwords of
 * replication servers only travel to the server inside `config`, and never come back.
 */
export const replicationHandlers = ({ servers }: ConsoleState) =>
  ({
    'replication.get': ({ serverId }) => servers.get(serverId).read('/replication', undefined, GlobalReplication),
    'replication.update': ({ serverId, config }) => servers.get(serverId).write('PUT', '/replication', config, GlobalReplication),
    'replication.overview': ({ serverId, query }) =>
      servers.get(serverId).read('/replication/customers', query, ReplicationOverviewList, { kind: 'replicationOverview' }),
    'replication.customer': ({ serverId, id }) => servers.get(serverId).read(apiPath`/customers/${id}/replication`, undefined, CustomerReplication),
    'replication.updateCustomer': ({ serverId, id, config }) => servers.get(serverId).write('PUT', apiPath`/customers/${id}/replication`, config, CustomerReplication),
    'replication.status': ({ serverId, id }) => servers.get(serverId).read(apiPath`/customers/${id}/replication/status`, undefined, ReplicationStatus),
    'replication.run': ({ serverId, id }) => servers.get(serverId).write('POST', apiPath`/customers/${id}/replication/run`, undefined, ReplicationRunStarted),
  }) satisfies Handlers<typeof replicationRequests>;
