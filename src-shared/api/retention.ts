import { Type, type Static } from 'typebox';
import { Bytes, Count, Id, ListOf, Nullable, Timestamp } from './common.js';
import { BackupStatus } from './clients.js';
import { listSpec, plain } from './list-spec.js';

/**
 * Retention and backup versions (API.md): which backups of a schedule are kept, as restic's
 * `forget --keep-*` selects them (days, ISO weeks, months and years in UTC, by `startedAt`); the rest
 * are pruned, their chunks freed when no kept backup uses them.
 */

/** How many of the newest backups (or days, weeks, months, years with a backup) a rule keeps; null and 0 keep nothing. */
export const MAX_KEEP = 100_000;
const Keep = Nullable(Type.Integer({ minimum: 0, maximum: MAX_KEEP }));

/** A backup is kept when any rule selects it; all rules null/0 keeps everything. The newest successful backup is always kept. */
export const RetentionPolicy = Type.Object(
  { keepLast: Keep, keepDaily: Keep, keepWeekly: Keep, keepMonthly: Keep, keepYearly: Keep },
  { additionalProperties: false },
);
export type RetentionPolicy = Static<typeof RetentionPolicy>;
export const RETENTION_RULES = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const satisfies readonly (keyof RetentionPolicy)[];
/** Keep everything: the default until an administrator sets one. */
export const KEEP_EVERYTHING: RetentionPolicy = { keepLast: null, keepDaily: null, keepWeekly: null, keepMonthly: null, keepYearly: null };

/** GET /schedules/:id/retention: its own policy or the server default's, and the one that applies. */
export const ScheduleRetention = Type.Object({
  inherit: Type.Boolean(),
  /** The schedule's own policy (kept while it inherits, so switching back restores it). */
  policy: RetentionPolicy,
  /** What the next prune applies: the default while inheriting, else `policy`. */
  effective: RetentionPolicy,
});
export type ScheduleRetention = Static<typeof ScheduleRetention>;

/** PUT /schedules/:id/retention: `policy` is required when not inheriting, and ignored while inheriting. */
export const ScheduleRetentionInput = Type.Object({ inherit: Type.Boolean(), policy: Type.Optional(RetentionPolicy) }, { additionalProperties: false });
export type ScheduleRetentionInput = Static<typeof ScheduleRetentionInput>;

/** POST /schedules/:id/retention/preview: what pruning with `policy` would do now; nothing is written. */
export const RetentionPreviewInput = Type.Object({ policy: RetentionPolicy }, { additionalProperties: false });
export type RetentionPreviewInput = Static<typeof RetentionPreviewInput>;
export const RetentionPreview = Type.Object({
  /** Versions kept. */
  kept: Count,
  /** Versions pruned. */
  removed: Count,
  /** The stored bytes pruning them frees: chunks only the pruned backups use. */
  bytesFreed: Bytes,
});
export type RetentionPreview = Static<typeof RetentionPreview>;

/** A kept backup version of a schedule; `bytes` is its logical size, as backed up. */
export const BackupVersion = Type.Object({
  id: Id,
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  status: BackupStatus,
  files: Count,
  bytes: Bytes,
});
export type BackupVersion = Static<typeof BackupVersion>;
export const BackupVersionList = ListOf(BackupVersion);
export type BackupVersionList = Static<typeof BackupVersionList>;
/** GET /schedules/:id/backups: the kept versions, newest first. */
export const BACKUP_VERSION_LIST = listSpec(BackupVersionList, {
  sortable: { startedAt: plain, finishedAt: plain, status: plain, files: plain, bytes: plain },
  search: ['status'],
  defaultSort: '-startedAt',
});
