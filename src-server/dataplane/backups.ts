import type { Readable } from 'node:stream';
import type { BackupCommit, BackupFail, BackupStarted, BackupSummary, Manifest, PackStored, RestoreFinish, RestoreStart } from '../../src-shared/api/agent.js';
import type { AgentScheduleUpsert } from '../../src-shared/api/agent.js';
import type { List } from '../../src-shared/api/common.js';
import type { Schedule } from '../../src-shared/api/schedules.js';
import type { ClientRow } from '../client-rows.js';
import type { CustomerRow } from '../customers.js';
import { ApiError, conflict, notFound, replicaReadOnly } from '../errors.js';
import { nextRunAt, toSchedule, type ScheduleRow } from '../schedules.js';
import { newId, nowIso, type Store } from '../store.js';
import { ownerOf, type ChunkIndex } from './chunk-index.js';
import { Manifests } from './manifests.js';
import type { PackUpload, PackVerifier } from './pack-verifier.js';
import type { BackupPolicy } from './policy.js';

interface RunningBackup {
  id: string;
  schedule_id: string;
  status: string;
}

/** A run whose agent vanished (killed, machine off) stops blocking deletes after this long without news. */
export const STALE_RUN_MS = 6 * 60 * 60 * 1000;

/**
 * The agent's side of the data plane: schedules, backup runs (start, which chunks are missing, packs,
 * commit or fail), the manifests restores read, and restore reports. Every call is made for the client
 * the agent token belongs to; policy is checked at start and on every upload.
 */
export class Backups {
  /** New bytes of packs that passed the policy and are being written, per owner (see storePack). */
  private readonly writing = new Map<string, number>();
  private readonly manifests: Manifests;

  constructor(
    private readonly store: Store,
    private readonly chunks: ChunkIndex,
    private readonly policy: BackupPolicy,
    private readonly verifier: PackVerifier,
  ) {
    this.manifests = new Manifests(store);
  }

