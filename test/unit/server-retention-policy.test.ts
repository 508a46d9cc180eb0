/**
 * Which backups a retention policy keeps (src-server/retention/policy.ts): restic's `forget --keep-*`
 * on hand-worked UTC calendars, year boundaries and ISO week 53 included.
 */
import { describe, expect, it } from 'vitest';
import { KEEP_EVERYTHING, type RetentionPolicy } from '../../src-shared/api/retention.js';
import { keptBackups, type PolicyItem } from '../../src-server/retention/policy.js';

/** Backups named by their start time, so a kept set reads as a calendar. */
const at = (...times: string[]): PolicyItem[] => times.map((t) => ({ id: t, startedAt: t, status: 'success' }));
const keep = (policy: Partial<RetentionPolicy>): RetentionPolicy => ({ ...KEEP_EVERYTHING, ...policy });
const kept = (backups: PolicyItem[], policy: Partial<RetentionPolicy>): string[] => [...keptBackups(backups, keep(policy))].sort().reverse();

describe('keptBackups', () => {
  it('keeps everything when every rule is null or 0, and nothing of an empty list', () => {
    const all = at('2026-01-03T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z');
    expect(kept(all, {})).toEqual(all.map((b) => b.id));
    expect(kept(all, { keepLast: 0, keepDaily: 0, keepWeekly: null })).toEqual(all.map((b) => b.id));
    expect(kept([], { keepLast: 3 })).toEqual([]);
  });

  it('keepLast n keeps the n newest, whatever order they come in', () => {
    const all = at('2026-01-02T00:00:00Z', '2026-01-05T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00Z');
    expect(kept(all, { keepLast: 2 })).toEqual(['2026-01-05T00:00:00Z', '2026-01-04T00:00:00Z']);
    expect(kept(all, { keepLast: 10 })).toHaveLength(4);
  });

  it('keepDaily keeps the newest backup of each of the n most recent UTC days that have backups', () => {
    const all = at(
      '2026-01-05T10:00:00Z',
      '2026-01-05T08:00:00Z',
      '2026-01-04T12:00:00Z',
      '2026-01-04T00:00:00Z',
      '2026-01-03T23:59:59Z', // another UTC day than a second later
      '2026-01-01T09:00:00Z', // 2 January has none: days without backups do not count
      '2025-12-31T09:00:00Z',
    );
    expect(kept(all, { keepDaily: 3 })).toEqual(['2026-01-05T10:00:00Z', '2026-01-04T12:00:00Z', '2026-01-03T23:59:59Z']);
    expect(kept(all, { keepDaily: 5 })).toEqual([
      '2026-01-05T10:00:00Z',
      '2026-01-04T12:00:00Z',
      '2026-01-03T23:59:59Z',
      '2026-01-01T09:00:00Z',
      '2025-12-31T09:00:00Z',
    ]);
  });

  it('a rule with counts left also keeps the oldest backup, as restic does, so history reaches back as far as it can', () => {
    const all = at('2026-01-05T10:00:00Z', '2026-01-05T08:00:00Z', '2026-01-05T06:00:00Z');
    expect(kept(all, { keepDaily: 7 })).toEqual(['2026-01-05T10:00:00Z', '2026-01-05T06:00:00Z']);
    expect(kept(all, { keepDaily: 1 })).toEqual(['2026-01-05T10:00:00Z']);
  });

  it('keepWeekly buckets by ISO week (Monday first), whose year is not always the calendar year', () => {
    // 2025-01-01 (Wed) and 2024-12-30 (Mon) are both 2025-W01; 2024-12-29 (Sun) and 12-23 (Mon) are 2024-W52.
    const all = at('2025-01-01T12:00:00Z', '2024-12-30T12:00:00Z', '2024-12-29T12:00:00Z', '2024-12-23T12:00:00Z', '2024-12-22T12:00:00Z');
    expect(kept(all, { keepWeekly: 2 })).toEqual(['2025-01-01T12:00:00Z', '2024-12-29T12:00:00Z']);
    expect(kept(all, { keepWeekly: 3 })).toEqual(['2025-01-01T12:00:00Z', '2024-12-29T12:00:00Z', '2024-12-22T12:00:00Z']);
  });

  it('ISO week 53: 2027-01-03 (Sun) back to 2026-12-28 (Mon) is one week, 2026-W53', () => {
    const all = at('2027-01-04T00:00:00Z', '2027-01-03T23:00:00Z', '2027-01-01T00:00:00Z', '2026-12-28T00:00:00Z', '2026-12-27T23:59:59Z');
    expect(kept(all, { keepWeekly: 3 })).toEqual(['2027-01-04T00:00:00Z', '2027-01-03T23:00:00Z', '2026-12-27T23:59:59Z']);
  });

  it('keepMonthly and keepYearly bucket by UTC month and year', () => {
    const all = at('2028-03-01T00:00:00Z', '2028-02-29T12:00:00Z', '2028-02-01T00:00:00Z', '2028-01-31T23:59:59Z', '2027-12-31T23:59:59Z', '2027-06-01T00:00:00Z', '2026-01-01T00:00:00Z');
    expect(kept(all, { keepMonthly: 3 })).toEqual(['2028-03-01T00:00:00Z', '2028-02-29T12:00:00Z', '2028-01-31T23:59:59Z']);
    expect(kept(all, { keepYearly: 2 })).toEqual(['2028-03-01T00:00:00Z', '2027-12-31T23:59:59Z']);
    expect(kept(all, { keepYearly: 5 })).toEqual(['2028-03-01T00:00:00Z', '2027-12-31T23:59:59Z', '2026-01-01T00:00:00Z']);
  });

  it('keeps a backup any rule selects: restic documentation style keep-last 1, keep-daily 2, keep-monthly 2', () => {
    const all = at('2026-03-10T18:00:00Z', '2026-03-10T06:00:00Z', '2026-03-09T18:00:00Z', '2026-03-08T18:00:00Z', '2026-02-20T18:00:00Z', '2026-02-01T18:00:00Z', '2026-01-15T18:00:00Z');
    expect(kept(all, { keepLast: 1, keepDaily: 2, keepMonthly: 2 })).toEqual(['2026-03-10T18:00:00Z', '2026-03-09T18:00:00Z', '2026-02-20T18:00:00Z']);
  });

  it('always keeps the newest successful backup, even when a partial one after it fills the rules', () => {
    const all: PolicyItem[] = [
      { id: 'partial', startedAt: '2026-01-03T00:00:00Z', status: 'partial' },
      { id: 'success', startedAt: '2026-01-02T00:00:00Z', status: 'success' },
      { id: 'older', startedAt: '2026-01-01T00:00:00Z', status: 'success' },
    ];
    expect([...keptBackups(all, keep({ keepLast: 1 }))].sort()).toEqual(['partial', 'success']);
    const partials = all.map((b) => ({ ...b, status: 'partial' }));
    expect([...keptBackups(partials, keep({ keepLast: 1 }))]).toEqual(['partial']);
  });
});
