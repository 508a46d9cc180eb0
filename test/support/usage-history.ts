import path from 'node:path';
import Database from 'better-sqlite3';

/** One past day's end-of-day usage of a customer, as the sampling task would have stored it. */
export interface UsageSample {
  day: string;
  spaceUsed: number;
  mcalsUsed: number;
}

/**
 * Writes usage samples of past days straight into a server's database (`<dataDir>/server.sqlite`), since
 * a test cannot wait for days to pass. Safe while the server runs: the database is in WAL mode, so this
 * second connection waits for the server's write lock rather than failing. A sample for a day that already
 * has one replaces it.
 */
export function writeUsageHistory(dataDir: string, customerId: string, samples: readonly UsageSample[]): void {
  const db = new Database(path.join(dataDir, 'server.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare(
      `INSERT INTO usage_samples (customer_id, day, space_used, mcals_used) VALUES (?, ?, ?, ?)
       ON CONFLICT (customer_id, day) DO UPDATE SET space_used = excluded.space_used, mcals_used = excluded.mcals_used`,
    );
    db.transaction(() => {
      for (const s of samples) insert.run(customerId, s.day, s.spaceUsed, s.mcalsUsed);
    })();
  } finally {
    db.close();
  }
}
