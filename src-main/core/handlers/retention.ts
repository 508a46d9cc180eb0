import { RetentionPolicy, RetentionPreview, ScheduleRetention } from '../../../src-shared/api/retention.js';
import type { retentionRequests } from '../../../src-shared/bridge/retention.js';
import type { ConsoleState } from '../console-state.js';
import { BackupVersionList } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

/**
 * Retention (API.md): the server default, a schedule's policy and its preview, and the kept versions.
 * Reads go through the offline cache; a preview is a POST that writes nothing, but it is live like a change.
 */
export const retentionHandlers = ({ servers }: ConsoleState) =>
  ({
    'retention.defaults.get': ({ serverId }) => servers.get(serverId).read('/retention-defaults', undefined, RetentionPolicy),
    'retention.defaults.set': ({ serverId, policy }) => servers.get(serverId).write('PUT', '/retention-defaults', policy, RetentionPolicy),
    'retention.schedule.get': ({ serverId, id }) => servers.get(serverId).read(apiPath`/schedules/${id}/retention`, undefined, ScheduleRetention),
    'retention.schedule.set': ({ serverId, id, retention }) => servers.get(serverId).write('PUT', apiPath`/schedules/${id}/retention`, retention, ScheduleRetention),
    'retention.preview': ({ serverId, id, policy }) => servers.get(serverId).write('POST', apiPath`/schedules/${id}/retention/preview`, { policy }, RetentionPreview),
    'retention.versions': ({ serverId, id, query }) => servers.get(serverId).read(apiPath`/schedules/${id}/backups`, query, BackupVersionList, { kind: 'backupVersions' }),
  }) satisfies Handlers<typeof retentionRequests>;
