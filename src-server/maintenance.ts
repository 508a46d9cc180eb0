import type { Auth } from './auth.js';
import type { Clients } from './clients.js';
import { STALE_RUN_MS, type Backups } from './dataplane/backups.js';
import type { ChunkIndex } from './dataplane/chunk-index.js';
import type { ScheduledTask } from './scheduler.js';
import type { Settings } from './settings.js';
import { nowIso, type Store } from './store.js';

// The server's own upkeep, as scheduled tasks (scheduler.ts). Each is a cheap query when there is nothing
// to do, so each is due at every run.
const always = () => true;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Trial clients past their period are refused at backup time by the policy check; here their data is
 * deleted once the delete period after expiry has passed.
 */
export const trialExpiry = (store: Store, settings: Settings, clients: Clients): ScheduledTask => ({
  name: 'trial-expiry',
  due: always,
  run(now) {
    const { deleteAfterDays } = settings.get('trial');
    const expired = store.get<{ n: number }>('SELECT count(*) AS n FROM clients WHERE trial = 1 AND trial_expires_at <= ?', nowIso(now))!.n;
    const doomed = store.all<{ id: string }>('SELECT id FROM clients WHERE trial = 1 AND trial_expires_at <= ?', nowIso(now - deleteAfterDays * DAY_MS));
    let bytesFreed = 0;
    for (const { id } of doomed) bytesFreed += store.write(() => clients.purge('maintenance', id, 'trial-expired'));
    return { trialClientsExpired: expired, trialClientsDeleted: doomed.length, bytesFreed };
  },
});

/** Backup runs whose agent went silent long ago are closed as failed. */
export const staleRuns = (backups: Backups): ScheduledTask => ({
  name: 'stale-runs',
  due: always,
  run: (now) => ({ staleRunsClosed: backups.closeStaleRuns(now) }),
});

/** Chunks uploaded for runs that never committed, once such a run is stale. */
export const orphanChunks = (chunks: ChunkIndex): ScheduledTask => ({
  name: 'orphan-chunks',
  due: always,
  run: (now) => ({ bytesFreed: chunks.collectOrphans(nowIso(now - STALE_RUN_MS)) }),
});

export const expiredSessions = (auth: Auth): ScheduledTask => ({
  name: 'expired-sessions',
  due: always,
  run: () => ({ sessionsPurged: auth.purgeExpiredSessions() }),
});

/** Packs left with dead bytes by the deletions before it (registered last) are rewritten without them. */
export const packCompaction = (chunks: ChunkIndex): ScheduledTask => ({
  name: 'pack-compaction',
  due: always,
  async run() {
    await chunks.compactUntidy();
    return {};
  },
});
