import { Type, type Static } from 'typebox';
import { Bytes, Id, Name, Nullable, Timestamp } from './common.js';
import { Fingerprint, ServerUrl } from './replication.js';

/**
 * Seed backup migration (API.md): chosen clients, with their backup data, schedules, reports and identity,
 * move from this server to another; their agents follow the 410 CLIENT_MOVED redirect and go on
 * incrementally there. The target is reached with a short-lived admin session token of the target that the
 * console obtained with its own stored credentials; it is kept in memory only, so an interrupted migration
 * is resumed with a fresh one.
 */

/** A target admin session token (POST /session on the target). Write-only: never returned or stored. */
const TargetToken = Type.String({ minLength: 1, maxLength: 512, writeOnly: true });

export const SeedMigrationTarget = Type.Object(
  { url: ServerUrl, token: TargetToken, fingerprint: Nullable(Fingerprint) },
  { additionalProperties: false },
);
export type SeedMigrationTarget = Static<typeof SeedMigrationTarget>;

/** At most this many clients move in one migration. */
export const MAX_SEED_CLIENTS = 1_000;

export const SeedMigrationCreate = Type.Object(
  {
    clientIds: Type.Array(Id, { minItems: 1, maxItems: MAX_SEED_CLIENTS, uniqueItems: true }),
    target: SeedMigrationTarget,
    /** The customer on the target the (non-trial) clients join; by default one of the same name as on this server. */
    targetCustomerName: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type SeedMigrationCreate = Static<typeof SeedMigrationCreate>;

export const SeedMigrationStarted = Type.Object({ id: Id, jobId: Id });
export type SeedMigrationStarted = Static<typeof SeedMigrationStarted>;

export const SeedMigrationResume = Type.Object({ token: TargetToken }, { additionalProperties: false });
export type SeedMigrationResume = Static<typeof SeedMigrationResume>;

export const SeedClientState = Type.Union([Type.Literal('queued'), Type.Literal('copying'), Type.Literal('moved'), Type.Literal('failed')]);
export type SeedClientState = Static<typeof SeedClientState>;

export const SeedMigrationStatus = Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('partial'), Type.Literal('failed')]);
export type SeedMigrationStatus = Static<typeof SeedMigrationStatus>;

export const SeedMigrationClient = Type.Object({
  clientId: Id,
  name: Type.String(),
  state: SeedClientState,
  /** Chunk bytes sent to the target so far (only what it lacked travels). */
  bytesCopied: Bytes,
  /** The bytes of the chunks the target lacked when the client's copy began (0 until then). */
  bytesTotal: Bytes,
  /** Why the client failed, the API code first (`MCAL_EXHAUSTED: …`); null otherwise. */
  error: Nullable(Type.String()),
});
export type SeedMigrationClient = Static<typeof SeedMigrationClient>;

export const SeedMigration = Type.Object({
  id: Id,
  jobId: Id,
  status: SeedMigrationStatus,
  target: Type.Object({ url: Type.String(), fingerprint: Nullable(Type.String()) }),
  targetCustomerName: Nullable(Type.String()),
  createdAt: Timestamp,
  clients: Type.Array(SeedMigrationClient),
});
export type SeedMigration = Static<typeof SeedMigration>;
