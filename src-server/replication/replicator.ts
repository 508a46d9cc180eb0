import type { PeerCustomerSync, PeerReplicaSummary } from '../../src-shared/api/peer.js';
import type { ReplicationRunStarted } from '../../src-shared/api/replication.js';
import { nextRunAfter } from '../../src-shared/schedule-time.js';
import type { Principal } from '../auth.js';
import { assertWritable, type CustomerRow, type Customers } from '../customers.js';
import type { ChunkIndex } from '../dataplane/chunk-index.js';
import { ApiError, conflict } from '../errors.js';
import type { Jobs } from '../jobs.js';
import type { ScheduledTask } from '../scheduler.js';
import type { Settings } from '../settings.js';
import { nowIso, type Store } from '../store.js';
import { CopySource, type Selection } from './copy-source.js';
import type { EffectiveReplication, ReplicationConfig, StoredServer } from './config.js';
import { CertificateMismatch, describeFailure, PeerClient, PeerError } from './peer-client.js';
import { Throttle } from './throttle.js';
import { packBytesFor, sendMissingChunks } from './transfer.js';

/** Runs at once; more due customers wait their turn. */
const PARALLEL_RUNS = 2;
/** A failed run is tried again after 1, 2, 4 … minutes, at most an hour apart. */
const backoffMs = (failures: number) => Math.min(60, 2 ** Math.max(0, failures - 1)) * 60_000;

interface TargetRow {
  customer_id: string;
  url: string;
  state: 'idle' | 'running' | 'failed';
  last_run_at: string | null;
  retry_at: string | null;
  synced_through: string | null;
}

/**
 * The source side of replication: runs that copy one customer to each of its replication servers (through
 * the peer API, only what the replica lacks), their job and per-server state, the schedule and backoff that
 * make runs due, and the tombstones that carry a deleted customer's deletion to its replicas.
 */
