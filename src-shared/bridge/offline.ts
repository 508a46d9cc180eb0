/** The offline cache: making a customer's subtree available offline (progress as `job.progress`), its size, clearing it. */
import { Type } from 'typebox';
import { Id } from '../api/common.js';
import { Arg, Done, NoArg, type RequestSpecs } from './request.js';

export const offlineRequests = {
  /** Answers at once with the job id; the work goes on in the background. */
  'offline.makeAvailable': { arg: Arg({ serverId: Id, customerId: Id }), result: Type.Object({ jobId: Type.String() }) },
  /** One server's cached data, or (no serverId) everything. */
  'offline.clear': { arg: Arg({ serverId: Type.Optional(Id) }), result: Done },
  'offline.size': { arg: NoArg, result: Type.Object({ bytes: Type.Integer({ minimum: 0 }) }) },
} satisfies RequestSpecs;
