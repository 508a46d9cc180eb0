import { Type, type Static } from 'typebox';
import { ChunkHash } from './agent.js';
import { BackupStatus, ClientStatus } from './clients.js';
import { Bytes, Count, Email, Id, Name, Nullable, Timestamp } from './common.js';
import { DeletedKind, RestoreStatus } from './reports.js';
import { Frequency } from './schedules.js';

/**
 * Server to server (API.md, Replication): the routes under /api/v1/peer a replication server answers, for
 * an admin session token of its own. A run of the source, for one customer:
 * 1. PUT /peer/replicas/:serverId/:customerId — the customer with its clients and schedules; the replica creates or updates its copy, removes the clients and schedules the
 *    source no longer has, and answers which backups it holds.
 * 2. POST …/missing — which of the customer's chunks the replica lacks; PUT …/packs?schedule=ID — those chunks,
 *    framed as an agent's packs (CHUNK_FRAME), checked against their names, counted against that schedule.
 * 3. POST …/backups — the backups the replica lacks (manifests as stored, base first) and the reports and
 *    deleted report entries since the last run; a backup commits only when the replica holds every chunk it uses.
 * DELETE /peer/replicas/:serverId/:customerId applies a source's deletion of the whole customer.
 */

export const PeerReplicaParams = Type.Object({ serverId: Id, customerId: Id }, { additionalProperties: false });
export type PeerReplicaParams = Static<typeof PeerReplicaParams>;
export const PeerPackQuery = Type.Object({ schedule: Id }, { additionalProperties: false });

const Text = (maxLength: number) => Type.String({ maxLength });

