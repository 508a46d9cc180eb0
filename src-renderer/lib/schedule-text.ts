import type { Frequency } from '../../src-shared/api/schedules.js';

const DAY_NAMES: Record<string, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

/** "daily at 02:00 UTC", "weekly on Mon, Thu at 23:30 UTC", "manually". */
export function describeFrequency(f: Frequency): string {
  const at = f.at ? ` at ${f.at} UTC` : '';
  switch (f.kind) {
    case 'manual':
      return 'manually';
    case 'hourly':
      return f.at ? `hourly at minute ${f.at.slice(3)}` : 'hourly';
    case 'daily':
      return `daily${at}`;
    case 'weekly':
      return `weekly on ${(f.days ?? []).map((d) => DAY_NAMES[d] ?? d).join(', ') || '—'}${at}`;
  }
}
