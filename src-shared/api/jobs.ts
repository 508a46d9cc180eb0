import { Type, type Static } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';

export const JobStatus = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]);
export type JobStatus = Static<typeof JobStatus>;

export const Job = Type.Object({
  id: Id,
  kind: Type.String(),
  status: JobStatus,
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer(), bytes: Type.Integer() }),
  error: Nullable(Type.String()),
  createdAt: Timestamp,
  finishedAt: Nullable(Timestamp),
});
export type Job = Static<typeof Job>;

export const MaintenanceSummary = Type.Object({
  ranAt: Timestamp,
  trialClientsExpired: Type.Integer({ minimum: 0 }),
  trialClientsDeleted: Type.Integer({ minimum: 0 }),
  bytesFreed: Type.Integer({ minimum: 0 }),
  /** Backup runs whose agent went silent long ago, closed as failed. */
  staleRunsClosed: Type.Integer({ minimum: 0 }),
  sessionsPurged: Type.Integer({ minimum: 0 }),
});
export type MaintenanceSummary = Static<typeof MaintenanceSummary>;
