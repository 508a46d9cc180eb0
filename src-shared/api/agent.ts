import { Type, type Static, type TObject, type TProperties } from 'typebox';
import { Bytes, Count, FreeText, Id, MAX_INTEGER, Name, Nullable, OneOf, Timestamp } from './common.js';
import { Client } from './clients.js';
import { Frequency } from './schedules.js';

/**
 * The agent API under /api/v1/agent (API.md leaves its design to us). An agent token works only here;
 * every call answers 410 CLIENT_MOVED once the client has moved, and backup calls apply the server's
 * policy (CUSTOMER_INACTIVE, CLIENT_NOT_AUTHORIZED, MCAL_EXHAUSTED, QUOTA_EXCEEDED, TRIAL_EXPIRED).
 *
 * A backup: POST /backups → POST /backups/:id/missing (which chunks does the server lack?) →
 * PUT /backups/:id/packs (the missing chunks, framed; see CHUNK_FRAME) → POST /backups/:id/commit
 * with the manifest, or POST /backups/:id/fail.
 */

const MACHINE = {
  name: Name,
  hostname: Type.Optional(FreeText(255)),
  os: Type.Optional(FreeText(100)),
};
/** The ways a machine joins: with a registration key from "Add New Client", into a customer by name, or as a trial. */
const JOINS_BY = {
  key: Type.String({ minLength: 1, maxLength: 200 }),
  customer: Name,
  trial: Type.Literal(true),
};
const joinsBy = (way: keyof typeof JOINS_BY) => Type.Object({ ...MACHINE, [way]: JOINS_BY[way] }, { additionalProperties: false });

/**
 * What a registering machine sends. The agent builds it up field by field, so each way of joining is an
 * optional field of the type; the schema admits exactly one of them.
 */
export type AgentRegister = Static<TObject<typeof MACHINE>> & Partial<Static<TObject<typeof JOINS_BY>>>;
/** POST /agent/register: exactly one of key, customer or trial says how the machine joins. */
export const AgentRegister = OneOf<AgentRegister>([joinsBy('key'), joinsBy('customer'), joinsBy('trial')], {
  description: 'Exactly one of: key (from "Add New Client"), customer (a customer\'s name), or trial.',
});

export const AgentRegistered = Type.Object({ token: Type.String(), client: Client });
export type AgentRegistered = Static<typeof AgentRegistered>;

export const ChunkHash = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** PUT /agent/schedules: creates the schedule named `name`, or updates its sources and frequency. */
export const AgentScheduleUpsert = Type.Object(
  {
    name: Name,
    sources: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 100 }),
    frequency: Frequency,
  },
  { additionalProperties: false },
);
export type AgentScheduleUpsert = Static<typeof AgentScheduleUpsert>;

export const BackupStart = Type.Object({ scheduleId: Id }, { additionalProperties: false });
export type BackupStart = Static<typeof BackupStart>;

export const BackupStarted = Type.Object({ backupId: Id, startedAt: Timestamp });
export type BackupStarted = Static<typeof BackupStarted>;

export const MissingQuery = Type.Object({ hashes: Type.Array(ChunkHash, { maxItems: 10_000 }) }, { additionalProperties: false });
export type MissingQuery = Static<typeof MissingQuery>;

export const MissingResult = Type.Object({ missing: Type.Array(ChunkHash) });
export type MissingResult = Static<typeof MissingResult>;

export const PackStored = Type.Object({ chunks: Count, bytes: Bytes });
export type PackStored = Static<typeof PackStored>;

/** One file system object in a backup. Paths are the agent's absolute paths with forward slashes. */
export const ManifestEntry = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 4096 }),
    type: Type.Union([Type.Literal('file'), Type.Literal('dir'), Type.Literal('symlink')]),
    size: Bytes,
    /** Milliseconds since the epoch; negative before 1970 (extracted archives, some file systems). */
    mtimeMs: Type.Integer({ minimum: -MAX_INTEGER, maximum: MAX_INTEGER }),
    mode: Type.Integer({ minimum: 0, maximum: 0o7777 }),
    linkTarget: Type.Optional(Type.String({ maxLength: 4096 })),
    /** The file's chunks in order (files only). */
    chunks: Type.Optional(Type.Array(ChunkHash)),
    /** Change detection for the next backup, as restic does: an unchanged (size, mtime, ctime, inode) is not read again. */
    ctimeMs: Type.Optional(Count),
    ino: Type.Optional(Count),
  },
  { additionalProperties: false },
);
export type ManifestEntry = Static<typeof ManifestEntry>;

