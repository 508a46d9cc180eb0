import { IdParams } from '../../src-shared/api/common.js';
import {
  CustomerReplication,
  CustomerReplicationInput,
  GlobalReplication,
  GlobalReplicationInput,
  REPLICATION_OVERVIEW_LIST,
  ReplicationOverviewList,
  ReplicationRunStarted,
  ReplicationStatus,
} from '../../src-shared/api/replication.js';
import { requireOnPremise, requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { ok, type RoutePlugin } from './reply.js';

/** Replication (API.md), on-premise only: on a cloud deployment every route is a 409 FEATURE_UNAVAILABLE before its body is read. */
export const replicationRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  api.addHook('onRequest', requireOnPremise(s, 'Replication'));
  const doc = openapi('replication', 'session');
  api.get(
    '/replication',
    { schema: doc.get({ operationId: 'getReplication', description: 'The global replication configuration (administrator only); passwords are never returned.', response: ok(GlobalReplication), refuses: [403, 409] }) },
    async (req) => s.replication.config.global(req.principal),
  );
  api.put(
    '/replication',
    {
      schema: doc.put({
        operationId: 'updateReplication',
        description:
          'Replaces the global replication configuration (administrator only). A server entry without password keeps the stored one of the same url and username; https needs the fingerprint, http is for loopback only.',
        body: GlobalReplicationInput,
        response: ok(GlobalReplication),
        refuses: [403, 409],
      }),
    },
    async (req) => s.replication.config.setGlobal(req.principal, req.body),
  );
  api.get(
    '/replication/customers',
    {
      schema: doc.get({
        operationId: 'listReplicationStates',
        description: "Every customer's replication at a glance: its mode, servers, worst state, oldest last success and last error; sorted failed first by default (`urgency`). A reseller sees its own customers.",
        querystring: REPLICATION_OVERVIEW_LIST.query,
        response: ok(ReplicationOverviewList),
        refuses: [409],
      }),
    },
    async (req) => s.replication.status.overview(req.principal, req.query),
  );
  api.get(
    '/customers/:id/replication',
    { schema: doc.get({ operationId: 'getCustomerReplication', description: "A customer's replication mode, and its own configuration when it is custom.", params: IdParams, response: ok(CustomerReplication), refuses: [409] }) },
    async (req) => s.replication.config.customer(req.principal, req.params.id),
  );
  api.put(
    '/customers/:id/replication',
    {
      schema: doc.put({
        operationId: 'updateCustomerReplication',
        description: 'Sets the mode: inherit (the global configuration), custom (needs frequency and servers; administrator only, a reseller gets 403) or off (the replicas stay as they are).',
        params: IdParams,
        body: CustomerReplicationInput,
        response: ok(CustomerReplication),
        refuses: [403, 409],
      }),
    },
    async (req) => s.replication.config.setCustomer(req.principal, req.params.id, req.body),
  );
  api.post(
    '/customers/:id/replication/run',
    {
      schema: doc.post({
        operationId: 'runCustomerReplication',
        description: 'Replicates the customer now to each of its replication servers, as a job whose progress counts the chunks and bytes sent (only what a replica lacks). A run in progress answers its job; mode off or no server is a 409.',
        params: IdParams,
        response: { 202: ReplicationRunStarted },
        refuses: [409],
      }),
    },
    async (req, reply) => reply.code(202).send(s.replication.runs.start(req.principal, req.params.id)),
  );
  api.get(
    '/customers/:id/replication/status',
    {
      schema: doc.get({
        operationId: 'getCustomerReplicationStatus',
        description: 'One item per replication server: state, last run and success, last error, the chunks and bytes the last run sent, the retry time after a failure.',
        params: IdParams,
        response: ok(ReplicationStatus),
        refuses: [409],
      }),
    },
    async (req) => s.replication.status.status(req.principal, req.params.id),
  );
};
