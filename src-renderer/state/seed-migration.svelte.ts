import { untrack } from 'svelte';
import type { SeedMigration, SeedMigrationStarted } from '../../src-shared/api/seed-migration.js';
import type { Bridge } from '../../src-shared/bridge.js';
import { errorMessage } from '../lib/errors.js';
import type { JobsState } from './jobs.svelte.js';
import type { ServerJob } from './server-job.svelte.js';

export interface SeedMigrationContext {
  bridge: Bridge;
  jobs: JobsState;
}

/**
 * One seed backup migration being watched: its job followed on the status line (JobsState.follow), and
 * its per-client states read again with every answer about the job, so both move at the job's rhythm.
 * Once it ended `onend` is told, once per run (a resumed run ends again).
 */
export class SeedMigrationRun {
  migration = $state.raw<SeedMigration | null>(null);
  /** Why the last read of the migration failed (it goes on on the server). */
  readError = $state<string | null>(null);
  job = $state.raw<ServerJob>() as ServerJob;
  resuming = $state(false);
  readonly serverId: string;
  readonly targetServerId: string;
  readonly id: string;
  readonly #ctx: SeedMigrationContext;
  readonly #label: string;
  readonly #onend: (migration: SeedMigration) => void;
  readonly #stopWatching: () => void;
  #ended: string | null = null;
  #reading = 0;

  constructor(ctx: SeedMigrationContext, serverId: string, targetServerId: string, started: SeedMigrationStarted, label: string, onend: (m: SeedMigration) => void) {
    this.#ctx = ctx;
    this.serverId = serverId;
    this.targetServerId = targetServerId;
    this.id = started.id;
    this.#label = label;
    this.#onend = onend;
    this.job = ctx.jobs.follow(serverId, started.jobId, label);
    // Made when the user starts a migration, outside any component's set-up: a root of its own, ended by stop().
    this.#stopWatching = $effect.root(() => {
      $effect(() => {
        void this.job.job;
        untrack(() => void this.refresh());
      });
    });
  }

  get running(): boolean {
    return this.migration === null || this.migration.status === 'running';
  }

  /** Reads the migration; the newest answer wins. */
  async refresh(): Promise<void> {
    const seq = ++this.#reading;
    try {
      const migration = await this.#ctx.bridge.invoke('seedMigration.get', { serverId: this.serverId, id: this.id });
      if (seq !== this.#reading) return;
      this.migration = migration;
      this.readError = null;
      if (migration.status !== 'running' && this.#ended !== this.job.jobId) {
        this.#ended = this.job.jobId;
        this.#onend(migration);
      } else if (migration.status === 'running' && this.job.over) {
        // The job ended a moment before the migration record says so: read once more shortly.
        setTimeout(() => void this.refresh(), this.#ctx.jobs.pollMs);
      }
    } catch (err) {
      if (seq === this.#reading) this.readError = `${errorMessage(err, 'Reading the migration')} It goes on on the server; trying again.`;
    }
  }

  /** Continues an interrupted migration: the console signs in to the target afresh. Throws what refused it. */
  async resume(): Promise<void> {
    this.resuming = true;
    try {
      const started = await this.#ctx.bridge.invoke('seedMigration.resume', { serverId: this.serverId, id: this.id, targetServerId: this.targetServerId });
      this.job = this.#ctx.jobs.follow(this.serverId, started.jobId, this.#label);
    } finally {
      this.resuming = false;
    }
  }

  stop(): void {
    this.#stopWatching();
  }
}
