import { RETENTION_RULES, type RetentionPolicy } from '../../src-shared/api/retention.js';

/** A version as the selection needs it; `status` only matters for "the newest successful backup is always kept". */
export interface PolicyItem {
  readonly id: string;
  readonly startedAt: string;
  readonly status?: string;
}

type Bucket = (at: Date, nr: number) => number;

/** Monday-first ISO week as year*100 + week; the ISO year is the year of the week's Thursday, so 31 Dec can be week 1 and 1 Jan week 53. */
function isoWeek(at: Date): number {
  const thursday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  thursday.setUTCDate(thursday.getUTCDate() + 3 - ((thursday.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return year * 100 + week;
}

/** Each rule's bucket, in RETENTION_RULES order; keepLast's is the backup itself (every backup its own bucket). */
const BUCKETS: Record<keyof RetentionPolicy, Bucket> = {
  keepLast: (_at, nr) => nr,
  keepDaily: (at) => at.getUTCFullYear() * 10_000 + (at.getUTCMonth() + 1) * 100 + at.getUTCDate(),
  keepWeekly: isoWeek,
  keepMonthly: (at) => at.getUTCFullYear() * 100 + at.getUTCMonth() + 1,
  keepYearly: (at) => at.getUTCFullYear(),
};

/** Newest first; equal times by id, so the result never depends on the caller's order. */
function newestFirst(a: PolicyItem, b: PolicyItem): number {
  const at = Date.parse(b.startedAt) - Date.parse(a.startedAt);
  return at !== 0 ? at : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The ids of the backups `policy` keeps, as restic's `forget --keep-*` selects them (ApplyPolicy in
 * restic's snapshot_policy.go): walking newest → oldest, each rule keeps the first backup of every new
 * bucket (day, ISO week, month, year in UTC, by `startedAt`) until its count runs out, and, while it has
 * counts left, the oldest backup too (restic keeps it so the history reaches as far back as the counts
 * allow). A backup is kept when any rule selects it; a policy whose rules are all null/0 keeps everything.
 * The newest `success` backup is always kept (API.md), whatever the policy.
 */
export function keptBackups(backups: readonly PolicyItem[], policy: RetentionPolicy): Set<string> {
  const list = [...backups].sort(newestFirst);
  const rules = RETENTION_RULES.filter((rule) => (policy[rule] ?? 0) > 0).map((rule) => ({
    left: policy[rule] ?? 0,
    bucket: BUCKETS[rule],
    last: NaN,
  }));
  if (rules.length === 0) return new Set(list.map((b) => b.id));
  const kept = new Set<string>();
  const newestSuccess = list.find((b) => b.status === 'success');
  if (newestSuccess) kept.add(newestSuccess.id);
  list.forEach((backup, nr) => {
    const at = new Date(backup.startedAt);
    for (const rule of rules) {
      if (rule.left === 0) continue;
      const value = rule.bucket(at, nr);
      if (value !== rule.last || nr === list.length - 1) {
        kept.add(backup.id);
        rule.last = value;
        rule.left--;
      }
    }
  });
  return kept;
}
