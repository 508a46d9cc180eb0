import type { InvoiceCycle } from '../../src-shared/api/invoicing.js';
import { dayNumber, dayOf, utcDay } from './usage.js';

/**
 * Billing-cycle date arithmetic (API.md, invoice-config) on UTC days (`YYYY-MM-DD`, which order as
 * strings): a weekly cycle starts on its ISO weekday and lasts 7 days; a monthly one runs from day b of a
 * month to day b−1 of the next; a quarterly one from day b of January, April, July or October to day b−1
 * three months on. Nothing here reads the clock or the database.
 */

export const addDays = (day: string, n: number) => dayOf(dayNumber(day) + n);
/** Days from `from` through `to`, both included. */
export const daysFromTo = (from: string, to: string) => dayNumber(to) - dayNumber(from) + 1;
export const later = (a: string, b: string) => (a > b ? a : b);

export interface Cycle {
  readonly start: string;
  readonly end: string;
}

/** The day `billingDay` of the month `months` after January of `year` (months may exceed 11). */
const monthDay = (year: number, months: number, billingDay: number) => utcDay(Date.UTC(year, months, billingDay));

/** The first day of the cycle `day` lies in. */
function cycleStart(cycle: InvoiceCycle, billingDay: number, day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (cycle === 'weekly') {
    const isoWeekday = ((date.getUTCDay() + 6) % 7) + 1;
    return addDays(day, -((isoWeekday - billingDay + 7) % 7));
  }
  const step = cycle === 'monthly' ? 1 : 3;
  const year = date.getUTCFullYear();
  // The latest cycle month at or before this month (every month, or January/April/July/October).
  const month = date.getUTCMonth() - (date.getUTCMonth() % step);
  const start = monthDay(year, month, billingDay);
  return start <= day ? start : monthDay(year, month - step, billingDay);
}

/** The cycle after the one starting on `start`. */
function nextStart(cycle: InvoiceCycle, billingDay: number, start: string): string {
  if (cycle === 'weekly') return addDays(start, 7);
  const date = new Date(`${start}T00:00:00Z`);
  return monthDay(date.getUTCFullYear(), date.getUTCMonth() + (cycle === 'monthly' ? 1 : 3), billingDay);
}

/** The cycle `day` lies in. */
export function cycleOf(cycle: InvoiceCycle, billingDay: number, day: string): Cycle {
  const start = cycleStart(cycle, billingDay, day);
  return { start, end: addDays(nextStart(cycle, billingDay, start), -1) };
}

/** The cycles from the one `from` lies in through the one ending on `through`, oldest first. */
export function cyclesBetween(cycle: InvoiceCycle, billingDay: number, from: string, through: string): Cycle[] {
  const cycles: Cycle[] = [];
  for (let c = cycleOf(cycle, billingDay, from); c.end <= through; c = cycleOf(cycle, billingDay, addDays(c.end, 1))) cycles.push(c);
  return cycles;
}

/** The last day of the latest cycle that ended before `today`: the day before the latest billing day. */
export const lastCycleEnd = (cycle: InvoiceCycle, billingDay: number, today: string) => addDays(cycleStart(cycle, billingDay, today), -1);

/**
 * The days of `[start, end]` no period of `taken` covers, as runs of consecutive days; `taken` (inclusive
 * periods) in any order.
 */
export function uncovered(start: string, end: string, taken: readonly Cycle[]): Cycle[] {
  const runs: Cycle[] = [];
  let from = start;
  for (const t of [...taken].sort((a, b) => a.start.localeCompare(b.start))) {
    if (t.end < from || t.start > end) continue;
    if (t.start > from) runs.push({ start: from, end: addDays(t.start, -1) });
    from = later(from, addDays(t.end, 1));
  }
  if (from <= end) runs.push({ start: from, end });
  return runs;
}

/**
 * The periods the scheduler invoices on `today` (API.md): each cycle that ended before today, from the
 * later of its start and `enabledSince`, less the days `taken` (the customer's issued or paid invoices)
 * already bill, as runs of consecutive days. Cycles missed while the server was down catch up; the walk
 * starts at the cycle after the last invoiced one, so days left uninvoiced before it (a voided invoice)
 * are a person's to re-invoice, and the walk stays short however long invoicing has been on.
 */
export function duePeriods(cycle: InvoiceCycle, billingDay: number, enabledSince: string, today: string, taken: readonly Cycle[]): Cycle[] {
  const through = lastCycleEnd(cycle, billingDay, today);
  const lastBilled = taken.reduce((last, t) => (t.end <= through ? later(last, t.end) : last), '');
  const from = lastBilled >= enabledSince ? later(enabledSince, cycleOf(cycle, billingDay, addDays(lastBilled, 1)).start) : enabledSince;
  return cyclesBetween(cycle, billingDay, from, through).flatMap((c) => uncovered(later(c.start, enabledSince), c.end, taken));
}
