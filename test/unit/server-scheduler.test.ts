/**
 * The scheduler (src-server/scheduler.ts): registered tasks run when due, in order, each recorded as a job
 * of its name inside the run's `maintenance` job, and their reports add up to the maintenance summary.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src-server/auth.js';
import { bootstrap } from '../../src-server/bootstrap.js';
import { openDatabase, type Db } from '../../src-server/db/database.js';
import { Jobs } from '../../src-server/jobs.js';
import { Scheduler, type ScheduledTask, type TaskReport } from '../../src-server/scheduler.js';
import { Services } from '../../src-server/services.js';
import { Store } from '../../src-server/store.js';

const ADMIN: Principal = { userId: 'usr_admin', username: 'admin', role: 'admin', resellerId: null };
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

let dir: string;
let db: Db;
let store: Store;
let jobs: Jobs;

beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'server-scheduler-'));
  db = openDatabase(path.join(dir, 'server.sqlite'));
  store = new Store(db);
  jobs = new Jobs(store);
});

afterEach(async () => {
  db.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

/** A task that records when it ran, due when `due` says so. */
function task(name: string, due: (now: number) => boolean, report: TaskReport | Error, ran: string[]): ScheduledTask {
  return {
    name,
    due,
    run(now) {
      ran.push(`${name}@${now}`);
      if (report instanceof Error) throw report;
      return report;
    },
  };
}

const jobsOf = (kind: string) => store.all<{ id: string }>('SELECT id FROM jobs WHERE kind = ? ORDER BY rowid', kind).map((r) => jobs.get(ADMIN, r.id));

describe('Scheduler', () => {
  it('runs the due tasks in order at the given time and sums their reports into the summary', async () => {
    const ran: string[] = [];
    const scheduler = new Scheduler(jobs, [
      task('first', () => true, { trialClientsDeleted: 2, bytesFreed: 100 }, ran),
      task('not-yet', (now) => now >= NOW + 1000, { sessionsPurged: 9 }, ran),
      task('second', () => true, { bytesFreed: 20, sessionsPurged: 1 }, ran),
    ]);
    const summary = await scheduler.run(NOW);
    expect(ran).toEqual([`first@${NOW}`, `second@${NOW}`]);
    expect(summary).toEqual({ ranAt: '2026-03-01T12:00:00.000Z', staleRunsClosed: 0, trialClientsExpired: 0, trialClientsDeleted: 2, bytesFreed: 120, sessionsPurged: 1, replicationRunsStarted: 0, usageSamplesTaken: 0, invoicesIssued: 0, backupsPruned: 0 });

    await scheduler.run(NOW + 1000);
    expect(ran.slice(2)).toEqual([`first@${NOW + 1000}`, `not-yet@${NOW + 1000}`, `second@${NOW + 1000}`]);
  });

  it('records each task run as a job of its name, and the whole run as a maintenance job', async () => {
    const scheduler = new Scheduler(jobs, [task('trial-expiry', () => true, { trialClientsDeleted: 2, bytesFreed: 100 }, []), task('idle', () => false, {}, [])]);
    await scheduler.run(NOW);
    expect(jobsOf('trial-expiry')).toEqual([expect.objectContaining({ kind: 'trial-expiry', status: 'done', progress: { done: 0, total: 0, bytes: 100 }, error: null })]);
    expect(jobsOf('idle')).toEqual([]);
    expect(jobsOf('maintenance')).toEqual([expect.objectContaining({ status: 'done', progress: { done: 2, total: 2, bytes: 100 } })]);
  });

  it('a failing task fails its job and the run, and the tasks after it wait for the next run', async () => {
    const ran: string[] = [];
    const scheduler = new Scheduler(jobs, [task('broken', () => true, new Error('disk on fire'), ran), task('later', () => true, {}, ran)]);
    await expect(scheduler.run(NOW)).rejects.toThrow('disk on fire');
    expect(ran).toEqual([`broken@${NOW}`]);
    expect(jobsOf('broken')).toEqual([expect.objectContaining({ status: 'failed', error: 'disk on fire' })]);
    expect(jobsOf('maintenance')).toEqual([expect.objectContaining({ status: 'failed', error: 'disk on fire' })]);
  });

  it("the server's own upkeep is registered as tasks, each run recorded as a job", async () => {
    const services = new Services(db, dir);
    await bootstrap(services, { cloud: false, adminPassword: 'scheduler-admin-pw' });
    expect(await services.maintenance.run(NOW)).toMatchObject({ trialClientsExpired: 0, trialClientsDeleted: 0, bytesFreed: 0 });
    for (const kind of ['trial-expiry', 'stale-runs', 'orphan-chunks', 'expired-sessions', 'pack-compaction', 'maintenance']) {
      expect(jobsOf(kind), kind).toEqual([expect.objectContaining({ status: 'done' })]);
    }
  });
});
