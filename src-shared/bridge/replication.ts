/** Replication: the global configuration, each customer's, "Replicate now" and how each replica is doing. */
import { Id } from '../api/common.js';
import {
  CustomerReplication,
  CustomerReplicationInput,
  GlobalReplication,
  GlobalReplicationInput,
  ReplicationOverviewList,
  ReplicationRunStarted,
  ReplicationStatus,
} from '../api/replication.js';
import { Arg, ById, CachedOf, ServerArg, ServerListArg, type RequestSpecs } from './request.js';

export const replicationRequests = {
  'replication.get': { arg: ServerArg, result: CachedOf(GlobalReplication) },
  /** Passwords travel only this way, typed by the user; a server entry without one keeps the stored password. */
  'replication.update': { arg: Arg({ serverId: Id, config: GlobalReplicationInput }), result: GlobalReplication },
  /** Every customer's replication state ("Replication Management"), failed first by default. */
  'replication.overview': { arg: ServerListArg, result: CachedOf(ReplicationOverviewList) },
  /** `id`: the customer. */
  'replication.customer': { arg: ById, result: CachedOf(CustomerReplication) },
  'replication.updateCustomer': { arg: Arg({ serverId: Id, id: Id, config: CustomerReplicationInput }), result: CustomerReplication },
  'replication.status': { arg: ById, result: CachedOf(ReplicationStatus) },
  /** "Replicate now": the job to follow with jobs.get. */
  'replication.run': { arg: ById, result: ReplicationRunStarted },
} satisfies RequestSpecs;
