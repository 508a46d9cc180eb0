/**
 * Money as people read it: the wire's decimal strings in the currency's own style ("€12.50", "¥1,200"),
 * and the tax of a typed percent computed exactly as the server computes it (API.md: half-even of
 * subtotal × taxPercent / 100, in minor units). No float ever holds an amount.
 */
import { formatMoney, parseMoney, roundHalfEven } from '../../src-shared/money.js';

// One formatter per currency, made on first use: every table cell formats an amount.
const formats = new Map<string, Intl.NumberFormat>();

function formatOf(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format;
}

/**
 * A wire amount (`"1234.50"`, `"-3.00"`) in its currency's style; exact however large, since Intl formats
 * the decimal string itself. Text that is no amount is shown as it came.
 */
export function formatAmount(amount: string, currency: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(amount)) return amount;
  return formatOf(currency).format(amount as Intl.StringNumericLiteral);
}

/** A typed tax percent (0–100, at most 2 decimals: API.md) in hundredths of a percent; null when it is not one. */
export function taxHundredths(text: string): number | null {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return hundredths <= 10_000 ? hundredths : null;
}

/** The tax and total of a wire subtotal at `hundredths` of a percent, as wire amounts; null for a subtotal that is no amount of `currency`. */
export function taxAndTotal(subtotal: string, hundredths: number, currency: string): { tax: string; total: string } | null {
  const minor = parseMoney(subtotal, currency);
  if (minor === null) return null;
  const tax = roundHalfEven(minor * BigInt(hundredths), 10_000n);
  return { tax: formatMoney(tax, currency), total: formatMoney(minor + tax, currency) };
}
