/**
 * Invoice periods and days as the console shows and checks them. Every day-based rule is UTC (API.md), so
 * days are `YYYY-MM-DD` strings computed in UTC, never in the technician's time zone.
 */
import { MAX_INVOICE_DAYS, type InvoicePeriod } from '../../src-shared/api/invoicing.js';
import { errorInfo, errorMessage } from './errors.js';

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of `at`. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** Milliseconds of a day's UTC midnight; NaN when it is not a real day (`2026-02-30`). */
function dayMs(day: string): number {
  if (!DAY.test(day)) return Number.NaN;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return utcDay(new Date(Number.isNaN(ms) ? 0 : ms)) === day ? ms : Number.NaN;
}

export const isDay = (day: string): boolean => !Number.isNaN(dayMs(day));

/** Days from `start` to `end`, both included. */
export const daysIn = (start: string, end: string): number => Math.round((dayMs(end) - dayMs(start)) / DAY_MS) + 1;

/** The last full calendar month before `today` (UTC): what Generate Invoice offers first. */
export function lastFullMonth(today: Date = new Date()): InvoicePeriod {
  const first = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1);
  const last = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 0);
  return { periodStart: utcDay(new Date(first)), periodEnd: utcDay(new Date(last)) };
}

export interface PeriodProblems {
  periodStart: string | null;
  periodEnd: string | null;
}

/** What the server would refuse about a period (API.md: start ≤ end, end before today, at most 366 days), by field. */
export function periodProblems(period: InvoicePeriod, today: Date = new Date()): PeriodProblems {
  const { periodStart, periodEnd } = period;
  const problems: PeriodProblems = { periodStart: null, periodEnd: null };
  if (!isDay(periodStart)) problems.periodStart = 'Enter the first day of the period.';
  if (!isDay(periodEnd)) problems.periodEnd = 'Enter the last day of the period.';
  else if (periodEnd >= utcDay(today)) problems.periodEnd = `The period must end before today (${formatDay(utcDay(today))}, UTC): only past days have usage to bill.`;
  if (problems.periodStart || problems.periodEnd) return problems;
  if (periodStart > periodEnd) problems.periodEnd = 'The period must end on or after its first day.';
  else if (daysIn(periodStart, periodEnd) > MAX_INVOICE_DAYS) problems.periodEnd = `A period covers at most ${MAX_INVOICE_DAYS} days; this one has ${daysIn(periodStart, periodEnd)}.`;
  return problems;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** `2026-10-01` → "Oct 1, 2026" in the user's language, read as the UTC day it is. */
export function formatDay(day: string): string {
  const ms = dayMs(day);
  return Number.isNaN(ms) ? day : dayFormat.format(ms);
}

/** "Oct 1, 2026 – Oct 31, 2026". */
export function formatPeriod(start: string, end: string): string {
  const ms = [dayMs(start), dayMs(end)];
  if (ms.some(Number.isNaN)) return `${start} – ${end}`;
  return dayFormat.formatRange(ms[0]!, ms[1]!);
}

/**
 * Why the server refused to generate an invoice for `period`, in words that say what to do next. Its 409s
 * (API.md, src-server/invoicing/invoices.ts): invoicing disabled; no plan (`details.field` planId); a
 * period overlapping an issued or paid invoice (`details.field` periodStart, `details.number`).
 */
export function generateFailure(err: unknown, period: InvoicePeriod): string {
  const { code, message, details } = errorInfo(err);
  if (code !== 'CONFLICT') return errorMessage(err, 'Generating the invoice');
  const field = details?.['field'];
  if (field === 'planId') return 'No invoice plan applies to this customer: pick one in Invoice Configuration first, or make a plan the default in Invoice Plans.';
  if (field !== 'periodStart') return 'Invoicing is off for this customer. Turn on invoicing in Invoice Configuration first.';
  const number = typeof details?.['number'] === 'string' ? details['number'] : /INV-\d+/.exec(message)?.[0];
  const which = number ? `(${number}) ` : '';
  return `An invoice ${which}already covers days of ${formatPeriod(period.periodStart, period.periodEnd)}: issue a credit note for it first, then generate this period again.`;
}