export class Replicator {
  private readonly running = new Map<string, string>();
  private readonly throttles = new Map<string, Throttle>();
  private readonly source: CopySource;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly config: ReplicationConfig,
    private readonly customers: Customers,
    private readonly chunks: ChunkIndex,
    private readonly jobs: Jobs,
  ) {
    this.source = new CopySource(store);
  }

  /** POST /customers/:id/replication/run: replicates now to every server of the customer; a run in progress answers its job. */
  start(principal: Principal, customerId: string): ReplicationRunStarted {
    const customer = this.customers.row(principal, customerId);
    assertWritable(customer);
    const running = this.running.get(customer.id);
    if (running) return { jobId: running };
    const config = this.config.effective(customer);
    if (!config) throw conflict(`Customer "${customer.name}" replicates nowhere: its mode is ${customer.replication_mode}${customer.replication_mode === 'inherit' ? ' and the global replication is off or has no server' : ''}.`);
    return { jobId: this.launch(customer, config, config.servers) };
  }

  /** Starts the runs that are due (schedule, or backoff after a failure) and applies tombstones. Returns how many started. */
  async runDue(now = Date.now()): Promise<number> {
    if (this.settings.get('deployment') === 'cloud' || this.stopping) return 0;
    await this.applyTombstones();
    const candidates = this.store.all<CustomerRow>("SELECT * FROM customers WHERE replica_server_id IS NULL AND replication_mode <> 'off'");
    const targets = new Map<string, TargetRow>();
    for (const t of this.store.all<TargetRow>('SELECT * FROM replication_targets')) targets.set(`${t.customer_id} ${t.url}`, t);
    const effective = this.config.resolver();
    let started = 0;
    for (const customer of candidates) {
      if (this.running.has(customer.id)) continue;
      const config = effective(customer);
      if (!config) continue;
      const due = config.servers.filter((s) => {
        const t = targets.get(`${customer.id} ${s.url}`);
        if (!t?.last_run_at) return true;
        if (t.retry_at && Date.parse(t.retry_at) <= now) return true;
        const next = nextRunAfter(config.frequency, new Date(t.last_run_at));
        return next !== null && next.getTime() <= now;
      });
      if (due.length === 0) continue;
      this.launch(customer, config, due);
      started++;
    }
    return started;
  }

  /** After an unclean stop: runs that were in progress failed, and are tried again at once. */
  recover(): void {
    this.store.write(() => {
      const now = nowIso();
      this.store.run(
        "UPDATE replication_targets SET state = 'failed', last_error = 'Interrupted: the server stopped during the run; it goes on from where it was.', retry_at = ? WHERE state = 'running'",
        now,
      );
      this.store.run("UPDATE jobs SET status = 'failed', error = 'Interrupted: the server stopped.', finished_at = ? WHERE kind = 'replication' AND status IN ('queued', 'running')", now);
    });
  }

  /** SIGTERM: runs in progress stop at their next pack and fail cleanly (resumed later). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
  }

  /** The scheduled task: due replication runs start (they go on in the background, as jobs). */
  task(): ScheduledTask {
    return { name: 'replication', due: () => this.settings.get('deployment') !== 'cloud', run: async (now) => ({ replicationRunsStarted: await this.runDue(now) }) };
  }

  /** Starts a run of the customer to `servers` of its configuration, as a job that waits its turn. */
  private launch(customer: CustomerRow, config: EffectiveReplication, servers: readonly StoredServer[]): string {
    const jobId = this.jobs.create('replication', customer.reseller_id);
    this.running.set(customer.id, jobId);
    this.store.write(() => {
      for (const s of servers) {
        this.store.run(
          `INSERT INTO replication_targets (customer_id, url, state, job_id, server) VALUES (?, ?, 'running', ?, ?)
           ON CONFLICT (customer_id, url) DO UPDATE SET state = 'running', job_id = excluded.job_id, server = excluded.server`,
          customer.id, s.url, jobId, JSON.stringify(s),
        );
      }
    });
    let throttle = this.throttles.get(config.key);
    if (!throttle) this.throttles.set(config.key, (throttle = new Throttle(config.bandwidthLimitKBps)));
    throttle.setLimit(config.bandwidthLimitKBps);
    // A run records its own failures per server; anything else going wrong (the database) still ends its
    // job and targets as failed instead of escaping as an unhandled rejection, which would stop the server.
    const run = this.queued(() => this.run(customer.id, jobId, servers, throttle))
      .catch((err: unknown) => this.abandon(jobId, describeFailure(err)))
      .finally(() => {
        this.running.delete(customer.id);
        this.inFlight.delete(run);
      });
    this.inFlight.add(run);
    return jobId;
  }

  private abandon(jobId: string, error: string): void {
    this.store.write(() => this.store.run("UPDATE replication_targets SET state = 'failed', last_error = ?, retry_at = ? WHERE job_id = ? AND state = 'running'", error, nowIso(Date.now() + backoffMs(1)), jobId));
    this.jobs.progress(jobId, { status: 'failed', error });
  }

  private async queued(work: () => Promise<void>): Promise<void> {
    if (this.active >= PARALLEL_RUNS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async run(customerId: string, jobId: string, servers: readonly StoredServer[], throttle: Throttle): Promise<void> {
    this.jobs.progress(jobId, { status: 'running' });
    const totals = { done: 0, total: 0, bytes: 0 };
    const errors: string[] = [];
    for (const server of servers) {
      const startedAt = nowIso();
      this.store.write(() => this.store.run('UPDATE replication_targets SET last_run_at = ?, chunks_sent = 0, bytes_sent = 0 WHERE customer_id = ? AND url = ?', startedAt, customerId, server.url));
      const base = { ...totals };
      try {
        const sent = await this.replicate(customerId, server, throttle, (chunks, bytes, total) => {
          totals.done = base.done + chunks;
          totals.bytes = base.bytes + bytes;
          totals.total = base.total + total;
          this.jobs.progress(jobId, totals);
          this.store.write(() => this.store.run('UPDATE replication_targets SET chunks_sent = ?, bytes_sent = ? WHERE customer_id = ? AND url = ?', chunks, bytes, customerId, server.url));
        });
        this.store.write(() =>
          this.store.run(
            "UPDATE replication_targets SET state = 'idle', last_success_at = ?, last_error = NULL, failures = 0, retry_at = NULL, synced_through = ?, chunks_sent = ?, bytes_sent = ? WHERE customer_id = ? AND url = ?",
            nowIso(), startedAt, sent.chunks, sent.bytes, customerId, server.url,
          ),
        );
      } catch (err) {
        const message = describeFailure(err);
        errors.push(`${server.url}: ${message}`);
        // A refused sign-in or a changed certificate fails the same way until someone acts: no backoff retries.
        const retry = !(err instanceof CertificateMismatch || (err instanceof PeerError && (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')));
        this.store.write(() =>
          this.store.run(
            "UPDATE replication_targets SET state = 'failed', last_error = ?, failures = failures + 1, retry_at = CASE WHEN ? THEN ? ELSE NULL END WHERE customer_id = ? AND url = ?",
            message, retry ? 1 : 0, nowIso(Date.now() + backoffMs(this.failures(customerId, server.url) + 1)), customerId, server.url,
          ),
        );
      }
    }
    this.jobs.progress(jobId, errors.length ? { status: 'failed', error: errors.join('\n') } : { status: 'done', ...totals });
  }

  private failures(customerId: string, url: string): number {
    return this.store.get<{ failures: number }>('SELECT failures FROM replication_targets WHERE customer_id = ? AND url = ?', customerId, url)?.failures ?? 0;
  }

  /** One customer to one replication server: the customer, the chunks it lacks, then the backups and reports. */
  private async replicate(customerId: string, server: StoredServer, throttle: Throttle, progress: (chunks: number, bytes: number, total: number) => void) {
    const peer = new PeerClient(server, throttle);
    try {
      const info = await peer.signIn(this.config.open(server));
      if (info.deployment === 'cloud') throw new ApiError('FEATURE_UNAVAILABLE', 'The replication server is a cloud deployment, which keeps no replicas.');
      if (info.id === this.settings.get('serverId')) throw conflict('The replication server is this server itself; configure another server to replicate to.');
      const target = this.store.get<TargetRow>('SELECT * FROM replication_targets WHERE customer_id = ? AND url = ?', customerId, server.url)!;
      const since = target.synced_through;
      const base = `/peer/replicas/${encodeURIComponent(this.settings.get('serverId'))}/${encodeURIComponent(customerId)}`;
      // What this run copies is fixed now: a backup committed from here on goes with the next run.
      const snapshot = this.store.write(() => ({ sync: this.customerSync(customerId), backups: this.source.backupIds(customerClients(customerId)), chunks: this.source.chunkSchedules(customerId, customerClients(customerId)) }));
      const summary = await peer.json<PeerReplicaSummary>('PUT', base, snapshot.sync);
      const sent = await sendMissingChunks({
        store: this.store,
        packs: this.chunks.packs,
        peer,
        base,
        owner: customerId,
        chunks: snapshot.chunks,
        packBytes: packBytesFor(throttle.limitKBps),
        progress: (s, total) => progress(s.chunks, s.bytes, total.chunks),
        stopped: () => this.stopping,
      });
      const have = new Set(summary.backups);
      const clients = customerClients(customerId);
      await this.source.sendBackups(peer, base, snapshot.backups.filter((id) => !have.has(id)), this.source.reports(clients, since));
      return sent;
    } finally {
      peer.close();
    }
  }

  private customerSync(customerId: string): PeerCustomerSync {
    const c = this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', customerId)!;
    const reseller = this.store.get<{ name: string }>('SELECT name FROM resellers WHERE id = ?', c.reseller_id)!;
    return {
      serverName: this.settings.get('name'),
      resellerName: reseller.name,
      customer: { name: c.name, email: c.email, mcalsAllotted: c.mcals_allotted, spaceAllotted: c.space_allotted, autoAuthorization: c.auto_authorization === 1, active: c.active === 1, createdAt: c.created_at },
      clients: this.source.clients(customerClients(customerId)),
    };
  }

  /** Deletions of whole customers reach their replicas; a tombstone stays until its replica applied it. */
  private async applyTombstones(): Promise<void> {
    const tombstones = this.store.all<{ customer_id: string; url: string; server: string }>('SELECT customer_id, url, server FROM replication_tombstones');
    for (const t of tombstones) {
      let peer: PeerClient | null = null;
      try {
        const server = JSON.parse(t.server) as StoredServer;
        peer = new PeerClient(server, new Throttle(null));
        await peer.signIn(this.config.open(server));
        await peer.json('DELETE', `/peer/replicas/${encodeURIComponent(this.settings.get('serverId'))}/${encodeURIComponent(t.customer_id)}`);
        this.store.write(() => this.store.run('DELETE FROM replication_tombstones WHERE customer_id = ? AND url = ?', t.customer_id, t.url));
      } catch (err) {
        this.store.write(() => this.store.run('UPDATE replication_tombstones SET last_error = ? WHERE customer_id = ? AND url = ?', describeFailure(err), t.customer_id, t.url));
      } finally {
        peer?.close();
      }
    }
  }
}

/** A customer's clients as its replicas hold them: not those moved away, nor those being seeded here. */
const customerClients = (customerId: string): Selection => ({
  clients: "cl.customer_id = ? AND cl.status <> 'moved' AND cl.incoming_from IS NULL",
  deleted: 'customer_id = ?',
  params: [customerId],
});
