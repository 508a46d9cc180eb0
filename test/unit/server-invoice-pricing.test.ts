/**
 * The invoice arithmetic (src-server/invoicing/pricing.ts) and money (src-shared/money.ts), against amounts
 * computed by hand in the comments. Prices are minor units (cents for EUR); GB = 2^30 bytes.
 */
import { describe, expect, it } from 'vitest';
import type { UsageDay } from '../../src-shared/api/invoicing.js';
import { formatMoney, fraction, isCurrency, minorDigits, parseMoney, roundHalfEven, type Fraction } from '../../src-shared/money.js';
import { periodLines, quoteLines, storagePrice, totals, wireLine, type PricedPlan } from '../../src-server/invoicing/pricing.js';

const GB = 2 ** 30;

/** API.md's slabs: up to 5 GB, up to 9 GB, unbounded; at 3 / 2 / 1 EUR (per GB, or fixed for per-slab). */
const plan = (method: PricedPlan['method'], prices: [bigint, bigint, bigint] = [300n, 200n, 100n], pricePerMcal = 1000n): PricedPlan => ({
  currency: 'EUR',
  pricePerMcal,
  method,
  slabs: [
    { upToGb: 5, price: prices[0] },
    { upToGb: 9, price: prices[1] },
    { upToGb: null, price: prices[2] },
  ],
});
/** 1 EUR per GB whatever the volume, 10 EUR per MCAL. */
const flat = (pricePerMcal = 1000n): PricedPlan => ({ currency: 'EUR', pricePerMcal, method: 'uniform', slabs: [{ upToGb: null, price: 100n }] });

/** A fraction's exact value as `num/den` in lowest terms, to compare without rounding. */
const exact = (f: Fraction): string => {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const g = gcd(f.num < 0n ? -f.num : f.num, f.den);
  return `${f.num / g}/${f.den / g}`;
};
const gb = (n: number) => fraction(BigInt(Math.round(n * GB)), BigInt(GB));

/** Days `first`..`last` of a month (`YYYY-MM`), each with the usage `at(day of month)` gives. */
const days = (month: string, first: number, last: number, at: (d: number) => { gb: number; mcals: number } = () => ({ gb: 1, mcals: 1 })): UsageDay[] =>
  Array.from({ length: last - first + 1 }, (_, i) => {
    const d = first + i;
    const u = at(d);
    return { day: `${month}-${String(d).padStart(2, '0')}`, spaceUsed: u.gb * GB, mcalsUsed: u.mcals };
  });
const wire = (p: PricedPlan, usage: UsageDay[]) => periodLines(p, usage).map((l) => wireLine(l, p.currency));

describe('storagePrice: the three slab methods', () => {
  it('sliding: each slab\'s GBs at its rate (API.md: 12 GB = 5×3 + 4×2 + 3×1 = 26)', () => {
    expect(exact(storagePrice(plan('sliding'), gb(12)))).toBe('2600/1');
    expect(exact(storagePrice(plan('sliding'), gb(5)))).toBe('1500/1'); // exactly on the bound: 5 × 3
    expect(exact(storagePrice(plan('sliding'), gb(9)))).toBe('2300/1'); // 5×3 + 4×2
    expect(exact(storagePrice(plan('sliding'), gb(2.5)))).toBe('750/1'); // 2.5 × 3
    expect(exact(storagePrice(plan('sliding'), gb(0)))).toBe('0/1');
  });

  it('uniform: the whole volume at the rate of the slab it lies in; exactly 5 GB is in the slab up to 5', () => {
    expect(exact(storagePrice(plan('uniform'), gb(5)))).toBe('1500/1'); // 5 × 3
    // One byte past 5 GB is in the second slab: (5 + 2^-30) GB × 200 cents = 1000 + 200/2^30 cents.
    const G = BigInt(GB);
    expect(exact(storagePrice(plan('uniform'), fraction(5n * G + 1n, G)))).toBe(exact(fraction(1000n * G + 200n, G)));
    expect(exact(storagePrice(plan('uniform'), gb(12)))).toBe('1200/1'); // 12 × 1
  });

  it("per-slab: the slab's price as a fixed amount", () => {
    const fixed = plan('per-slab', [1000n, 2000n, 3000n]);
    expect(exact(storagePrice(fixed, gb(0)))).toBe('1000/1');
    expect(exact(storagePrice(fixed, gb(5)))).toBe('1000/1');
    expect(exact(storagePrice(fixed, gb(5.5)))).toBe('2000/1');
    expect(exact(storagePrice(fixed, gb(1000)))).toBe('3000/1');
  });
});

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour, negative ones too', () => {
    const cases: [bigint, bigint, bigint][] = [
      [1n, 2n, 0n], // 0.5 → 0
      [3n, 2n, 2n], // 1.5 → 2
      [5n, 2n, 2n], // 2.5 → 2
      [7n, 2n, 4n], // 3.5 → 4
      [-1n, 2n, 0n], // −0.5 → 0
      [-3n, 2n, -2n], // −1.5 → −2
      [-5n, 2n, -2n], // −2.5 → −2
      [2n, 3n, 1n], // 0.67 → 1
      [-2n, 3n, -1n], // −0.67 → −1
      [1n, 3n, 0n], // 0.33 → 0
      [-7n, 3n, -2n], // −2.33 → −2
    ];
    for (const [num, den, expected] of cases) expect(roundHalfEven(num, den), `${num}/${den}`).toBe(expected);
  });
});

