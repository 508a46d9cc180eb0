import { Schedule } from '../../../src-shared/api/schedules.js';
import type { scheduleRequests } from '../../../src-shared/bridge/schedules.js';
import type { ConsoleState } from '../console-state.js';
import { NoContent, ScheduleList } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

export const scheduleHandlers = ({ servers }: ConsoleState) =>
  ({
    'schedules.list': ({ serverId, id, query }) => servers.get(serverId).read(apiPath`/clients/${id}/schedules`, query, ScheduleList, { kind: 'schedules' }),
    'schedules.update': ({ serverId, id, patch }) => servers.get(serverId).write('PATCH', apiPath`/schedules/${id}`, patch, Schedule),
    'schedules.delete': ({ serverId, id }) => servers.get(serverId).write('DELETE', apiPath`/schedules/${id}`, undefined, NoContent),
  }) satisfies Handlers<typeof scheduleRequests>;
