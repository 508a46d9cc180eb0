// Issue 14 benchmark: pruning a year of daily backups to keepDaily 30, keepMonthly 12, side by side with
// `restic forget --keep-daily 30 --keep-monthly 12 --prune` on the same history, in one run.
// Run: npm run bench -- retention (builds dist/ first).
//
// The history, and what each side pays:
// - The agent benchmark's data set scaled down 16× (data-set.ts: ~120 MiB, the same mix of small files and
//   big ones, the same kind of 1% change): 365 real backups of the full-size set would take hours here.
// - 365 days: each day changes a different 1% of the data, then the shipped agent (dist/agent/cli.js) backs
//   up to the shipped server (dist/server/cli.js, --http on 127.0.0.1) and restic 0.14 (defaults, as in
//   agent-vs-restic.ts) backs up the same tree with `--time <that day> 02:00:00` (UTC).
// - The server dates a backup by its own clock, so once the history is made this bench writes each
//   backup's day (02:00 UTC, its real duration kept) into the server's SQLite, as the usage tests write
//   past samples: a year cannot be waited for, and only the dates change, never what was stored.
// - Then the schedule gets its own policy (PUT /schedules/:id/retention) and both sides prune after a
//   `sync`, from a warm page cache: ours is POST /maintenance/run (the prune, freeing chunks and
//   compacting packs, plus maintenance's other tasks, which find nothing to do here), timed from the
//   request to its answer; restic's is `forget --prune`, which repacks likewise.
// - Space after: our chunk store's pack files on disk (and the customer's spaceUsed) against the whole
//   restic repository. Both sides must keep the same days: a year spans 13 months, so every count is used
//   up (restic 0.14 lacks later restics' rule, which ours follows, of also keeping the oldest backup while
//   a count is left over; on a shorter history the two differ there).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Customer, List, MaintenanceSummary, Reseller, RetentionPolicy } from '../../src-shared/api/index.js';
import { KEEP_EVERYTHING } from '../../src-shared/api/index.js';
import { bytesUnder } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import { DataSet } from './data-set.js';
import { printTable } from './format.js';
import { build, cpuSeconds, measure } from './measure.js';
import { answer, mib, secs, sync, times, yes } from './replication.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCALE = 16;
const DAYS = 365;
const POLICY: RetentionPolicy = { ...KEEP_EVERYTHING, keepDaily: 30, keepMonthly: 12 };
const RESTIC_KEEP = ['--keep-daily', '30', '--keep-monthly', '12'];
const CUSTOMER = 'Retention Bench Customer';
const DAY_MS = 86_400_000;

/** The history's days, oldest first, ending yesterday: each one's backup time, 02:00 UTC. */
function historyDays(): Date[] {
  const today = new Date();
  const first = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - DAYS, 2);
  return Array.from({ length: DAYS }, (_, i) => new Date(first + i * DAY_MS));
}

/**
 * Runs `use` on a connection of its own to the server's database. Safe while the server runs (WAL: a write
 * here waits for the server's write lock).
 */
function withDatabase<T>(dataDir: string, use: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'server.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    return use(db);
  } finally {
    db.close();
  }
}

/**
 * Moves the schedule's committed backups, oldest first, onto `days` in the server's database: the report's
 * startedAt (and finishedAt, keeping the run's duration) and the backup's createdAt (its commit).
 */
function backdate(db: Database.Database, scheduleId: string, days: readonly Date[]): void {
  const runs = db
      .prepare<[string], { id: string; started_at: string; finished_at: string }>(
        "SELECT r.id, r.started_at, r.finished_at FROM backup_reports r JOIN backups b ON b.id = r.id WHERE r.schedule_id = ? AND r.status IN ('success', 'partial') ORDER BY r.started_at",
      )
      .all(scheduleId);
    if (runs.length !== days.length) throw new Error(`the schedule has ${runs.length} committed backups, not ${days.length}`);
    const report = db.prepare('UPDATE backup_reports SET started_at = ?, finished_at = ? WHERE id = ?');
    const backup = db.prepare('UPDATE backups SET created_at = ? WHERE id = ?');
  db.transaction(() => {
    runs.forEach((run, i) => {
      const startedAt = days[i]!;
      const finishedAt = new Date(startedAt.getTime() + Date.parse(run.finished_at) - Date.parse(run.started_at)).toISOString();
      report.run(startedAt.toISOString(), finishedAt, run.id);
      backup.run(finishedAt, run.id);
    });
  })();
}

