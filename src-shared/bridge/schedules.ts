/** A client's backup schedules. */
import { Id } from '../api/common.js';
import { Schedule, ScheduleList, SchedulePatch } from '../api/schedules.js';
import { Arg, ById, CachedOf, Done, ListArg, type RequestSpecs } from './request.js';

export const scheduleRequests = {
  /** `id`: the client. */
  'schedules.list': { arg: ListArg, result: CachedOf(ScheduleList) },
  'schedules.update': { arg: Arg({ serverId: Id, id: Id, patch: SchedulePatch }), result: Schedule },
  'schedules.delete': { arg: ById, result: Done },
} satisfies RequestSpecs;
