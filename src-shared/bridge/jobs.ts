/** Server-side jobs and the maintenance run an admin can start. */
import { Job, MaintenanceSummary } from '../api/jobs.js';
import { ById, ServerArg, type RequestSpecs } from './request.js';

export const jobRequests = {
  'jobs.get': { arg: ById, result: Job },
  'maintenance.run': { arg: ServerArg, result: MaintenanceSummary },
} satisfies RequestSpecs;