export const BackupStats = Type.Object(
  {
    filesScanned: Count,
    filesUploaded: Count,
    bytesScanned: Bytes,
    bytesUploaded: Bytes,
  },
  { additionalProperties: false },
);
export type BackupStats = Static<typeof BackupStats>;

/**
 * A manifest as the changes since an earlier backup of the same schedule: what an incremental backup
 * sends, so a commit costs what changed rather than what exists.
 */
export const ManifestDelta = Type.Object(
  {
    /** A committed backup of the same schedule (the agent's previous one). */
    base: Id,
    /** Entries that are new or differ from the base's (an entry replaces the base's entry of its path). */
    changed: Type.Array(ManifestEntry),
    /** Paths of the base that are gone. */
    removed: Type.Array(ManifestEntry.properties.path),
  },
  { additionalProperties: false },
);
export type ManifestDelta = Static<typeof ManifestDelta>;

const committed = <T extends TProperties>(manifest: T) =>
  Type.Object(
    {
      status: Type.Union([Type.Literal('success'), Type.Literal('partial')]),
      stats: BackupStats,
      ...manifest,
      error: Type.Optional(Type.String({ maxLength: 10_000 })),
    },
    { additionalProperties: false },
  );
const CommitWhole = committed({ manifest: Type.Array(ManifestEntry) });
const CommitDelta = committed({ delta: ManifestDelta });

/**
 * POST /agent/backups/:id/commit: the backup is complete (`success`) or complete but for listed errors
 * (`partial`). Its manifest comes whole (`manifest`) or as changes since an earlier backup (`delta`):
 * exactly one of the two.
 */
export type BackupCommit = Static<typeof CommitWhole> | Static<typeof CommitDelta>;
export const BackupCommit = OneOf<BackupCommit>([CommitWhole, CommitDelta], { description: 'Exactly one of: manifest (whole) or delta (the changes since an earlier backup).' });

/** POST /agent/backups/:id/fail: the run ends without a restorable backup. */
export const BackupFail = Type.Object(
  { stats: BackupStats, error: Type.String({ minLength: 1, maxLength: 10_000 }) },
  { additionalProperties: false },
);
export type BackupFail = Static<typeof BackupFail>;

export const BackupSummary = Type.Object({ id: Id, scheduleId: Id, createdAt: Timestamp, files: Count, bytes: Bytes });
export type BackupSummary = Static<typeof BackupSummary>;

export const Manifest = Type.Object({ backup: BackupSummary, entries: Type.Array(ManifestEntry) });
export type Manifest = Static<typeof Manifest>;

export const RestoreStart = Type.Object(
  { scheduleId: Id, backupId: Id, target: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export type RestoreStart = Static<typeof RestoreStart>;

export const RestoreStarted = Type.Object({ restoreId: Id });
export type RestoreStarted = Static<typeof RestoreStarted>;

export const RestoreFinish = Type.Object(
  {
    status: Type.Union([Type.Literal('success'), Type.Literal('partial'), Type.Literal('failed')]),
    files: Count,
    bytes: Bytes,
    error: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
);
export type RestoreFinish = Static<typeof RestoreFinish>;

/**
 * The 410 CLIENT_MOVED details: where the client lives now (its certificate's SHA-256, null for http). The
 * agent's own token works there: the client's identity moved with it.
 */
export const ClientMovedDetails = Type.Object({ server: Type.Object({ url: Type.String(), fingerprint: Nullable(Type.String()) }) });
export type ClientMovedDetails = Static<typeof ClientMovedDetails>;

/**
 * The body of PUT /agent/backups/:id/packs: chunks back to back, each framed as
 * [32 bytes: SHA-256 of the plain chunk][4 bytes: big-endian length N of the encoded chunk][N bytes: the
 * encoded chunk (chunk-codec)]. The server stores only chunks whose decoded bytes hash to their name.
 */
export const CHUNK_FRAME = { hashBytes: 32, lengthBytes: 4 } as const;
export const MAX_PACK_BYTES = 64 * 1024 * 1024;
