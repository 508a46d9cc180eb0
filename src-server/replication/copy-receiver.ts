import type { PackStored } from '../../src-shared/api/agent.js';
import type { PeerBackups, PeerBackupsStored, PeerSchedule } from '../../src-shared/api/peer.js';
import type { ChunkIndex } from '../dataplane/chunk-index.js';
import { Manifests } from '../dataplane/manifests.js';
import type { PackUpload, PackVerifier } from '../dataplane/pack-verifier.js';
import { ApiError } from '../errors.js';
import type { Store } from '../store.js';

/** What a copy from another server is received into: the chunk owner, and which schedules it may hold. */
export interface CopyScope {
  owner: string;
  resellerId: string | null;
  customerId: string | null;
  /** Throws a 400 naming `field` unless `scheduleId` is one of the copy's schedules. */
  schedule(scheduleId: string, field: string): void;
}

/**
 * The receiving side of a copy from another server (a replica, a seeded client): packs of chunks, each
 * checked against its name, then backups with their manifests as the source stores them, and the reports.
 * A backup commits only when every chunk it uses is here; each call is one transaction.
 */
export class CopyReceiver {
  private readonly manifests: Manifests;

  constructor(
    private readonly store: Store,
    private readonly chunks: ChunkIndex,
    private readonly verifier: PackVerifier,
  ) {
    this.manifests = new Manifests(store);
  }

  receivePack(...args: Parameters<PackVerifier['receive']>): Promise<PackUpload> {
    return this.verifier.receive(...args);
  }

  /** Stores chunks of the copy, counted against one of its schedules. */
  async storePack(scope: CopyScope, scheduleId: string, upload: PackUpload): Promise<PackStored> {
    scope.schedule(scheduleId, 'schedule');
    const pack = await this.verifier.verify(upload);
    try {
      return await this.chunks.add(scope.owner, scheduleId, pack.chunks);
    } finally {
      pack.release();
    }
  }

  /**
   * The client's schedules become the source's: upserted by id (a schedule id of another client stays
   * that client's). Returns the ids of the client's schedules the source no longer has, for the caller to
   * remove with their data. Call inside `store.write`.
   */
  syncSchedules(clientId: string, schedules: readonly PeerSchedule[]): string[] {
    const keep = new Set(schedules.map((s) => s.id));
    const gone = this.store.all<{ id: string }>('SELECT id FROM schedules WHERE client_id = ?', clientId).map((s) => s.id).filter((id) => !keep.has(id));
    for (const s of schedules) {
      this.store.run(
        `INSERT INTO schedules (id, client_id, name, sources, frequency, enabled, last_run_at, last_status, next_run_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, sources = excluded.sources, frequency = excluded.frequency, enabled = excluded.enabled,
           last_run_at = excluded.last_run_at, last_status = excluded.last_status, next_run_at = excluded.next_run_at WHERE schedules.client_id = excluded.client_id`,
        s.id, clientId, s.name, JSON.stringify(s.sources), JSON.stringify(s.frequency), s.enabled ? 1 : 0, s.lastRunAt, s.lastStatus, s.nextRunAt, s.createdAt,
      );
    }
    return gone;
  }

  /** Commits backups (each once every chunk it uses is here), backup and restore reports, and deleted report entries: upserted by id. */
  storeBackups(scope: CopyScope, input: PeerBackups): PeerBackupsStored {
    return this.store.write(() => {
      let stored = 0;
      input.backups.forEach((b, i) => {
        scope.schedule(b.scheduleId, `backups[${i}].scheduleId`);
        if (this.store.get('SELECT 1 FROM backups WHERE id = ?', b.id)) return;
        this.store.run('INSERT INTO backups (id, schedule_id, created_at, files, bytes) VALUES (?, ?, ?, ?, ?)', b.id, b.scheduleId, b.createdAt, b.files, b.bytes);
        const uses = this.manifests.saveStored(b.id, { baseId: b.manifest.baseId, depth: b.manifest.depth, entries: Buffer.from(b.manifest.entries, 'base64') });
        const absent = this.chunks.reference(b.scheduleId, scope.owner, uses);
        if (absent.length) throw new ApiError('CONFLICT', `This server lacks ${absent.length} chunks backup ${b.id} uses; send them, then the backup again.`, { missing: absent.slice(0, 1000) });
        stored++;
      });
      input.backupReports.forEach((r, i) => {
        scope.schedule(r.scheduleId, `backupReports[${i}].scheduleId`);
        this.store.run(
          `INSERT INTO backup_reports (id, schedule_id, started_at, finished_at, status, files_scanned, files_uploaded, bytes_scanned, bytes_uploaded, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status, files_scanned = excluded.files_scanned, files_uploaded = excluded.files_uploaded,
             bytes_scanned = excluded.bytes_scanned, bytes_uploaded = excluded.bytes_uploaded, error = excluded.error`,
          r.id, r.scheduleId, r.startedAt, r.finishedAt, r.status, r.filesScanned, r.filesUploaded, r.bytesScanned, r.bytesUploaded, r.error,
        );
      });
      input.restoreReports.forEach((r, i) => {
        scope.schedule(r.scheduleId, `restoreReports[${i}].scheduleId`);
        this.store.run(
          `INSERT INTO restore_reports (id, schedule_id, started_at, finished_at, status, files, bytes, target, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status, files = excluded.files, bytes = excluded.bytes, error = excluded.error`,
          r.id, r.scheduleId, r.startedAt, r.finishedAt, r.status, r.files, r.bytes, r.target, r.error,
        );
      });
      for (const d of input.deleted) {
        this.store.run(
          `INSERT OR IGNORE INTO deleted_reports (id, reseller_id, customer_id, client_id, schedule_id, deleted_at, deleted_by, kind, client_name, schedule_name, bytes, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          d.id, scope.resellerId, scope.customerId, d.clientId, d.scheduleId, d.deletedAt, d.deletedBy, d.kind, d.clientName, d.scheduleName, d.bytes, d.reason,
        );
      }
      return { backups: stored };
    });
  }
}
