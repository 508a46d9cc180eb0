import { Type, type Static } from 'typebox';
import { Bytes, Count, Id, Nullable, Timestamp } from './common.js';

export const JobStatus = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]);
export type JobStatus = Static<typeof JobStatus>;

export const Job = Type.Object({
  id: Id,
  kind: Type.String(),
  status: JobStatus,
  progress: Type.Object({ done: Count, total: Count, bytes: Bytes }),
  error: Nullable(Type.String()),
  createdAt: Timestamp,
  finishedAt: Nullable(Timestamp),
});
export type Job = Static<typeof Job>;

export const MaintenanceSummary = Type.Object({
  ranAt: Timestamp,
  trialClientsExpired: Count,
  trialClientsDeleted: Count,
  bytesFreed: Bytes,
  /** Backup runs whose agent went silent long ago, closed as failed. */
  staleRunsClosed: Count,
  sessionsPurged: Count,
  /** Replication runs that were due and started (they go on as jobs of kind `replication`). */
  replicationRunsStarted: Count,
  /** Backups pruned by retention policies (their freed bytes count in `bytesFreed`). */
  backupsPruned: Count,
  /** Customers' daily usage samples written (API.md, Invoicing). */
  usageSamplesTaken: Count,
  /** Invoices the billing cycles that ended produced. */
  invoicesIssued: Count,
});
export type MaintenanceSummary = Static<typeof MaintenanceSummary>;