describe('periodLines', () => {
  it('pro-rates 10 days of one MCAL and 1 GB by the days of months of 28, 29, 30 and 31 days', () => {
    // MCALs: 10.00 × 10/D; storage 1.00 × 10/D, each rounded once.
    const cases: [string, string, string, string, string][] = [
      ['2027-02', 'February 2027', '0.3571', '3.57', '0.36'], // 1000×10/28 = 357.14; 100×10/28 = 35.71
      ['2028-02', 'February 2028', '0.3448', '3.45', '0.34'], // 1000×10/29 = 344.83; 34.48
      ['2026-11', 'November 2026', '0.3333', '3.33', '0.33'], // 333.33; 33.33
      ['2026-10', 'October 2026', '0.3226', '3.23', '0.32'], // 322.58; 32.26
    ];
    for (const [month, name, quantity, mcals, storage] of cases) {
      expect(wire(flat(), days(month, 1, 10))).toEqual([
        { description: `MCALs, ${name}`, quantity, unitPrice: '10.00', amount: mcals },
        { description: `Storage, ${name} (average 1.0000 GB)`, quantity, unitPrice: '1.00', amount: storage },
      ]);
    }
  });

  it('bills a client added mid-month by its days, and storage on the average of the days', () => {
    // November (30 days): 1 MCAL and 1 GB for 15 days, then 2 and 2: Σ MCALs = 45 → 1.5 MCAL-months × 10.00 = 15.00;
    // average 1.5 GB × 1.00 = 1.50 for the whole month.
    const usage = days('2026-11', 1, 30, (d) => (d <= 15 ? { gb: 1, mcals: 1 } : { gb: 2, mcals: 2 }));
    expect(wire(flat(), usage)).toEqual([
      { description: 'MCALs, November 2026', quantity: '1.5000', unitPrice: '10.00', amount: '15.00' },
      { description: 'Storage, November 2026 (average 1.5000 GB)', quantity: '1.0000', unitPrice: '1.50', amount: '1.50' },
    ]);
    // Sliding over the average, not the days: 15 days at 4 GB, 15 at 10 GB → 7 GB → 5×3 + 2×2 = 19.00.
    const sliding = days('2026-11', 1, 30, (d) => ({ gb: d <= 15 ? 4 : 10, mcals: 0 }));
    expect(wire(plan('sliding'), sliding)[1]).toMatchObject({ unitPrice: '19.00', amount: '19.00' });
  });

  it('splits a period across a month boundary into 4 lines', () => {
    const usage = [...days('2026-10', 30, 31), ...days('2026-11', 1, 2)];
    // October: 1000×2/31 = 64.52 → 0.65, 100×2/31 = 6.45 → 0.06; November: 1000×2/30 = 66.67 → 0.67, 6.67 → 0.07.
    expect(wire(flat(), usage).map((l) => [l.description, l.quantity, l.amount])).toEqual([
      ['MCALs, October 2026', '0.0645', '0.65'],
      ['Storage, October 2026 (average 1.0000 GB)', '0.0645', '0.06'],
      ['MCALs, November 2026', '0.0667', '0.67'],
      ['Storage, November 2026 (average 1.0000 GB)', '0.0667', '0.07'],
    ]);
  });

  it('rounds a line half-even: 15 MCAL-days of 30 at 1, 3 and 5 cents', () => {
    const amount = (cents: bigint) => periodLines(flat(cents), days('2026-11', 1, 15))[0]!.amount;
    expect(amount(1n)).toBe(0n); // 0.5 → 0
    expect(amount(3n)).toBe(2n); // 1.5 → 2
    expect(amount(5n)).toBe(2n); // 2.5 → 2
  });
});

