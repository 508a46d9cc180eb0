import type { List, ListQuery } from '../src-shared/api/common.js';
import { BACKUP_REPORT_LIST, DELETED_REPORT_LIST, RESTORE_REPORT_LIST, type BackupReport, type DeletedReport, type RestoreReport } from '../src-shared/api/reports.js';
import { SCHEDULE_LIST, type Frequency, type Schedule, type SchedulePatch } from '../src-shared/api/schedules.js';
import { nextRunAfter } from '../src-shared/schedule-time.js';
import type { BackupStatus } from '../src-shared/api/clients.js';
import type { AuditLog } from './audit.js';
import type { Principal } from './auth.js';
import type { Clients } from './clients.js';
import type { Customers } from './customers.js';
import { conflict, notFound } from './errors.js';
import { assertAdmin } from './resellers.js';
import { bool, listSource, type Store } from './store.js';

export interface ScheduleRow {
  id: string;
  client_id: string;
  name: string;
  sources: string;
  frequency: string;
  enabled: number;
  last_run_at: string | null;
  last_status: BackupStatus | null;
  next_run_at: string | null;
  space_used: number;
  created_at: string;
}

export const toSchedule = (r: ScheduleRow): Schedule => ({
  id: r.id,
  clientId: r.client_id,
  name: r.name,
  sources: JSON.parse(r.sources) as string[],
  frequency: JSON.parse(r.frequency) as Frequency,
  enabled: bool(r.enabled),
  lastRunAt: r.last_run_at,
  lastStatus: r.last_status,
  nextRunAt: r.next_run_at,
  spaceUsed: r.space_used,
});

/** nextRunAt as stored: null when disabled or manual. */
export const nextRunAt = (frequency: Frequency, enabled: boolean, lastRunAt: string | null, createdAt: string) => {
  if (!enabled) return null;
  return nextRunAfter(frequency, new Date(lastRunAt ?? createdAt))?.toISOString() ?? null;
};

export const SCHEDULE_ROWS = listSource(SCHEDULE_LIST, {
  select: '*',
  from: 'schedules',
  sort: { name: 'lower(name)', enabled: 'enabled', lastRunAt: 'last_run_at', lastStatus: 'last_status', nextRunAt: 'next_run_at', spaceUsed: 'space_used' },
  search: { name: 'lower(name)' },
  tieBreak: 'id',
});

const RUN_SORT = { startedAt: 'started_at', finishedAt: 'finished_at', status: 'status' };
export const BACKUP_REPORT_ROWS = listSource(BACKUP_REPORT_LIST, {
  select: `id, started_at AS startedAt, finished_at AS finishedAt, status, files_scanned AS filesScanned,
  files_uploaded AS filesUploaded, bytes_scanned AS bytesScanned, bytes_uploaded AS bytesUploaded, error`,
  from: 'backup_reports',
  sort: RUN_SORT,
  search: { status: 'status' },
  tieBreak: 'id',
});
export const RESTORE_REPORT_ROWS = listSource(RESTORE_REPORT_LIST, {
  select: 'id, started_at AS startedAt, finished_at AS finishedAt, status, files, bytes, target, error',
  from: 'restore_reports',
  sort: RUN_SORT,
  search: { status: 'status', target: 'lower(target)' },
  tieBreak: 'id',
});
export const DELETED_REPORT_ROWS = listSource(DELETED_REPORT_LIST, {
  select: 'id, deleted_at AS deletedAt, deleted_by AS deletedBy, kind, client_name AS clientName, schedule_name AS scheduleName, bytes, reason',
  from: 'deleted_reports',
  sort: { deletedAt: 'deleted_at', kind: 'kind', clientName: 'lower(client_name)', bytes: 'bytes' },
  search: { clientName: 'lower(client_name)', scheduleName: 'lower(schedule_name)' },
  tieBreak: 'id',
});
const same = <T>(row: T) => row;

