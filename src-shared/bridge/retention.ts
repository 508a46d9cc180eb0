/**
 * Retention and backup versions (API.md): the server's default policy, each schedule's own (or inherited)
 * policy with a preview of what pruning with a policy would do now, and a schedule's kept versions.
 * Policies and versions are cached for offline reading; changes and previews are live.
 */
import { Id } from '../api/common.js';
import { BackupVersionList, RetentionPolicy, RetentionPreview, ScheduleRetention, ScheduleRetentionInput } from '../api/retention.js';
import { Arg, ById, CachedOf, ListArg, ServerArg, type RequestSpecs } from './request.js';

export const retentionRequests = {
  'retention.defaults.get': { arg: ServerArg, result: CachedOf(RetentionPolicy) },
  /** Administrators only (the server answers a reseller 403). */
  'retention.defaults.set': { arg: Arg({ serverId: Id, policy: RetentionPolicy }), result: RetentionPolicy },
  /** `id`: the schedule. */
  'retention.schedule.get': { arg: ById, result: CachedOf(ScheduleRetention) },
  'retention.schedule.set': { arg: Arg({ serverId: Id, id: Id, retention: ScheduleRetentionInput }), result: ScheduleRetention },
  /** What pruning schedule `id` with `policy` would do now; nothing is written. */
  'retention.preview': { arg: Arg({ serverId: Id, id: Id, policy: RetentionPolicy }), result: RetentionPreview },
  /** `id`: the schedule; its kept versions, newest first. */
  'retention.versions': { arg: ListArg, result: CachedOf(BackupVersionList) },
} satisfies RequestSpecs;
