/**
 * Billing cycles (src-server/invoicing/cycles.ts): which days each cycle covers, and which periods the
 * scheduler invoices on a given day (API.md, invoice-config), catching up missed cycles, never twice.
 */
import { describe, expect, it } from 'vitest';
import { cycleOf, cyclesBetween, duePeriods, lastCycleEnd, uncovered } from '../../src-server/invoicing/cycles.js';

describe('cycleOf', () => {
  it('weekly: 7 days from the ISO weekday it starts on', () => {
    // 2026-10-07 is a Wednesday; billing day 1 (Monday) → Monday 5th to Sunday 11th.
    expect(cycleOf('weekly', 1, '2026-10-07')).toEqual({ start: '2026-10-05', end: '2026-10-11' });
    // Billing day 3 (Wednesday): the Wednesday itself starts one.
    expect(cycleOf('weekly', 3, '2026-10-07')).toEqual({ start: '2026-10-07', end: '2026-10-13' });
    // Billing day 7 (Sunday), across a year's end: Sunday 2026-12-27 to Saturday 2027-01-02.
    expect(cycleOf('weekly', 7, '2027-01-01')).toEqual({ start: '2026-12-27', end: '2027-01-02' });
  });

  it('monthly: day b of a month to day b−1 of the next, February included', () => {
    expect(cycleOf('monthly', 1, '2026-10-31')).toEqual({ start: '2026-10-01', end: '2026-10-31' });
    expect(cycleOf('monthly', 15, '2026-10-14')).toEqual({ start: '2026-09-15', end: '2026-10-14' });
    expect(cycleOf('monthly', 15, '2026-10-15')).toEqual({ start: '2026-10-15', end: '2026-11-14' });
    expect(cycleOf('monthly', 1, '2028-02-10')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
    expect(cycleOf('monthly', 28, '2027-01-05')).toEqual({ start: '2026-12-28', end: '2027-01-27' });
  });

  it('quarterly: day b of January, April, July or October to day b−1 three months on', () => {
    expect(cycleOf('quarterly', 1, '2026-05-20')).toEqual({ start: '2026-04-01', end: '2026-06-30' });
    expect(cycleOf('quarterly', 10, '2026-10-09')).toEqual({ start: '2026-07-10', end: '2026-10-09' });
    expect(cycleOf('quarterly', 10, '2027-01-10')).toEqual({ start: '2027-01-10', end: '2027-04-09' });
    expect(cycleOf('quarterly', 5, '2027-01-04')).toEqual({ start: '2026-10-05', end: '2027-01-04' });
  });
});

describe('lastCycleEnd and cyclesBetween', () => {
  it('the latest cycle over is the one that ended before the latest billing day', () => {
    expect(lastCycleEnd('monthly', 1, '2026-11-01')).toBe('2026-10-31');
    expect(lastCycleEnd('monthly', 1, '2026-11-20')).toBe('2026-10-31');
    expect(lastCycleEnd('weekly', 1, '2026-10-12')).toBe('2026-10-11');
    expect(lastCycleEnd('quarterly', 1, '2026-12-31')).toBe('2026-09-30');
  });

  it('lists whole cycles from the one a day lies in through the one ending on a day', () => {
    expect(cyclesBetween('monthly', 1, '2026-08-20', '2026-10-31')).toEqual([
      { start: '2026-08-01', end: '2026-08-31' },
      { start: '2026-09-01', end: '2026-09-30' },
      { start: '2026-10-01', end: '2026-10-31' },
    ]);
    expect(cyclesBetween('monthly', 1, '2026-11-02', '2026-10-31')).toEqual([]);
  });
});

describe('uncovered', () => {
  it('the days no period covers, as runs', () => {
    const taken = [
      { start: '2026-10-10', end: '2026-10-20' },
      { start: '2026-09-01', end: '2026-10-02' },
    ];
    expect(uncovered('2026-10-01', '2026-10-31', taken)).toEqual([
      { start: '2026-10-03', end: '2026-10-09' },
      { start: '2026-10-21', end: '2026-10-31' },
    ]);
    expect(uncovered('2026-10-01', '2026-10-31', [{ start: '2026-09-01', end: '2026-11-30' }])).toEqual([]);
    expect(uncovered('2026-10-01', '2026-10-31', [])).toEqual([{ start: '2026-10-01', end: '2026-10-31' }]);
  });
});

describe('duePeriods', () => {
  it('on its billing day: the cycle that ended the day before, from the day invoicing was enabled', () => {
    expect(duePeriods('monthly', 1, '2026-10-01', '2026-11-01', [])).toEqual([{ start: '2026-10-01', end: '2026-10-31' }]);
    expect(duePeriods('monthly', 1, '2026-10-12', '2026-11-01', [])).toEqual([{ start: '2026-10-12', end: '2026-10-31' }]);
    // Enabled during the cycle running now: nothing yet.
    expect(duePeriods('monthly', 1, '2026-11-01', '2026-11-01', [])).toEqual([]);
  });

  it('never twice: the next run, or the next day, finds the cycle invoiced', () => {
    const october = { start: '2026-10-01', end: '2026-10-31' };
    expect(duePeriods('monthly', 1, '2026-10-01', '2026-11-01', [october])).toEqual([]);
    expect(duePeriods('monthly', 1, '2026-10-01', '2026-11-17', [october])).toEqual([]);
  });

  it('missed days catch up: every cycle since the last invoiced one, each its own period', () => {
    const august = { start: '2026-08-01', end: '2026-08-31' };
    expect(duePeriods('monthly', 1, '2026-07-15', '2026-11-03', [august])).toEqual([
      { start: '2026-09-01', end: '2026-09-30' },
      { start: '2026-10-01', end: '2026-10-31' },
    ]);
    // Never invoiced, enabled on a Wednesday: the rest of that week, then every whole week.
    expect(duePeriods('weekly', 1, '2026-09-30', '2026-10-19', [])).toEqual([
      { start: '2026-09-30', end: '2026-10-04' },
      { start: '2026-10-05', end: '2026-10-11' },
      { start: '2026-10-12', end: '2026-10-18' },
    ]);
  });

  it('skips days already invoiced by hand, and is not misled by an invoice of the cycle running now', () => {
    const byHand = { start: '2026-10-10', end: '2026-10-20' };
    const current = { start: '2026-11-01', end: '2026-11-02' };
    expect(duePeriods('monthly', 1, '2026-09-01', '2026-11-05', [{ start: '2026-09-01', end: '2026-09-30' }, byHand, current])).toEqual([
      { start: '2026-10-01', end: '2026-10-09' },
      { start: '2026-10-21', end: '2026-10-31' },
    ]);
  });
});