describe('quoteLines, totals and wireLine', () => {
  it("quotes one full month: API.md's 12 GB sliding = 26.00, 3 MCALs × 10.00", () => {
    const lines = quoteLines(plan('sliding'), 3, 12 * GB);
    expect(lines.map((l) => wireLine(l, 'EUR'))).toEqual([
      { description: 'MCALs', quantity: '3.0000', unitPrice: '10.00', amount: '30.00' },
      { description: 'Storage (12.0000 GB)', quantity: '1.0000', unitPrice: '26.00', amount: '26.00' },
    ]);
    expect(totals(lines.map((l) => l.amount), 0)).toEqual({ subtotal: 5600n, tax: 0n, total: 5600n });
  });

  it('taxes the subtotal once, half-even', () => {
    expect(totals([100n, 250n], 1900)).toEqual({ subtotal: 350n, tax: 66n, total: 416n }); // 350 × 19% = 66.5 → 66
    expect(totals([50n], 100)).toEqual({ subtotal: 50n, tax: 0n, total: 50n }); // 0.5 → 0
    expect(totals([150n], 100)).toEqual({ subtotal: 150n, tax: 2n, total: 152n }); // 1.5 → 2
    expect(totals([1999n], 725)).toEqual({ subtotal: 1999n, tax: 145n, total: 2144n }); // 144.93 → 145
  });

  it('negates amounts for a credit note, not quantities or unit prices', () => {
    const [line] = periodLines(flat(), days('2027-02', 1, 10));
    expect(wireLine(line!, 'EUR', -1n)).toEqual({ description: 'MCALs, February 2027', quantity: '0.3571', unitPrice: '10.00', amount: '-3.57' });
  });
});

describe('money', () => {
  it("formats exactly the currency's minor digits: JPY 0, EUR 2, KWD 3", () => {
    expect([minorDigits('JPY'), minorDigits('EUR'), minorDigits('KWD')]).toEqual([0, 2, 3]);
    expect(formatMoney(1200n, 'JPY')).toBe('1200');
    expect(formatMoney(-1200n, 'JPY')).toBe('-1200');
    expect(formatMoney(1250n, 'EUR')).toBe('12.50');
    expect(formatMoney(-5n, 'EUR')).toBe('-0.05');
    expect(formatMoney(0n, 'EUR')).toBe('0.00');
    expect(formatMoney(1234n, 'KWD')).toBe('1.234');
    expect(formatMoney(5n, 'KWD')).toBe('0.005');
  });

  it('parses fewer decimals than the currency has, refuses more', () => {
    expect(parseMoney('3', 'EUR')).toBe(300n);
    expect(parseMoney('1.5', 'EUR')).toBe(150n);
    expect(parseMoney('-1.50', 'EUR')).toBe(-150n);
    expect(parseMoney('1.234', 'EUR')).toBeNull();
    expect(parseMoney('1200', 'JPY')).toBe(1200n);
    expect(parseMoney('12.5', 'JPY')).toBeNull();
    expect(parseMoney('1.234', 'KWD')).toBe(1234n);
    expect(parseMoney('1.2345', 'KWD')).toBeNull();
    for (const text of ['', 'abc', '1.', '.5', '1e3', '1,50']) expect(parseMoney(text, 'EUR'), text).toBeNull();
  });

  it('knows ISO 4217 codes', () => {
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('JPY')).toBe(true);
    expect(isCurrency('XYZ')).toBe(false);
  });
});
