import type { InvoiceLine, StorageMethod, UsageDay } from '../../src-shared/api/invoicing.js';
import { add, fixed, formatMoney, fraction, rounded, times, type Fraction } from '../../src-shared/money.js';

/**
 * The invoice arithmetic of API.md, exact: every amount is a fraction of minor units until the one
 * half-even rounding of its line. Nothing here reads the database; plans, quotes and invoices call it.
 */

export interface PricedSlab {
  readonly upToGb: number | null;
  /** Minor units: the rate per GB (`uniform`, `sliding`) or the slab's fixed amount (`per-slab`). */
  readonly price: bigint;
}
/** A plan with its prices in minor units. */
export interface PricedPlan {
  readonly currency: string;
  readonly pricePerMcal: bigint;
  readonly method: StorageMethod;
  readonly slabs: readonly PricedSlab[];
}

/** A line before it goes on the wire: `amount` already rounded, the rest exact. */
export interface Line {
  readonly description: string;
  readonly quantity: Fraction;
  readonly unitPrice: Fraction;
  readonly amount: bigint;
}

const GB = 2n ** 30n;

/** The full-month storage price at `volumeGb`, in minor units (API.md: uniform, per-slab, sliding). */
export function storagePrice(plan: PricedPlan, volumeGb: Fraction): Fraction {
  const index = plan.slabs.findIndex((s) => s.upToGb === null || volumeGb.num <= BigInt(s.upToGb) * volumeGb.den);
  // A validated plan's last slab is unbounded, so every volume has one.
  const slab = plan.slabs[index]!;
  if (plan.method === 'per-slab') return fraction(slab.price);
  if (plan.method === 'uniform') return times(volumeGb, fraction(slab.price));
  // sliding: each lower slab whole at its rate, then the rest of the volume at its own slab's rate.
  let price = fraction(0n);
  let floor = 0n;
  for (const lower of plan.slabs.slice(0, index)) {
    const top = BigInt(lower.upToGb!);
    price = add(price, fraction((top - floor) * lower.price));
    floor = top;
  }
  return add(price, times(add(volumeGb, fraction(-floor)), fraction(slab.price)));
}

const MONTH = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const daysInMonth = (yearMonth: string) => {
  const [year, month] = yearMonth.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
};

/**
 * The lines of a period: its days (each with the usage invoices bill from, in order, every day once)
 * split at calendar-month boundaries, an MCAL line and a storage line per month part.
 */
export function periodLines(plan: PricedPlan, days: readonly UsageDay[]): Line[] {
  const parts = new Map<string, UsageDay[]>();
  for (const day of days) {
    const key = day.day.slice(0, 7);
    parts.set(key, [...(parts.get(key) ?? []), day]);
  }
  return [...parts].flatMap(([yearMonth, part]) => {
    const inMonth = BigInt(daysInMonth(yearMonth));
    const month = MONTH.format(new Date(`${yearMonth}-01T00:00:00Z`));
    const mcalMonths = fraction(part.reduce((sum, d) => sum + BigInt(d.mcalsUsed), 0n), inMonth);
    const volume = fraction(part.reduce((sum, d) => sum + BigInt(d.spaceUsed), 0n), BigInt(part.length) * GB);
    const unit = storagePrice(plan, volume);
    const share = fraction(BigInt(part.length), inMonth);
    return [
      line(`MCALs, ${month}`, mcalMonths, fraction(plan.pricePerMcal)),
      line(`Storage, ${month} (average ${fixed(volume, 4)} GB)`, share, unit),
    ];
  });
}

/** One full month at this usage (the Invoice Configuration page's live example). */
export function quoteLines(plan: PricedPlan, mcals: number, storageBytes: number): Line[] {
  const volume = fraction(BigInt(storageBytes), GB);
  return [line('MCALs', fraction(BigInt(mcals)), fraction(plan.pricePerMcal)), line(`Storage (${fixed(volume, 4)} GB)`, fraction(1n), storagePrice(plan, volume))];
}

const line = (description: string, quantity: Fraction, unitPrice: Fraction): Line => ({ description, quantity, unitPrice, amount: rounded(times(quantity, unitPrice)) });

/** The totals of API.md: subtotal = Σ lines, tax = half-even(subtotal × taxPercent / 100), total = subtotal + tax. */
export function totals(amounts: readonly bigint[], taxHundredths: number): { subtotal: bigint; tax: bigint; total: bigint } {
  const subtotal = amounts.reduce((sum, a) => sum + a, 0n);
  const tax = rounded(fraction(subtotal * BigInt(taxHundredths), 10_000n));
  return { subtotal, tax, total: subtotal + tax };
}

/** A line on the wire: quantity with 4 places, the unit price rounded half-even to the currency's minor digits. */
export function wireLine(l: Line, currency: string, sign: 1n | -1n = 1n): InvoiceLine {
  return {
    description: l.description,
    quantity: fixed(l.quantity, 4),
    unitPrice: formatMoney(rounded(l.unitPrice), currency),
    amount: formatMoney(sign * l.amount, currency),
  };
}
