// Issue 13 benchmark: the month's invoices for 20,000 customers on the scheduler's path (target < 30 s and
// < 300 MiB). The data dir is seeded here: server-list.ts's 20,000 customers of 10 clients each, a default
// sliding plan, every customer's monthly invoicing enabled with billing day 1, and a sample for each day of
// last month. A child process (this file, run with `--run DIR NOW`) then does one maintenance run at 00:30
// UTC on the 1st, the scheduler's real path: today's usage samples, then the invoices, so its peak RSS is
// that run's alone. The child runs the sources under tsx, whose loader is some 35 MiB of the RSS it starts
// with (the bundled server starts lower); the table shows that starting RSS beside the peak.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Principal } from '../../src-server/auth.js';
import { openDatabase } from '../../src-server/db/database.js';
import { Services } from '../../src-server/services.js';
import { removeDir, tempDir } from '../support/server-process.js';
import { ms, printTable } from './format.js';

const HERE = fileURLToPath(import.meta.url);
const CUSTOMERS = 20_000;
const TARGET_S = 30;
const TARGET_MIB = 300;
const MIB = 1024 ** 2;
const ADMIN: Principal = { userId: 'usr_bench', username: 'admin', role: 'admin', resellerId: null };

const DAY_MS = 86_400_000;
/** 00:30 UTC on the 1st of this month: the run that invoices last month, which is all in the past. */
function billingRunAt(): number {
  const today = new Date();
  return Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1, 0, 30);
}
/** The month before the run's: its first and last days and how many days it has. */
function lastMonth(now: number): { start: string; end: string; days: number } {
  const end = new Date(now - DAY_MS);
  return { start: `${end.toISOString().slice(0, 7)}-01`, end: end.toISOString().slice(0, 10), days: end.getUTCDate() };
}

async function seedInvoicing(dataDir: string, monthStart: string, monthDays: number): Promise<void> {
  const db = openDatabase(path.join(dataDir, 'server.sqlite'));
  const s = new Services(db, dataDir);
  s.invoicing.plans.create(ADMIN, {
    name: 'Standard',
    currency: 'EUR',
    pricePerMcal: '4.50',
    isDefault: true,
    storage: { method: 'sliding', slabs: [{ upToGb: 100, price: '0.12' }, { upToGb: 1000, price: '0.08' }, { upToGb: null, price: '0.05' }] },
  });
  s.store.write(() => {
    s.store.run(
      `INSERT INTO invoice_configs (customer_id, enabled, plan_id, tax_hundredths, cycle, billing_day, bill_to, notes, enabled_since)
       SELECT id, 1, NULL, 1900, 'monthly', 1, name || char(10) || 'Accounts Payable' || char(10) || '1 Main Street', 'Payable within 30 days.', ? FROM customers`,
      monthStart,
    );
    s.store.run('UPDATE customers SET invoicing_enabled = 1');
    // Last month day by day: space grows to today's over the month; every 7th customer had two clients
    // fewer in its first half, so MCAL lines are pro-rated too.
    s.store.run(
      `WITH RECURSIVE days(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM days WHERE n + 1 < ?)
       INSERT INTO usage_samples (customer_id, day, space_used, mcals_used)
       SELECT c.id, date(?, '+' || n || ' days'), c.space_used * (900 + 100 * n / CAST(? AS INTEGER)) / 1000,
              CASE WHEN c.rowid % 7 = 0 AND n < 15 THEN c.mcals_used - 2 ELSE c.mcals_used END
       FROM customers c, days`,
      monthDays,
      monthStart,
      monthDays - 1,
    );
  });
  db.close();
}

interface RunResult {
  seconds: number;
  peakRss: number;
  /** RSS before the run: the process with the server's modules loaded and the database open. */
  startRss: number;
  usageSamplesTaken: number;
  invoicesIssued: number;
  /** Wall time of each task of the run, from its job record. */
  tasks: { kind: string; ms: number }[];
  problems: string[];
}

