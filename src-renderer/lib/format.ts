/** Formatting for people: binary sizes, dates, counts, fingerprints. Pure functions, no DOM. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** 1536 → "1.5 KiB"; binary units (1 KiB = 1024 B), at most three significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${trimZeros(value.toFixed(digits))} ${UNITS[unit]}`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** The units a person may type an allotment in. */
export const SIZE_UNITS = [
  { unit: 'MiB', bytes: 2 ** 20 },
  { unit: 'GiB', bytes: 2 ** 30 },
  { unit: 'TiB', bytes: 2 ** 40 },
] as const;
export type SizeUnit = (typeof SIZE_UNITS)[number]['unit'];

export function unitBytes(unit: SizeUnit): number {
  return SIZE_UNITS.find((u) => u.unit === unit)?.bytes ?? 2 ** 30;
}

/** Bytes as an amount in the largest unit that keeps it readable: 10 GiB → {"10", "GiB"}. */
export function splitBytes(bytes: number): { amount: string; unit: SizeUnit } {
  for (const u of [...SIZE_UNITS].reverse()) {
    if (bytes >= u.bytes && (bytes % u.bytes === 0 || bytes / u.bytes >= 10)) {
      return { amount: trimZeros((bytes / u.bytes).toFixed(3)), unit: u.unit };
    }
  }
  return { amount: trimZeros((bytes / 2 ** 20).toFixed(3)), unit: 'MiB' };
}

/**
 * A typed amount + unit as whole bytes. `null` for an empty amount; an error sentence when it is
 * not a number a person could mean.
 */
export function parseSize(amount: string, unit: SizeUnit): { bytes: number | null; error: string | null } {
  const text = amount.trim().replace(/,/g, '');
  if (text === '') return { bytes: null, error: null };
  if (!/^\d+(\.\d+)?$/.test(text)) return { bytes: null, error: 'Enter a number, for example 50 or 2.5.' };
  const bytes = Math.round(Number(text) * unitBytes(unit));
  if (!Number.isSafeInteger(bytes)) return { bytes: null, error: 'That size is too large.' };
  return { bytes, error: null };
}

const numberFormat = new Intl.NumberFormat();
export function formatCount(n: number): string {
  return numberFormat.format(n);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** An ISO time as local date and time; "—" for none. */
export function formatDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (seconds ? dateTimeSeconds : dateTime).format(d);
}

/** "ab12…" → "AB:12:…" as certificate viewers show it. */
export function formatFingerprint(hex: string | null | undefined): string {
  if (!hex) return 'none (plain HTTP)';
  return (hex.toUpperCase().match(/.{1,2}/g) ?? []).join(':');
}

/** 0..1 share of an allotment; null when unlimited or nothing allotted. */
export function share(used: number, allotted: number | null): number | null {
  if (allotted === null) return null;
  if (allotted === 0) return used > 0 ? 1 : 0;
  return Math.min(1, used / allotted);
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** How long a run took, from its start to its end ("—" while it runs): "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(startIso: string, endIso: string | null): string {
  if (!endIso) return '—';
  const s = Math.max(0, Math.round((Date.parse(endIso) - Date.parse(startIso)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