  private customerOf(client: ClientRow): CustomerRow | null {
    return client.customer_id ? (this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', client.customer_id) ?? null) : null;
  }

  private freshClient(client: ClientRow): ClientRow {
    return this.store.get<ClientRow>('SELECT * FROM clients WHERE id = ?', client.id)!;
  }

  private schedule(client: ClientRow, id: string): ScheduleRow {
    const row = this.store.get<ScheduleRow>('SELECT * FROM schedules WHERE id = ? AND client_id = ?', id, client.id);
    if (!row) throw notFound('Schedule');
    return row;
  }

  private running(client: ClientRow, backupId: string): RunningBackup {
    const run = this.store.get<RunningBackup>(
      'SELECT r.id, r.schedule_id, r.status FROM backup_reports r JOIN schedules s ON s.id = r.schedule_id WHERE r.id = ? AND s.client_id = ?',
      backupId,
      client.id,
    );
    if (!run) throw notFound('Backup');
    if (run.status !== 'running') throw conflict(`Backup ${backupId} has already ended (${run.status}); start a new one.`);
    return run;
  }

  listSchedules(client: ClientRow): List<Schedule> {
    const items = this.store.all<ScheduleRow>('SELECT * FROM schedules WHERE client_id = ? ORDER BY lower(name)', client.id).map(toSchedule);
    return { items, total: items.length };
  }

  /** A replica's clients restore from it but change nothing there: 403 REPLICA_READ_ONLY, and no report is recorded. */
  private assertNotReplica(client: ClientRow): void {
    const customer = this.customerOf(client);
    if (customer?.replica_server_id) throw replicaReadOnly(customer.name, customer.replica_server_name ?? 'its source server', 'agent');
  }

  upsertSchedule(client: ClientRow, input: AgentScheduleUpsert): Schedule {
    this.assertNotReplica(client);
    return this.store.write(() => {
      const existing = this.store.get<ScheduleRow>('SELECT * FROM schedules WHERE client_id = ? AND lower(name) = lower(?)', client.id, input.name.trim());
      if (existing) {
        this.store.run(
          'UPDATE schedules SET sources = ?, frequency = ?, next_run_at = ? WHERE id = ?',
          JSON.stringify(input.sources),
          JSON.stringify(input.frequency),
          nextRunAt(input.frequency, existing.enabled === 1, existing.last_run_at, existing.created_at),
          existing.id,
        );
        return toSchedule(this.schedule(client, existing.id));
      }
      const id = newId('sch');
      const createdAt = nowIso();
      this.store.run(
        'INSERT INTO schedules (id, client_id, name, sources, frequency, enabled, next_run_at, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)',
        id,
        client.id,
        input.name.trim(),
        JSON.stringify(input.sources),
        JSON.stringify(input.frequency),
        nextRunAt(input.frequency, true, null, createdAt),
        createdAt,
      );
      return toSchedule(this.schedule(client, id));
    });
  }

  /** Starts a run. A refusal is recorded as a `refused` report, then thrown. An older run of the schedule still open is closed as failed. */
  start(client: ClientRow, scheduleId: string): BackupStarted {
    const schedule = this.schedule(client, scheduleId);
    this.assertNotReplica(client);
    const startedAt = nowIso();
    const backupId = newId('bkp');
    const refusal = this.store.write(() => {
      this.store.run(
        "UPDATE backup_reports SET status = 'failed', finished_at = ?, error = 'Interrupted: a newer run of this schedule started.' WHERE schedule_id = ? AND status = 'running'",
        startedAt,
        schedule.id,
      );
      try {
        this.policy.check(this.freshClient(client), this.customerOf(client));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        this.store.run(
          "INSERT INTO backup_reports (id, schedule_id, started_at, finished_at, status, error) VALUES (?, ?, ?, ?, 'refused', ?)",
          backupId,
          schedule.id,
          startedAt,
          startedAt,
          `${err.code}: ${err.message}`,
        );
        this.finishSchedule(client.id, schedule, startedAt, 'refused');
        return err;
      }
      this.store.run("INSERT INTO backup_reports (id, schedule_id, started_at, status) VALUES (?, ?, ?, 'running')", backupId, schedule.id, startedAt);
      return null;
    });
    if (refusal) throw refusal;
    return { backupId, startedAt };
  }

  missing(client: ClientRow, backupId: string, hashes: readonly string[]): string[] {
    this.running(client, backupId);
    return this.chunks.missing(ownerOf(client), hashes);
  }

  /** Reads a pack upload's body (the route's content parser); storePack takes it over. */
  receivePack(stream: Readable, declaredLength: number | undefined): Promise<PackUpload> {
    return this.verifier.receive(stream, declaredLength);
  }

  /** Stores a pack of chunks for a running backup, after the policy allows its size. */
  async storePack(client: ClientRow, backupId: string, upload: PackUpload): Promise<PackStored> {
    const run = this.running(client, backupId);
    const pack = await this.verifier.verify(upload);
    try {
      const owner = ownerOf(client);
      const newBytes = this.store
        .all<{ value: number }>('SELECT j.value ->> 1 AS value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM chunks WHERE owner = ? AND hash = j.value ->> 0)', JSON.stringify(pack.chunks.map((f) => [f.hash, f.encoded.length])), owner)
        .reduce((n, r) => n + r.value, 0);
      // Packs accepted but still being written are not in spaceUsed yet: without counting them, several
      // uploads in flight would each fit into the same free space and together overrun the allotment.
      const writing = this.writing.get(owner) ?? 0;
      this.policy.check(this.freshClient(client), this.customerOf(client), writing + newBytes);
      this.writing.set(owner, writing + newBytes);
      try {
        return await this.chunks.add(owner, run.schedule_id, pack.chunks);
      } finally {
        const left = (this.writing.get(owner) ?? 0) - newBytes;
        if (left > 0) this.writing.set(owner, left);
        else this.writing.delete(owner);
      }
    } finally {
      pack.release();
    }
  }

  commit(client: ClientRow, backupId: string, input: BackupCommit): BackupSummary {
    return this.store.write(() => {
      const run = this.running(client, backupId);
      const createdAt = nowIso();
      // The backup row first: its manifest row refers to it, and the counts come from the manifest.
      this.store.run('INSERT INTO backups (id, schedule_id, created_at) VALUES (?, ?, ?)', backupId, run.schedule_id, createdAt);
      const { files, bytes, chunks } = this.manifests.save(backupId, run.schedule_id, input);
      this.store.run('UPDATE backups SET files = ?, bytes = ? WHERE id = ?', files, bytes, backupId);
      const absent = this.chunks.reference(run.schedule_id, ownerOf(client), chunks);
      if (absent.length) {
        throw new ApiError('CONFLICT', `The server lacks ${absent.length} chunks this backup uses; upload them, then commit again.`, { missing: absent.slice(0, 1000) });
      }
      this.endRun(client, run, input.status, input.stats, input.error ?? null, createdAt);
      // Due with the commit itself: a crash before the prune that follows it leaves it to maintenance.
      this.store.run('UPDATE schedules SET prune_due = 1 WHERE id = ?', run.schedule_id);
      return { id: backupId, scheduleId: run.schedule_id, createdAt, files, bytes };
    });
  }

  fail(client: ClientRow, backupId: string, input: BackupFail): void {
    this.store.write(() => this.endRun(client, this.running(client, backupId), 'failed', input.stats, input.error, nowIso()));
  }

  private endRun(client: ClientRow, run: RunningBackup, status: 'success' | 'partial' | 'failed', stats: BackupFail['stats'], error: string | null, at: string): void {
    this.store.run(
      `UPDATE backup_reports SET status = ?, finished_at = ?, files_scanned = ?, files_uploaded = ?, bytes_scanned = ?, bytes_uploaded = ?, error = ? WHERE id = ?`,
      status,
      at,
      stats.filesScanned,
      stats.filesUploaded,
      stats.bytesScanned,
      stats.bytesUploaded,
      error,
      run.id,
    );
    this.finishSchedule(client.id, this.schedule(client, run.schedule_id), this.store.get<{ started_at: string }>('SELECT started_at FROM backup_reports WHERE id = ?', run.id)!.started_at, status);
  }

  private finishSchedule(clientId: string, schedule: ScheduleRow, startedAt: string, status: string): void {
    const frequency = JSON.parse(schedule.frequency) as Schedule['frequency'];
    this.store.run(
      'UPDATE schedules SET last_run_at = ?, last_status = ?, next_run_at = ? WHERE id = ?',
      startedAt,
      status,
      nextRunAt(frequency, schedule.enabled === 1, startedAt, schedule.created_at),
      schedule.id,
    );
    this.store.run('UPDATE clients SET last_backup_at = ?, last_backup_status = ? WHERE id = ?', startedAt, status, clientId);
  }

  listBackups(client: ClientRow, scheduleId: string): List<BackupSummary> {
    this.schedule(client, scheduleId);
    const items = this.store.all<BackupSummary>(
      'SELECT b.id, b.schedule_id AS scheduleId, b.created_at AS createdAt, b.files, b.bytes FROM backups b JOIN manifests m ON m.backup_id = b.id WHERE b.schedule_id = ? ORDER BY b.created_at DESC',
      scheduleId,
    );
    return { items, total: items.length };
  }

  manifest(client: ClientRow, backupId: string): Manifest {
    const backup = this.store.get<BackupSummary>(
      `SELECT b.id, b.schedule_id AS scheduleId, b.created_at AS createdAt, b.files, b.bytes FROM backups b
       JOIN manifests m ON m.backup_id = b.id JOIN schedules s ON s.id = b.schedule_id WHERE b.id = ? AND s.client_id = ?`,
      backupId,
      client.id,
    );
    if (!backup) throw notFound('Backup');
    return { backup, entries: this.manifests.entries(backupId) };
  }

  async readChunk(client: ClientRow, hash: string): Promise<Buffer> {
    const data = await this.chunks.read(ownerOf(client), hash);
    if (!data) throw notFound(`Chunk ${hash}`);
    return data;
  }

  startRestore(client: ClientRow, input: RestoreStart): string {
    const schedule = this.schedule(client, input.scheduleId);
    if (!this.store.get('SELECT 1 FROM backups WHERE id = ? AND schedule_id = ?', input.backupId, schedule.id)) throw notFound('Backup');
    const id = newId('rst');
    this.store.write(() =>
      this.store.run("INSERT INTO restore_reports (id, schedule_id, started_at, status, target) VALUES (?, ?, ?, 'running', ?)", id, schedule.id, nowIso(), input.target),
    );
    return id;
  }

  finishRestore(client: ClientRow, restoreId: string, input: RestoreFinish): void {
    this.store.write(() => {
      const changed = this.store.run(
        `UPDATE restore_reports SET status = ?, finished_at = ?, files = ?, bytes = ?, error = ?
         WHERE id = ? AND status = 'running' AND schedule_id IN (SELECT id FROM schedules WHERE client_id = ?)`,
        input.status,
        nowIso(),
        input.files,
        input.bytes,
        input.error ?? null,
        restoreId,
        client.id,
      ).changes;
      if (!changed) throw notFound('Running restore');
    });
  }

  /** Closes runs whose agent went silent long ago, so they stop blocking deletion. Returns how many. */
  closeStaleRuns(now = Date.now()): number {
    return this.store.write(
      () =>
        this.store.run(
          "UPDATE backup_reports SET status = 'failed', finished_at = ?, error = 'The agent stopped reporting; the run was abandoned.' WHERE status = 'running' AND started_at <= ?",
          nowIso(now),
          nowIso(now - STALE_RUN_MS),
        ).changes,
    );
  }
}