/** The days (YYYY-MM-DD, UTC) of the schedule's kept backups, from the server's database. */
function keptDays(db: Database.Database, scheduleId: string): string[] {
  return db
    .prepare<[string], { day: string }>('SELECT substr(r.started_at, 1, 10) AS day FROM backups b JOIN backup_reports r ON r.id = b.id WHERE b.schedule_id = ? ORDER BY day')
    .all(scheduleId)
    .map((r) => r.day);
}

/** The schedule's own policy through the API; while that route is not served yet, the same columns written directly. */
async function setPolicy(admin: TestClient, server: RunningServer, scheduleId: string): Promise<string> {
  const res = await admin.put(`/schedules/${scheduleId}/retention`, { inherit: false, policy: POLICY });
  if (res.status === 200) return 'PUT /schedules/:id/retention';
  if (res.status !== 404) throw new Error(`PUT /schedules/:id/retention answered ${res.status}: ${JSON.stringify(res.body)}`);
  withDatabase(server.dataDir, (db) => db.prepare('UPDATE schedules SET retention_inherit = 0, retention_policy = ?, prune_due = 1 WHERE id = ?').run(JSON.stringify(POLICY), scheduleId));
  return 'the schedules columns (PUT /schedules/:id/retention answered 404)';
}

export async function benchRetention(): Promise<void> {
  if (!existsSync('/usr/bin/restic') || !existsSync('/usr/bin/time')) throw new Error('this benchmark needs /usr/bin/restic and /usr/bin/time (Debian packages restic and time)');
  const root = await mkdtemp(path.join(tmpdir(), 'bench-retention-'));
  const data = path.join(root, 'data');
  const stateDir = path.join(root, 'agent-state');
  const repo = path.join(root, 'restic-repo');
  // TZ=UTC: restic reads --time, and groups days and months, in local time; ours are UTC (API.md).
  const resticEnv = { ...process.env, TZ: 'UTC', RESTIC_PASSWORD: 'bench-password', RESTIC_REPOSITORY: repo, RESTIC_CACHE_DIR: path.join(root, 'restic-cache') };
  const restic = (...args: string[]) => measure('/usr/bin/restic', args, resticEnv);
  await build();
  const server = await startServer({ dataDir: path.join(root, 'server'), args: ['--maintenance-interval', '0'], built: true });
  try {
    console.log(`generating ${DataSet.describe(SCALE)} in ${data} ...`);
    const dataSet = new DataSet(data, SCALE);
    const total = await dataSet.generate();

    const admin = await new TestClient(server.api).login();
    const reseller = (await admin.get<List<Reseller>>('/resellers')).body.items[0]!;
    const customer = (await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true })).body;
    const agent = (...args: string[]) => measure(process.execPath, [path.join(ROOT, 'dist/agent/cli.js'), ...args, '--state-dir', stateDir]);
    await agent('register', '--server', server.url, '--customer', CUSTOMER, '--name', 'bench');
    await agent('schedule', 'add', '--name', 'bench', '--source', data);
    await restic('init', '-q');

    const days = historyDays();
    console.log(`backing up ${DAYS} days (${days[0]!.toISOString().slice(0, 10)} .. ${days.at(-1)!.toISOString().slice(0, 10)}), each after changing 1% ...`);
    const synthesis = performance.now();
    let changed = 0;
    for (const [i, day] of days.entries()) {
      if (i > 0) changed += await dataSet.changeOnePercent(i);
      // Side by side: both only read the day's tree, and the history's making is not what is measured.
      await Promise.all([agent('backup', '--schedule', 'bench'), restic('backup', '-q', '--host', 'bench', '--time', day.toISOString().slice(0, 19).replace('T', ' '), data)]);
      if ((i + 1) % 30 === 0) console.log(`  ${i + 1} days in ${secs((performance.now() - synthesis) / 1000)}`);
    }
    console.log(`history: ${DAYS} backups of ${mib(total)} each side, ${mib(changed / (DAYS - 1))} changed per day (${((100 * changed) / (DAYS - 1) / total).toFixed(2)}%), made in ${secs((performance.now() - synthesis) / 1000)}`);

    const scheduleId = withDatabase(server.dataDir, (db) => {
      const id = db.prepare('SELECT id FROM schedules').pluck().get() as string;
      backdate(db, id, days);
      return id;
    });
    console.log(`policy set through ${await setPolicy(admin, server, scheduleId)}`);

    const chunkDir = path.join(server.dataDir, 'chunks');
    const oursBefore = await bytesUnder(chunkDir);
    const theirsBefore = await bytesUnder(repo);
    await sync();
    const serverPid = server.process.pid!;
    const cpuBefore = cpuSeconds(serverPid);
    const began = performance.now();
    const summary = await answer('POST /maintenance/run', 200, admin.post<MaintenanceSummary>('/maintenance/run'));
    const oursSeconds = (performance.now() - began) / 1000;
    const oursCpu = cpuSeconds(serverPid) - cpuBefore;
    await sync();
    const theirs = await restic('forget', '-q', ...RESTIC_KEEP, '--prune');

    const oursAfter = await bytesUnder(chunkDir);
    const theirsAfter = await bytesUnder(repo);
    const spaceUsed = (await answer('GET /customers/:id', 200, admin.get<Customer>(`/customers/${customer.id}`))).spaceUsed;
    const oursKept = withDatabase(server.dataDir, (db) => keptDays(db, scheduleId));
    const snapshots = JSON.parse((await restic('snapshots', '--json')).stdout) as { time: string }[];
    const theirsKept = snapshots.map((s) => s.time.slice(0, 10)).sort();
    const sameDays = oursKept.join() === theirsKept.join();

    // Until the server prunes, its column is reported as unavailable rather than as a time that did nothing.
    const why = summary.backupsPruned === 0 ? `unavailable: maintenance pruned no backup (backupsPruned 0, ${oursKept.length} kept), the server's prune is not there yet` : null;
    const ours = (figure: string) => (why ? 'unavailable' : figure);
    const check = (met: boolean) => (why ? 'n/a' : yes(met));
    const ratio = (a: number, b: number) => (why ? '' : times(a, b));
    printTable(
      `prune of ${DAYS} daily backups to keepDaily 30, keepMonthly 12: ours vs restic forget --prune, on ${mib(total)} (${DataSet.describe(SCALE)})`,
      ['figure', 'ours', 'restic', 'ratio', 'target', 'ok'],
      [
        ['prune wall time (maintenance run / forget --prune)', ours(secs(oursSeconds)), secs(theirs.seconds), ratio(oursSeconds, theirs.seconds), '≤ 1.0×', check(oursSeconds <= theirs.seconds)],
        ['  CPU time (server / restic)', ours(secs(oursCpu)), secs(theirs.cpuSeconds), ratio(oursCpu, theirs.cpuSeconds), '', ''],
        ['  peak RSS', '', mib(theirs.peakRss), '', '', ''],
        ['backups kept', ours(String(oursKept.length)), theirsKept.length, '', 'same days', check(sameDays)],
        ['stored before (packs on disk / repository)', mib(oursBefore), mib(theirsBefore), times(oursBefore, theirsBefore), '', ''],
        ['stored after (packs on disk / repository)', ours(mib(oursAfter)), mib(theirsAfter), ratio(oursAfter, theirsAfter), '≤ 1.05×', check(oursAfter <= theirsAfter * 1.05)],
        ["  customer's spaceUsed after", ours(mib(spaceUsed)), '', '', '', ''],
        ['freed', ours(mib(summary.bytesFreed)), mib(theirsBefore - theirsAfter), ratio(summary.bytesFreed, theirsBefore - theirsAfter), '', ''],
      ],
    );
    if (why) console.log(`ours: ${why}`);
    else if (!sameDays) console.log(`kept days differ:\n  ours:   ${oursKept.join(' ')}\n  restic: ${theirsKept.join(' ')}`);
  } finally {
    await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}
