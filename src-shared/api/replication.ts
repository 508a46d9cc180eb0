import { Type, type Static } from 'typebox';
import { Bytes, Count, Id, ListOf, Nullable, Timestamp } from './common.js';
import { folded, listSpec, plain } from './list-spec.js';
import { ReplicationMode } from './customers.js';
import { Frequency } from './schedules.js';

/**
 * Replication (API.md): customers' backup data copied to other backup servers on a schedule. The global
 * configuration applies to every customer in mode `inherit`; `custom` carries its own; `off` replicates
 * nothing (and keeps the replicas as they are).
 */

/** A replication frequency: a schedule frequency without `manual`. */
export const ReplicationFrequency = Type.Object(
  {
    kind: Type.Union([Type.Literal('hourly'), Type.Literal('daily'), Type.Literal('weekly')]),
    at: Frequency.properties.at,
    days: Frequency.properties.days,
  },
  { additionalProperties: false },
);
export type ReplicationFrequency = Static<typeof ReplicationFrequency>;

/** The replica's certificate SHA-256 as 64 lowercase hex digits; `null` for an `http://` URL (loopback only). */
export const Fingerprint = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** A replication server's base URL: `https://host[:port]`, or `http://` on a loopback address. */
export const ServerUrl = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://[^\\s/?#]+/?$' });
/** The highest bandwidth limit a configuration takes, in KiB/s (about 9.5 GiB/s). */
export const MAX_BANDWIDTH_KIBPS = 10_000_000;
/** KiB/s (1024 bytes) for all the replication traffic a configuration sends; `null` = unlimited. */
export const BandwidthLimit = Nullable(Type.Integer({ minimum: 1, maximum: MAX_BANDWIDTH_KIBPS }));

const SERVER_FIELDS = {
  url: ServerUrl,
  username: Type.String({ minLength: 1, maxLength: 200 }),
  fingerprint: Nullable(Fingerprint),
};
/** A replication server as the API returns it: never its password. */
export const ReplicationServer = Type.Object(SERVER_FIELDS);
export type ReplicationServer = Static<typeof ReplicationServer>;
/** A replication server as a PUT sends it: without `password`, the stored one of the same url + username is kept. */
export const ReplicationServerInput = Type.Object(
  { ...SERVER_FIELDS, password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, writeOnly: true })) },
  { additionalProperties: false },
);
export type ReplicationServerInput = Static<typeof ReplicationServerInput>;

export const MAX_REPLICATION_SERVERS = 8;
const Servers = <T extends typeof ReplicationServer | typeof ReplicationServerInput>(server: T) =>
  Type.Array(server, { maxItems: MAX_REPLICATION_SERVERS });

/** GET /replication: the global configuration ("Replication Management"). */
export const GlobalReplication = Type.Object({
  enabled: Type.Boolean(),
  frequency: ReplicationFrequency,
  bandwidthLimitKBps: BandwidthLimit,
  servers: Servers(ReplicationServer),
});
export type GlobalReplication = Static<typeof GlobalReplication>;

/** PUT /replication: the whole global configuration. */
export const GlobalReplicationInput = Type.Object(
  { enabled: Type.Boolean(), frequency: ReplicationFrequency, bandwidthLimitKBps: BandwidthLimit, servers: Servers(ReplicationServerInput) },
  { additionalProperties: false },
);
export type GlobalReplicationInput = Static<typeof GlobalReplicationInput>;

/** GET /customers/:id/replication: the mode, and the customer's own configuration when it is `custom`. */
export const CustomerReplication = Type.Object({
  mode: ReplicationMode,
  frequency: Type.Optional(ReplicationFrequency),
  bandwidthLimitKBps: Type.Optional(BandwidthLimit),
  servers: Type.Optional(Servers(ReplicationServer)),
});
export type CustomerReplication = Static<typeof CustomerReplication>;

/** PUT /customers/:id/replication: `custom` needs `frequency` and `servers`, and is admin-only. */
export const CustomerReplicationInput = Type.Object(
  {
    mode: ReplicationMode,
    frequency: Type.Optional(ReplicationFrequency),
    bandwidthLimitKBps: Type.Optional(BandwidthLimit),
    servers: Type.Optional(Servers(ReplicationServerInput)),
  },
  { additionalProperties: false },
);
export type CustomerReplicationInput = Static<typeof CustomerReplicationInput>;

export const ReplicationRunStarted = Type.Object({ jobId: Id });
export type ReplicationRunStarted = Static<typeof ReplicationRunStarted>;

export const ReplicationState = Type.Union([Type.Literal('idle'), Type.Literal('running'), Type.Literal('failed')]);
export type ReplicationState = Static<typeof ReplicationState>;

/** One replication server of a customer: how its last run went. The counts are the last run's. */
export const ReplicationTarget = Type.Object({
  url: Type.String(),
  state: ReplicationState,
  lastRunAt: Nullable(Timestamp),
  lastSuccessAt: Nullable(Timestamp),
  lastError: Nullable(Type.String()),
  chunksSent: Count,
  bytesSent: Bytes,
  /** When a failed run is tried again (backoff), or null. */
  retryAt: Nullable(Timestamp),
  /** The job of the run in progress or of the last one, for its live progress. */
  jobId: Nullable(Id),
});
export type ReplicationTarget = Static<typeof ReplicationTarget>;

/** GET /customers/:id/replication/status: one item per replication server the customer replicates to. */
export const ReplicationStatus = Type.Object({ items: Type.Array(ReplicationTarget), total: Count });
export type ReplicationStatus = Static<typeof ReplicationStatus>;

/**
 * A customer's replication at a glance, for the table of "Replication Management": `state` is the worst
 * of its servers' (`failed` > `running` > `idle`), `never` before a first run, `off` when nothing applies.
 */
export const ReplicationHealth = Type.Union([Type.Literal('failed'), Type.Literal('running'), Type.Literal('idle'), Type.Literal('never'), Type.Literal('off')]);
export type ReplicationHealth = Static<typeof ReplicationHealth>;
export const ReplicationOverviewItem = Type.Object({
  customerId: Id,
  customerName: Type.String(),
  resellerId: Id,
  mode: ReplicationMode,
  state: ReplicationHealth,
  /** 0 for failed, 1 running, 2 idle, 3 never, 4 off: sorting by it puts failed first. */
  urgency: Count,
  servers: Count,
  lastRunAt: Nullable(Timestamp),
  /** The oldest last success over its servers: how far behind its most lagging replica is. */
  lastSuccessAt: Nullable(Timestamp),
  lastError: Nullable(Type.String()),
  bytesSent: Bytes,
});
export type ReplicationOverviewItem = Static<typeof ReplicationOverviewItem>;
export const ReplicationOverviewList = ListOf(ReplicationOverviewItem);
/** GET /replication/customers: every customer's replication state, failed first by default. */
export const REPLICATION_OVERVIEW_LIST = listSpec(ReplicationOverviewList, {
  sortable: { customerName: folded, mode: plain, state: plain, urgency: plain, servers: plain, lastRunAt: plain, lastSuccessAt: plain, bytesSent: plain },
  search: ['customerName'],
  defaultSort: 'urgency',
});