/** The child: one maintenance run at `now`, then what it issued checked. */
async function runChild(dataDir: string, now: number): Promise<RunResult> {
  const month = lastMonth(now);
  const db = openDatabase(path.join(dataDir, 'server.sqlite'));
  const s = new Services(db, dataDir);
  const startRss = process.memoryUsage.rss();
  const began = performance.now();
  const summary = await s.maintenance.run(now);
  const seconds = (performance.now() - began) / 1000;
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const problems: string[] = [];
  const invoices = s.store.all<{ seq: number; number: string; customer_id: string; period_start: string; period_end: string }>(
    'SELECT seq, number, customer_id, period_start, period_end FROM invoices ORDER BY seq',
  );
  if (invoices.length !== CUSTOMERS) problems.push(`${invoices.length} invoices, not ${CUSTOMERS}`);
  const gap = invoices.find((inv, i) => inv.seq !== i + 1 || !inv.number.endsWith(String(inv.seq).padStart(6, '0')));
  if (gap) problems.push(`numbers not consecutive from 1 at ${gap.number} (seq ${gap.seq})`);
  if (new Set(invoices.map((i) => i.customer_id)).size !== invoices.length) problems.push('a customer was invoiced twice');
  const offPeriod = invoices.find((i) => i.period_start !== month.start || i.period_end !== month.end);
  if (offPeriod) problems.push(`${offPeriod.number} bills ${offPeriod.period_start}..${offPeriod.period_end}, not last month`);
  const tasks = s.store
    .all<{ kind: string; created_at: string; finished_at: string }>("SELECT kind, created_at, finished_at FROM jobs WHERE kind != 'maintenance' ORDER BY rowid")
    .map((j) => ({ kind: j.kind, ms: Date.parse(j.finished_at) - Date.parse(j.created_at) }));
  db.close();
  return { seconds, peakRss, startRss, usageSamplesTaken: summary.usageSamplesTaken, invoicesIssued: summary.invoicesIssued, tasks, problems };
}

function spawnChild(dataDir: string, now: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HERE, '--run', dataDir, String(now)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as RunResult) : reject(new Error(`invoicing run exited with ${code}:\n${stdout}`))));
  });
}

export async function benchInvoicing(): Promise<void> {
  const dataDir = await tempDir('bs-bench-invoicing-');
  try {
    const now = billingRunAt();
    const month = lastMonth(now);
    const seedStart = performance.now();
    // Loaded here, not at the top: the child would load autocannon with it and count it in its memory.
    const { seed } = await import('./server-list.js');
    await seed(dataDir);
    await seedInvoicing(dataDir, month.start, month.days);
    console.log(`seeded ${CUSTOMERS.toLocaleString('en-US')} customers with ${(CUSTOMERS * month.days).toLocaleString('en-US')} usage samples of ${month.start.slice(0, 7)} in ${ms(performance.now() - seedStart)}`);

    const r = await spawnChild(dataDir, now);
    const mib = (bytes: number) => `${Math.round(bytes / MIB)} MiB`;
    printTable(
      `The month's invoices for ${CUSTOMERS.toLocaleString('en-US')} customers: one maintenance run at 00:30 UTC on the 1st (target: < ${TARGET_S} s, < ${TARGET_MIB} MiB)`,
      ['figure', 'value', 'target', 'ok'],
      [
        ['maintenance run, wall time', `${r.seconds.toFixed(2)} s`, `< ${TARGET_S} s`, r.seconds < TARGET_S ? 'yes' : 'NO'],
        ...r.tasks.map((t) => [`  task ${t.kind}`, ms(t.ms), '', '']),
        ['peak RSS of the run\'s process', mib(r.peakRss), `< ${TARGET_MIB} MiB`, r.peakRss < TARGET_MIB * MIB ? 'yes' : 'NO'],
        ['  RSS before the run', mib(r.startRss), '', ''],
        ['usage samples taken', r.usageSamplesTaken.toLocaleString('en-US'), CUSTOMERS.toLocaleString('en-US'), r.usageSamplesTaken === CUSTOMERS ? 'yes' : 'NO'],
        ['invoices issued', r.invoicesIssued.toLocaleString('en-US'), CUSTOMERS.toLocaleString('en-US'), r.invoicesIssued === CUSTOMERS ? 'yes' : 'NO'],
        ['invoices per second', Math.round(r.invoicesIssued / r.seconds).toLocaleString('en-US'), '', ''],
        ['numbers consecutive, one per customer, last month', r.problems.join('; ') || 'yes', 'yes', r.problems.length ? 'NO' : 'yes'],
      ],
    );
  } finally {
    await removeDir(dataDir);
  }
}

if (process.argv[2] === '--run' && process.argv[1] === HERE) {
  process.stdout.write(`${JSON.stringify(await runChild(process.argv[3]!, Number(process.argv[4])))}\n`);
}
