import { Job, MaintenanceSummary } from '../../../src-shared/api/jobs.js';
import type { jobRequests } from '../../../src-shared/bridge/jobs.js';
import type { ConsoleState } from '../console-state.js';
import { apiPath, type Handlers } from './handler.js';

export const jobHandlers = ({ servers }: ConsoleState) =>
  ({
    'jobs.get': ({ serverId, id }) => servers.get(serverId).get(apiPath`/jobs/${id}`, Job),
    'maintenance.run': ({ serverId }) => servers.get(serverId).write('POST', '/maintenance/run', undefined, MaintenanceSummary),
  }) satisfies Handlers<typeof jobRequests>;
