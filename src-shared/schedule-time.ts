import { TIME_OF_DAY, WEEKDAYS, type Frequency } from './api/schedules.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The first time a schedule is due strictly after `after` (its last run, or its creation when it never
 * ran); null for manual schedules. Times are UTC. Shared by the server (nextRunAt) and the agent (run-due),
 * so both agree on what "due" means.
 */
export function nextRunAfter(frequency: Frequency, after: Date): Date | null {
  const [hh, mm] = (frequency.at ?? '00:00').split(':').map(Number) as [number, number];
  switch (frequency.kind) {
    case 'manual':
      return null;
    case 'hourly': {
      // Every hour at minute `mm` of the `at` time (":00" when no time is given).
      const t = new Date(after);
      t.setUTCMinutes(mm, 0, 0);
      return t > after ? t : new Date(t.getTime() + HOUR_MS);
    }
    case 'daily':
    case 'weekly': {
      const days = frequency.kind === 'weekly' ? (frequency.days ?? ['mon']) : WEEKDAYS;
      const start = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), hh, mm));
      for (let i = 0; i <= 7; i++) {
        const candidate = new Date(start.getTime() + i * DAY_MS);
        const weekday = WEEKDAYS[(candidate.getUTCDay() + 6) % 7]!;
        if (candidate > after && days.includes(weekday)) return candidate;
      }
      return null;
    }
  }
}

/** Parses the agent CLI's `--every` value: manual | hourly | daily@HH:MM | weekly@DAY[,DAY]@HH:MM. */
export function parseEvery(every: string): Frequency {
  const [kind, a, b] = every.split('@');
  if (kind === 'manual' && a === undefined) return { kind: 'manual' };
  if (kind === 'hourly' && a === undefined) return { kind: 'hourly' };
  if (kind === 'daily' && a && TIME_OF_DAY.test(a) && b === undefined) return { kind: 'daily', at: a };
  if (kind === 'weekly' && a && b && TIME_OF_DAY.test(b)) {
    const days = a.toLowerCase().split(',');
    if (days.every((d): d is (typeof WEEKDAYS)[number] => (WEEKDAYS as readonly string[]).includes(d))) return { kind: 'weekly', days, at: b };
  }
  throw new Error(`--every: "${every}" is not one of manual, hourly, daily@HH:MM, weekly@DAY@HH:MM (DAY: mon..sun, comma-separated).`);
}
