import { MAX_USAGE_DAYS, type UsageDay, type UsageList, type UsageQuery } from '../../src-shared/api/invoicing.js';
import { roundHalfEven } from '../../src-shared/money.js';
import type { Principal } from '../auth.js';
import { badRequest } from '../errors.js';
import type { ScheduledTask } from '../scheduler.js';
import type { InvoicingDeps } from './index.js';

const DAY_MS = 86_400_000;

/** The UTC day (`YYYY-MM-DD`) of an instant (API.md: every day-based rule is UTC). */
export const utcDay = (at: number): string => new Date(at).toISOString().slice(0, 10);
/** Days since 1970-01-01 of a `YYYY-MM-DD` day, or NaN when it is no calendar day (`2026-02-30`). */
export const dayNumber = (day: string): number => {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || utcDay(ms) !== day ? NaN : ms / DAY_MS;
};
export const dayOf = (n: number): string => utcDay(n * DAY_MS);

interface SampleRow {
  day: string;
  space_used: number;
  mcals_used: number;
}

// One statement for a whole range: the samples in it, and the nearest one on each side to interpolate
// its first and last missing days from.
const RANGE_SQL = `
  SELECT * FROM (SELECT day, space_used, mcals_used FROM usage_samples WHERE customer_id = ? AND day < ? ORDER BY day DESC LIMIT 1)
  UNION ALL
  SELECT day, space_used, mcals_used FROM usage_samples WHERE customer_id = ? AND day BETWEEN ? AND ?
  UNION ALL
  SELECT * FROM (SELECT day, space_used, mcals_used FROM usage_samples WHERE customer_id = ? AND day > ? ORDER BY day LIMIT 1)
  ORDER BY day`;

// Today's sample of every customer, rewritten while the day lasts so the last write is the day's end value;
// a row whose values did not change is left alone, so a frequent maintenance run writes only what moved.
const SAMPLE_SQL = `
  INSERT INTO usage_samples (customer_id, day, space_used, mcals_used)
  SELECT id, ?, space_used, mcals_used FROM customers WHERE true
  ON CONFLICT (customer_id, day) DO UPDATE SET space_used = excluded.space_used, mcals_used = excluded.mcals_used
  WHERE usage_samples.space_used IS NOT excluded.space_used OR usage_samples.mcals_used IS NOT excluded.mcals_used`;

/**
 * Daily usage samples (API.md, `GET /customers/:id/usage`): one per customer and UTC day, its end-of-day
 * space and MCALs in use, the data invoices bill from. A day without a sample reads as the straight line
 * between its neighbours, so an outage bills the growth it missed rather than the last size seen.
 */
export class UsageSamples {
  constructor(private readonly deps: InvoicingDeps) {}

  /** Every maintenance run samples today; past days are never rewritten. */
  task(): ScheduledTask {
    return {
      name: 'usage-samples',
      due: () => true,
      run: (now) => ({ usageSamplesTaken: this.deps.store.write(() => this.deps.store.run(SAMPLE_SQL, utcDay(now)).changes) }),
    };
  }

  /**
   * The usage of every day of [from, to], in order: the stored sample, or a missing day interpolated
   * linearly between the nearest samples before and after it, rounded half-even; 0 before the first
   * sample, the last sample after it. Invoices bill from exactly these values.
   */
  days(customerId: string, from: string, to: string): UsageDay[] {
    const samples = this.deps.store.all<SampleRow>(RANGE_SQL, customerId, from, customerId, from, to, customerId, to);
    const last = dayNumber(to);
    const days: UsageDay[] = [];
    let next = 0; // the first sample on or after the day
    for (let n = dayNumber(from); n <= last; n++) {
      const day = dayOf(n);
      while (next < samples.length && samples[next]!.day < day) next++;
      const after = samples[next];
      const before = next > 0 ? samples[next - 1] : undefined;
      days.push(after?.day === day ? toDay(after) : interpolated(day, n, before, after));
    }
    return days;
  }

  /** GET /customers/:id/usage: by default the 30 days through today. */
  get(principal: Principal, customerId: string, query: UsageQuery): UsageList {
    this.deps.customers.row(principal, customerId);
    const to = query.to ?? utcDay(Date.now());
    const from = query.from ?? dayOf(dayNumber(to) - 29);
    for (const [field, day] of [['from', from], ['to', to]] as const) {
      if (Number.isNaN(dayNumber(day))) throw badRequest(field, `${field}: ${day} is not a calendar day.`);
    }
    if (from > to) throw badRequest('from', `from: ${from} is after to (${to}).`);
    const count = dayNumber(to) - dayNumber(from) + 1;
    if (count > MAX_USAGE_DAYS) throw badRequest('to', `to: ${from} to ${to} is ${count} days; one request covers at most ${MAX_USAGE_DAYS}.`);
    const items = this.days(customerId, from, to);
    return { items, total: items.length };
  }
}

const toDay = (s: SampleRow): UsageDay => ({ day: s.day, spaceUsed: s.space_used, mcalsUsed: s.mcals_used });

function interpolated(day: string, n: number, before: SampleRow | undefined, after: SampleRow | undefined): UsageDay {
  if (!before) return { day, spaceUsed: 0, mcalsUsed: 0 };
  if (!after) return { ...toDay(before), day };
  const start = dayNumber(before.day);
  const span = BigInt(dayNumber(after.day) - start);
  const into = BigInt(n - start);
  // before + (after − before) × into / span, exact until its one half-even rounding.
  const at = (a: number, b: number) => Number(roundHalfEven(BigInt(a) * span + (BigInt(b) - BigInt(a)) * into, span));
  return { day, spaceUsed: at(before.space_used, after.space_used), mcalsUsed: at(before.mcals_used, after.mcals_used) };
}
