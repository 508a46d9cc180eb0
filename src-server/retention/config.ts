import type { List, ListQuery } from '../../src-shared/api/common.js';
import {
  BACKUP_VERSION_LIST,
  KEEP_EVERYTHING,
  RETENTION_RULES,
  type BackupVersion,
  type RetentionPolicy,
  type ScheduleRetention,
  type ScheduleRetentionInput,
} from '../../src-shared/api/retention.js';
import type { Principal } from '../auth.js';
import { badRequest, notFound } from '../errors.js';
import { assertAdmin } from '../resellers.js';
import type { ScheduleRow } from '../schedules.js';
import { listSource } from '../store.js';
import type { RetentionDeps } from './index.js';

interface RetentionRow {
  retention_inherit: number;
  retention_policy: string | null;
}

// A backup's times and status are its run's (backup ids are their run's report id, dataplane/backups.ts);
// one without a report (the demo's) dates from its commit and counts as a success.
export const STARTED_AT = 'coalesce(r.started_at, b.created_at)';
const FINISHED_AT = 'coalesce(r.finished_at, b.created_at)';
export const STATUS = "coalesce(r.status, 'success')";
/** A schedule's backups with their run reports, as `b` and `r`. */
export const VERSIONS_FROM = 'backups b LEFT JOIN backup_reports r ON r.id = b.id';

/** A schedule's versions (`WHERE b.schedule_id = ?`): every backup still stored is one the last prune kept. */
export const BACKUP_VERSION_ROWS = listSource(BACKUP_VERSION_LIST, {
  select: `b.id, ${STARTED_AT} AS startedAt, ${FINISHED_AT} AS finishedAt, ${STATUS} AS status, b.files, b.bytes`,
  from: VERSIONS_FROM,
  sort: { startedAt: STARTED_AT, finishedAt: FINISHED_AT, status: STATUS, files: 'b.files', bytes: 'b.bytes' },
  search: { status: STATUS },
  tieBreak: 'b.id',
});

/** The rules in their wire order and nothing else, so what is stored and audited reads the same everywhere. */
const normalized = (policy: RetentionPolicy): RetentionPolicy =>
  Object.fromEntries(RETENTION_RULES.map((rule) => [rule, policy[rule] ?? null])) as RetentionPolicy;

const same = (a: RetentionPolicy, b: RetentionPolicy) => RETENTION_RULES.every((rule) => (a[rule] ?? 0) === (b[rule] ?? 0));

/**
 * Retention policies (API.md, Retention): the server default every inheriting schedule follows, and each
 * schedule's own. A change takes effect at the next prune, so it only marks the schedules it affects
 * `prune_due` (the pruner then finds them by index instead of walking every schedule).
 */
export class RetentionConfig {
  constructor(private readonly deps: RetentionDeps) {}

  defaults(): RetentionPolicy {
    return this.deps.settings.get('retentionDefaults');
  }

  setDefaults(principal: Principal, input: RetentionPolicy): RetentionPolicy {
    assertAdmin(principal);
    const after = normalized(input);
    return this.deps.store.write(() => {
      const before = this.defaults();
      this.deps.settings.set('retentionDefaults', after);
      if (!same(before, after)) this.deps.store.run('UPDATE schedules SET prune_due = 1 WHERE retention_inherit = 1 AND prune_due = 0');
      this.deps.audit.record(principal, { action: 'retention.defaults.update', objectType: 'server', objectId: 'server', objectName: 'Retention defaults', resellerId: null, before, after });
      return after;
    });
  }

  get(principal: Principal, scheduleId: string): ScheduleRetention {
    return this.toRetention(this.row(principal, scheduleId));
  }

  put(principal: Principal, scheduleId: string, input: ScheduleRetentionInput): ScheduleRetention {
    if (!input.inherit && !input.policy) throw badRequest('policy', 'policy: a schedule that does not inherit needs its own policy.');
    return this.deps.store.write(() => {
      const row = this.row(principal, scheduleId);
      const client = this.deps.clients.writable(principal, row.client_id);
      const before = this.toRetention(row);
      // While inheriting, the own policy stays as it was, so switching back restores it.
      const own = input.inherit || !input.policy ? row.retention_policy : JSON.stringify(normalized(input.policy));
      this.deps.store.run('UPDATE schedules SET retention_inherit = ?, retention_policy = ?, prune_due = 1 WHERE id = ?', input.inherit ? 1 : 0, own, scheduleId);
      const after = this.get(principal, scheduleId);
      const owner = client.customer_id ? this.deps.store.get<{ reseller_id: string }>('SELECT reseller_id FROM customers WHERE id = ?', client.customer_id) : undefined;
      this.deps.audit.record(principal, {
        action: 'schedule.retention.update',
        objectType: 'schedule',
        objectId: scheduleId,
        objectName: `${client.name} / ${row.name}`,
        resellerId: owner?.reseller_id ?? null,
        before,
        after,
      });
      return after;
    });
  }

  /** The policy the next prune of a schedule applies (for the pruner: no principal). */
  effective(scheduleId: string): RetentionPolicy {
    const row = this.deps.store.get<RetentionRow>('SELECT retention_inherit, retention_policy FROM schedules WHERE id = ?', scheduleId);
    if (!row) throw notFound('Schedule');
    return this.toRetention(row).effective;
  }

  /** GET /schedules/:id/backups: the schedule's versions, newest first by default. */
  versions(principal: Principal, scheduleId: string, query: ListQuery): List<BackupVersion> {
    this.row(principal, scheduleId);
    return this.deps.store.list<BackupVersion, BackupVersion>({ ...BACKUP_VERSION_ROWS, where: 'b.schedule_id = ?', params: [scheduleId] }, query, (r) => r);
  }

  /** The schedule as `principal` may see it (Schedules.row: 404 for another reseller's), with its retention columns. */
  private row(principal: Principal, scheduleId: string): ScheduleRow & RetentionRow {
    return this.deps.schedules.row(principal, scheduleId) as ScheduleRow & RetentionRow;
  }

  private toRetention(row: RetentionRow): ScheduleRetention {
    const policy = row.retention_policy ? (JSON.parse(row.retention_policy) as RetentionPolicy) : KEEP_EVERYTHING;
    const inherit = row.retention_inherit === 1;
    return { inherit, policy, effective: inherit ? this.defaults() : policy };
  }
}