export class Schedules {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clients: Clients,
    private readonly customers: Customers,
  ) {}

  row(principal: Principal, id: string): ScheduleRow {
    const row = this.store.get<ScheduleRow>('SELECT * FROM schedules WHERE id = ?', id);
    if (!row) throw notFound('Schedule');
    try {
      this.clients.row(principal, row.client_id);
    } catch {
      throw notFound('Schedule');
    }
    return row;
  }

  list(principal: Principal, clientId: string, query: ListQuery): List<Schedule> {
    this.clients.row(principal, clientId);
    return this.store.list<ScheduleRow, Schedule>(
      { ...SCHEDULE_ROWS, where: 'client_id = ?', params: [clientId] },
      query,
      toSchedule,
    );
  }

  update(principal: Principal, id: string, patch: SchedulePatch): Schedule {
    return this.store.write(() => {
      const row = this.row(principal, id);
      this.clients.writable(principal, row.client_id);
      const before = toSchedule(row);
      const frequency = patch.frequency ?? before.frequency;
      const enabled = patch.enabled ?? before.enabled;
      this.store.run(
        'UPDATE schedules SET frequency = ?, enabled = ?, next_run_at = ? WHERE id = ?',
        JSON.stringify(frequency),
        enabled ? 1 : 0,
        nextRunAt(frequency, enabled, row.last_run_at, row.created_at),
        id,
      );
      const after = toSchedule(this.row(principal, id));
      const client = this.clients.row(principal, row.client_id);
      const resellerId = client.customer_id ? this.customers.row(principal, client.customer_id).reseller_id : null;
      this.audit.record(principal, { action: 'schedule.update', objectType: 'schedule', objectId: id, objectName: `${client.name} / ${row.name}`, resellerId, before, after });
      return after;
    });
  }

  /**
   * Deletes a schedule with its backups and reports (Clients.purgeSchedules: chunks no other schedule
   * uses are freed, the deleted report lists the schedule and each backup). Refused while it runs.
   */
  delete(principal: Principal, id: string): void {
    this.store.write(() => {
      const row = this.row(principal, id);
      this.clients.writable(principal, row.client_id);
      if (this.store.get("SELECT 1 FROM backup_reports WHERE schedule_id = ? AND status = 'running'", id)) {
        throw conflict(`Schedule "${row.name}" has a backup running; wait for it to finish.`);
      }
      const client = this.clients.row(principal, row.client_id);
      this.clients.purgeSchedules(principal.username, client, [id], 'schedule deleted');
      const resellerId = client.customer_id ? this.customers.row(principal, client.customer_id).reseller_id : null;
      this.audit.record(principal, { action: 'schedule.delete', objectType: 'schedule', objectId: id, objectName: `${client.name} / ${row.name}`, resellerId, before: toSchedule(row) });
    });
  }

  backupReports(principal: Principal, id: string, query: ListQuery): List<BackupReport> {
    this.row(principal, id);
    return this.store.list<BackupReport, BackupReport>(
      { ...BACKUP_REPORT_ROWS, where: 'schedule_id = ?', params: [id] },
      query,
      same,
    );
  }

  restoreReports(principal: Principal, id: string, query: ListQuery): List<RestoreReport> {
    this.row(principal, id);
    return this.store.list<RestoreReport, RestoreReport>(
      { ...RESTORE_REPORT_ROWS, where: 'schedule_id = ?', params: [id] },
      query,
      same,
    );
  }

  /** The deleted report of a schedule: it may itself be gone, so only the owner check of the client applies. */
  deletedForSchedule(principal: Principal, id: string, query: ListQuery): List<DeletedReport> {
    const owner = this.store.get<{ reseller_id: string | null }>('SELECT reseller_id FROM deleted_reports WHERE schedule_id = ? LIMIT 1', id);
    const live = this.store.get('SELECT 1 FROM schedules WHERE id = ?', id);
    if (live) this.row(principal, id);
    else if (!owner || (principal.role === 'reseller' && owner.reseller_id !== principal.resellerId)) throw notFound('Schedule');
    return this.deleted('schedule_id = ?', [id], query);
  }

  /** The deleted report of a customer: it outlives the customer, so a deleted customer's stays readable to its owners. */
  deletedForCustomer(principal: Principal, customerId: string, query: ListQuery): List<DeletedReport> {
    const owner = this.store.get<{ reseller_id: string | null }>('SELECT reseller_id FROM deleted_reports WHERE customer_id = ? LIMIT 1', customerId);
    const live = this.store.get('SELECT 1 FROM customers WHERE id = ?', customerId);
    if (live) this.customers.row(principal, customerId);
    else if (!owner || (principal.role === 'reseller' && owner.reseller_id !== principal.resellerId)) throw notFound('Customer');
    return this.deleted('customer_id = ?', [customerId], query);
  }

  /** What was deleted of trial clients (they have no customer, so no customer's report holds it); administrators only. */
  deletedForTrialClients(principal: Principal, query: ListQuery): List<DeletedReport> {
    assertAdmin(principal);
    return this.deleted('customer_id IS NULL', [], query);
  }

  private deleted(where: string, params: unknown[], query: ListQuery): List<DeletedReport> {
    return this.store.list<DeletedReport, DeletedReport>(
      { ...DELETED_REPORT_ROWS, where, params },
      query,
      same,
    );
  }
}
