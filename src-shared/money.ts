/**
 * Money as API.md has it: decimal strings on the wire, integer minor units (`bigint`, so no sum ever
 * overflows or loses a cent) in between, half-even rounding. A currency's minor digits are the ones
 * Intl (CLDR) gives it, so the server that checks prices and the console that shows them agree.
 */

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency this runtime knows. */
export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

/** Minor digits by currency: a NumberFormat is costly to make, and an invoice run asks for every amount. */
const MINOR_DIGITS = new Map<string, number>();

/** The currency's minor-unit digits: 2 for EUR, 0 for JPY, 3 for KWD. */
export function minorDigits(currency: string): number {
  let digits = MINOR_DIGITS.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    MINOR_DIGITS.set(currency, digits);
  }
  return digits;
}

/**
 * A non-negative or negative decimal string in minor units of `currency`, or `null` when it carries more
 * decimals than the currency has (API.md: requests may carry fewer, never more) or is not a decimal.
 */
export function parseMoney(text: string, currency: string): bigint | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  const digits = minorDigits(currency);
  if (fraction.length > digits) return null;
  const minor = BigInt(whole + fraction.padEnd(digits, '0'));
  return sign ? -minor : minor;
}

/** Minor units as the wire carries them: exactly the currency's minor digits (`"12.50"`, `"-3.00"`, `"1200"`). */
export function formatMoney(minor: bigint, currency: string): string {
  return decimal(minor, minorDigits(currency));
}

/** `value / 10^places` as a decimal string with exactly `places` decimals. */
export function decimal(value: bigint, places: number): string {
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(places + 1, '0');
  return places === 0 ? sign + digits : `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** `numerator / denominator` rounded to an integer, ties to even (API.md); `denominator` > 0. */
export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  let quotient = numerator / denominator;
  let remainder = numerator % denominator;
  // bigint division truncates toward zero: make the remainder non-negative so the quotient is the floor.
  if (remainder < 0n) {
    quotient -= 1n;
    remainder += denominator;
  }
  const twice = remainder * 2n;
  if (twice > denominator || (twice === denominator && quotient % 2n !== 0n)) quotient += 1n;
  return quotient;
}

/** An exact fraction of minor units (or of anything): what invoice arithmetic carries until its one rounding. */
export interface Fraction {
  readonly num: bigint;
  /** Always > 0. */
  readonly den: bigint;
}

export const fraction = (num: bigint, den = 1n): Fraction => ({ num, den });
export const add = (a: Fraction, b: Fraction): Fraction => ({ num: a.num * b.den + b.num * a.den, den: a.den * b.den });
export const times = (a: Fraction, b: Fraction): Fraction => ({ num: a.num * b.num, den: a.den * b.den });
export const rounded = (a: Fraction): bigint => roundHalfEven(a.num, a.den);
/** `a` as a decimal string with `places` decimals, rounded half-even. */
export const fixed = (a: Fraction, places: number): string => decimal(roundHalfEven(a.num * 10n ** BigInt(places), a.den), places);