export const PeerSchedule = Type.Object(
  {
    id: Id,
    name: Name,
    sources: Type.Array(Text(4096), { maxItems: 100 }),
    frequency: Frequency,
    enabled: Type.Boolean(),
    lastRunAt: Nullable(Timestamp),
    lastStatus: Nullable(BackupStatus),
    nextRunAt: Nullable(Timestamp),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type PeerSchedule = Static<typeof PeerSchedule>;

export const PeerClient = Type.Object(
  {
    id: Id,
    name: Name,
    hostname: Text(255),
    os: Text(100),
    status: ClientStatus,
    /** The SHA-256 of the client's agent token: the agent restores from the replica with its own token. */
    agentTokenHash: Nullable(ChunkHash),
    lastBackupAt: Nullable(Timestamp),
    lastBackupStatus: Nullable(BackupStatus),
    createdAt: Timestamp,
    schedules: Type.Array(PeerSchedule, { maxItems: 1_000 }),
  },
  { additionalProperties: false },
);
export type PeerClient = Static<typeof PeerClient>;

export const PeerDeleted = Type.Object(
  {
    id: Id,
    clientId: Id,
    scheduleId: Nullable(Id),
    deletedAt: Timestamp,
    deletedBy: Text(200),
    kind: DeletedKind,
    clientName: Text(200),
    scheduleName: Nullable(Text(200)),
    bytes: Bytes,
    reason: Text(200),
  },
  { additionalProperties: false },
);
export type PeerDeleted = Static<typeof PeerDeleted>;

export const PeerCustomerSync = Type.Object(
  {
    serverName: Text(200),
    resellerName: Name,
    customer: Type.Object(
      {
        name: Name,
        email: Email,
        mcalsAllotted: Nullable(Count),
        spaceAllotted: Nullable(Bytes),
        autoAuthorization: Type.Boolean(),
        active: Type.Boolean(),
        createdAt: Timestamp,
      },
      { additionalProperties: false },
    ),
    clients: Type.Array(PeerClient, { maxItems: 20_000 }),
  },
  { additionalProperties: false },
);
export type PeerCustomerSync = Static<typeof PeerCustomerSync>;

export const PeerReplicaSummary = Type.Object({ customerId: Id, backups: Type.Array(Id) });
export type PeerReplicaSummary = Static<typeof PeerReplicaSummary>;

export const PeerBackup = Type.Object(
  {
    id: Id,
    scheduleId: Id,
    createdAt: Timestamp,
    files: Count,
    bytes: Bytes,
    /** The manifest as the source stores it: zstd-compressed JSON, whole (`baseId` null) or a delta against `baseId`. */
    manifest: Type.Object({ baseId: Nullable(Id), depth: Count, entries: Type.String({ contentEncoding: 'base64' }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type PeerBackup = Static<typeof PeerBackup>;

const RUN_FIELDS = { id: Id, scheduleId: Id, startedAt: Timestamp, finishedAt: Nullable(Timestamp), error: Nullable(Text(10_000)) };
export const PeerBackupReport = Type.Object(
  { ...RUN_FIELDS, status: BackupStatus, filesScanned: Count, filesUploaded: Count, bytesScanned: Bytes, bytesUploaded: Bytes },
  { additionalProperties: false },
);
export type PeerBackupReport = Static<typeof PeerBackupReport>;
export const PeerRestoreReport = Type.Object({ ...RUN_FIELDS, status: RestoreStatus, files: Count, bytes: Bytes, target: Text(4096) }, { additionalProperties: false });
export type PeerRestoreReport = Static<typeof PeerRestoreReport>;

export const PeerBackups = Type.Object(
  {
    backups: Type.Array(PeerBackup, { maxItems: 1_000 }),
    backupReports: Type.Array(PeerBackupReport, { maxItems: 10_000 }),
    restoreReports: Type.Array(PeerRestoreReport, { maxItems: 10_000 }),
    deleted: Type.Array(PeerDeleted, { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type PeerBackups = Static<typeof PeerBackups>;

export const PeerBackupsStored = Type.Object({ backups: Count });
export type PeerBackupsStored = Static<typeof PeerBackupsStored>;

/**
 * Seed backup migration, the target's side (API.md): a source moves one client at a time.
 * 1. PUT /peer/seeds/:serverId/:clientId — the client with its schedules (and its customer, created here
 *    when missing); the target holds it hidden (listed nowhere, counted nowhere) and answers the backups it
 *    holds, or `committed` when it already took the client over (a rerun after a crash).
 * 2. POST …/missing and PUT …/packs?schedule=ID, then POST …/backups — as for a replica.
 * 3. POST …/commit — the client becomes the target's: authorized, counted, its agent token valid.
 */
export const PeerSeedParams = Type.Object({ serverId: Id, clientId: Id }, { additionalProperties: false });
export type PeerSeedParams = Static<typeof PeerSeedParams>;

/** A seeded client arrives with neither its token (that comes with the hand-over) nor its status (it is authorized then). */
const { agentTokenHash: _token, status: _status, ...SEED_CLIENT_FIELDS } = PeerClient.properties;

export const PeerSeed = Type.Object(
  {
    serverName: Text(200),
    resellerName: Name,
    /** The customer the client joins, created with these fields when missing; null for a trial client. */
    customer: Nullable(Type.Object({ name: Name, email: Email, autoAuthorization: Type.Boolean(), active: Type.Boolean() }, { additionalProperties: false })),
    client: Type.Object(
      {
        ...SEED_CLIENT_FIELDS,
        trial: Type.Boolean(),
        trialExpiresAt: Nullable(Timestamp),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PeerSeed = Static<typeof PeerSeed>;

export const PeerSeedSummary = Type.Object({ committed: Type.Boolean(), backups: Type.Array(Id) });
export type PeerSeedSummary = Static<typeof PeerSeedSummary>;

/** The hand-over: the client's agent token (its SHA-256) becomes valid here. */
export const PeerSeedCommit = Type.Object({ agentTokenHash: Nullable(ChunkHash) }, { additionalProperties: false });
export type PeerSeedCommit = Static<typeof PeerSeedCommit>;
