import type { PeerBackup, PeerBackupReport, PeerBackups, PeerClient as PeerClientBody, PeerDeleted, PeerRestoreReport } from '../../src-shared/api/peer.js';
import { Manifests } from '../dataplane/manifests.js';
import type { Store } from '../store.js';
import type { PeerClient } from './peer-client.js';

/** Backups (with their manifests) per request, and reports per request. */
const BACKUP_BATCH = 100;
const REPORT_BATCH = 5_000;

/**
 * Which clients a copy takes: an SQL condition on `cl` (clients) with its parameters, and one on the
 * deleted report (`deleted_reports`, unaliased).
 */
export interface Selection {
  clients: string;
  deleted: string;
  params: readonly unknown[];
}

/**
 * The sending side of a copy to another server (replication, seed migration): the clients with their
 * schedules, the committed backups with their manifests as stored, the reports, as the peer API carries
 * them (src-shared/api/peer.ts), and the requests that send backups and reports in batches.
 */
export class CopySource {
  private readonly manifests: Manifests;

  constructor(private readonly store: Store) {
    this.manifests = new Manifests(store);
  }

  clients(selection: Selection): PeerClientBody[] {
    const clients = this.store.all<Omit<PeerClientBody, 'schedules'>>(
      `SELECT cl.id, cl.name, cl.hostname, cl.os, cl.status, cl.agent_token_hash AS agentTokenHash, cl.last_backup_at AS lastBackupAt, cl.last_backup_status AS lastBackupStatus,
         cl.created_at AS createdAt FROM clients cl WHERE ${selection.clients}`,
      ...selection.params,
    );
    const schedules = this.store.all<{ client_id: string; id: string; name: string; sources: string; frequency: string; enabled: number; lastRunAt: string | null; lastStatus: PeerClientBody['lastBackupStatus']; nextRunAt: string | null; createdAt: string }>(
      `SELECT s.client_id, s.id, s.name, s.sources, s.frequency, s.enabled, s.last_run_at AS lastRunAt, s.last_status AS lastStatus, s.next_run_at AS nextRunAt, s.created_at AS createdAt
       FROM schedules s JOIN clients cl ON cl.id = s.client_id WHERE ${selection.clients}`,
      ...selection.params,
    );
    return clients.map((client) => ({
      ...client,
      schedules: schedules
        .filter((s) => s.client_id === client.id)
        .map(({ client_id: _, sources, frequency, enabled, ...s }) => ({ ...s, sources: JSON.parse(sources) as string[], frequency: JSON.parse(frequency) as PeerClientBody['schedules'][number]['frequency'], enabled: enabled === 1 })),
    }));
  }

  /** The clients' committed backups, oldest first (a delta's base always comes before it). */
  backupIds(selection: Selection): string[] {
    return this.store
      .all<{ id: string }>(
        `SELECT b.id FROM backups b JOIN manifests m ON m.backup_id = b.id JOIN schedules s ON s.id = b.schedule_id JOIN clients cl ON cl.id = s.client_id WHERE ${selection.clients} ORDER BY b.created_at, b.id`,
        ...selection.params,
      )
      .map((r) => r.id);
  }

  /**
   * Every chunk the clients' committed backups use, with the schedule of theirs the peer counts it against:
   * the one it counts against here when that is one of theirs, else one of theirs that uses it. (A chunk
   * may count here against a schedule the copy does not take: another client's, or one still being seeded
   * here.)
   */
  chunkSchedules(owner: string, selection: Selection): Map<string, string> {
    const rows = this.store.all<{ hash: string; schedule_id: string }>(
      `SELECT sc.hash, coalesce(max(CASE WHEN sc.schedule_id = c.schedule_id THEN sc.schedule_id END), min(sc.schedule_id)) AS schedule_id
       FROM schedule_chunks sc JOIN schedules s ON s.id = sc.schedule_id JOIN clients cl ON cl.id = s.client_id JOIN chunks c ON c.owner = ? AND c.hash = sc.hash
       WHERE ${selection.clients} GROUP BY sc.hash`,
      owner,
      ...selection.params,
    );
    return new Map(rows.map((r) => [r.hash, r.schedule_id]));
  }

  /** Sends the backups the peer lacks (in batches, base first), then the reports and deleted report entries. */
  async sendBackups(peer: PeerClient, base: string, ids: readonly string[], reports: Omit<PeerBackups, 'backups'>): Promise<void> {
    for (let i = 0; i < ids.length; i += BACKUP_BATCH) {
      const backups = ids.slice(i, i + BACKUP_BATCH).map((id) => this.backup(id));
      await peer.json('POST', `${base}/backups`, { backups, backupReports: [], restoreReports: [], deleted: [] } satisfies PeerBackups);
    }
    const { backupReports, restoreReports, deleted } = reports;
    for (let i = 0; i === 0 || i < Math.max(backupReports.length, restoreReports.length, deleted.length); i += REPORT_BATCH) {
      const slice = <T>(rows: T[]) => rows.slice(i, i + REPORT_BATCH);
      const body: PeerBackups = { backups: [], backupReports: slice(backupReports), restoreReports: slice(restoreReports), deleted: slice(deleted) };
      await peer.json('POST', `${base}/backups`, body);
    }
  }

  /** Reports started or ended, and deletions, since `since` (all of them when null): the peer upserts them. */
  reports(selection: Selection, since: string | null): Omit<PeerBackups, 'backups'> {
    const changed = `JOIN schedules s ON s.id = r.schedule_id JOIN clients cl ON cl.id = s.client_id
      WHERE ${selection.clients} AND (r.started_at >= ? OR r.finished_at IS NULL OR r.finished_at >= ?)`;
    const after = since ?? '';
    return {
      backupReports: this.store.all<PeerBackupReport>(
        `SELECT r.id, r.schedule_id AS scheduleId, r.started_at AS startedAt, r.finished_at AS finishedAt, r.error, r.status, r.files_scanned AS filesScanned, r.files_uploaded AS filesUploaded,
           r.bytes_scanned AS bytesScanned, r.bytes_uploaded AS bytesUploaded FROM backup_reports r ${changed}`,
        ...selection.params, after, after,
      ),
      restoreReports: this.store.all<PeerRestoreReport>(
        `SELECT r.id, r.schedule_id AS scheduleId, r.started_at AS startedAt, r.finished_at AS finishedAt, r.error, r.status, r.files, r.bytes, r.target FROM restore_reports r ${changed}`,
        ...selection.params, after, after,
      ),
      deleted: this.store.all<PeerDeleted>(
        `SELECT id, client_id AS clientId, schedule_id AS scheduleId, deleted_at AS deletedAt, deleted_by AS deletedBy, kind, client_name AS clientName, schedule_name AS scheduleName, bytes, reason
         FROM deleted_reports WHERE ${selection.deleted} AND deleted_at >= ?`,
        ...selection.params, after,
      ),
    };
  }

  private backup(id: string): PeerBackup {
    const b = this.store.get<Omit<PeerBackup, 'manifest'>>('SELECT id, schedule_id AS scheduleId, created_at AS createdAt, files, bytes FROM backups WHERE id = ?', id)!;
    const m = this.manifests.stored(id);
    return { ...b, manifest: { baseId: m.baseId, depth: m.depth, entries: m.entries.toString('base64') } };
  }
}
