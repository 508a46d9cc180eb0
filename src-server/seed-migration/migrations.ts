import type { PeerSeed, PeerSeedCommit, PeerSeedSummary } from '../../src-shared/api/peer.js';
import type { SeedMigration, SeedMigrationClient, SeedMigrationCreate, SeedMigrationStarted, SeedMigrationStatus } from '../../src-shared/api/seed-migration.js';
import type { AuditLog } from '../audit.js';
import type { Principal } from '../auth.js';
import type { Clients } from '../clients.js';
import { COLUMNS, type ClientRow } from '../client-rows.js';
import type { CustomerRow } from '../customers.js';
import { ownerOf, type ChunkIndex } from '../dataplane/chunk-index.js';
import { ApiError, conflict, fieldConflict, notFound, replicaReadOnly } from '../errors.js';
import type { Jobs } from '../jobs.js';
import { assertAdmin } from '../resellers.js';
import type { Settings } from '../settings.js';
import { newId, nowIso, type Store } from '../store.js';
import { CopySource, type Selection } from '../replication/copy-source.js';
import { CertificateMismatch, describeFailure, PeerClient, PeerError } from '../replication/peer-client.js';
import { Throttle } from '../replication/throttle.js';
import { packBytesFor, sendMissingChunks } from '../replication/transfer.js';
import { markMoved } from './hand-over.js';

interface MigrationRow {
  id: string;
  job_id: string;
  target_url: string;
  target_fingerprint: string | null;
  target_customer_name: string | null;
  created_by: string;
  created_at: string;
}

interface ClientStateRow {
  position: number;
  client_id: string;
  name: string;
  state: SeedMigrationClient['state'];
  handing_over: number;
  bytes_copied: number;
  bytes_total: number;
  error: string | null;
}

/** A client the agent may not use while this holds: its data is being copied, or handed over. */
const LOCKED = "(state = 'copying' OR handing_over = 1)";

/** The target cannot be worked with at all now: the clients after this one are not tried. */
const fatal = (err: unknown) =>
  err instanceof CertificateMismatch || (err instanceof PeerError && ['UNAUTHENTICATED', 'FORBIDDEN', 'FEATURE_UNAVAILABLE'].includes(err.code)) || (err instanceof Error && !(err instanceof PeerError) && !(err instanceof ApiError));

/**
 * The source's side of seed backup migration (API.md): moves chosen clients, one at a time in the order
 * given, to another server through the peer API — only chunks the target lacks travel (the transfer is
 * replication's) — then their backups, schedules, reports and identity; once the target took a client
 * over, marks it moved here. The target's session token lives only in memory: a migration interrupted by a
 * stop is resumed with a fresh one, and goes on from where it was (the target keeps what arrived).
 */
export class SeedMigrations {
  private readonly running = new Map<string, Promise<void>>();
  private readonly source: CopySource;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly audit: AuditLog,
    private readonly clients: Clients,
    private readonly chunks: ChunkIndex,
    private readonly jobs: Jobs,
  ) {
    this.source = new CopySource(store);
  }

  /** POST /seed-migrations: checks every client (404 for an unknown one, nothing written), then starts. */
  start(principal: Principal, input: SeedMigrationCreate): SeedMigrationStarted {
    assertAdmin(principal);
    const rows = input.clientIds.map((id, i) => this.movable(id, `clientIds[${i}]`));
    const id = newId('seed');
    const jobId = this.jobs.create('seed-migration', null);
    this.store.write(() => {
      this.store.run(
        'INSERT INTO seed_migrations (id, job_id, target_url, target_fingerprint, target_customer_name, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        id, jobId, input.target.url.replace(/\/+$/, ''), input.target.fingerprint, input.targetCustomerName?.trim() ?? null, principal.username, nowIso(),
      );
      rows.forEach((r, position) => this.store.run('INSERT INTO seed_migration_clients (migration_id, position, client_id, name) VALUES (?, ?, ?, ?)', id, position, r.id, r.name));
      this.audit.record(principal, {
        action: 'seedMigration.start',
        objectType: 'seedMigration',
        objectId: id,
        objectName: input.target.url,
        resellerId: null,
        after: { clientIds: input.clientIds, target: { url: input.target.url, fingerprint: input.target.fingerprint }, targetCustomerName: input.targetCustomerName ?? null },
      });
    });
    this.launch(id, jobId, input.target.token);
    return { id, jobId };
  }

  /** POST /seed-migrations/:id/resume: the clients not moved yet go on, with a fresh target token. */
  resume(principal: Principal, id: string, token: string): SeedMigrationStarted {
    assertAdmin(principal);
    const m = this.migration(id);
    if (this.running.has(id)) return { id, jobId: m.job_id };
    const jobId = this.jobs.create('seed-migration', null);
    this.store.write(() => {
      this.store.run('UPDATE seed_migrations SET job_id = ? WHERE id = ?', jobId, id);
      this.store.run("UPDATE seed_migration_clients SET state = CASE WHEN state = 'moved' THEN state ELSE 'queued' END, error = NULL WHERE migration_id = ? AND state <> 'moved'", id);
    });
    this.launch(id, jobId, token);
    return { id, jobId };
  }

  get(principal: Principal, id: string): SeedMigration {
    assertAdmin(principal);
    const m = this.migration(id);
    const clients = this.store.all<ClientStateRow>('SELECT * FROM seed_migration_clients WHERE migration_id = ? ORDER BY position', id);
    return {
      id,
      jobId: m.job_id,
      status: this.status(id, clients),
      target: { url: m.target_url, fingerprint: m.target_fingerprint },
      targetCustomerName: m.target_customer_name,
      createdAt: m.created_at,
      clients: clients.map((c) => ({ clientId: c.client_id, name: c.name, state: c.state, bytesCopied: c.bytes_copied, bytesTotal: c.bytes_total, error: c.error })),
    };
  }

  /** Whether the client's agent must wait: its data is being copied, or handed over, to another server. */
  locked(clientId: string): boolean {
    return !!this.store.get(`SELECT 1 FROM seed_migration_clients WHERE client_id = ? AND ${LOCKED} LIMIT 1`, clientId);
  }

  /** After an unclean stop: what was under way failed, and is resumed with a fresh token. A hand-over in doubt keeps its client locked. */
  recover(): void {
    this.store.write(() => {
      this.store.run(
        `UPDATE seed_migration_clients SET state = 'failed', error = CASE WHEN handing_over = 1
           THEN 'INTERRUPTED: the server stopped while handing the client over; resume the migration to settle where it lives (its agent waits till then).'
           ELSE 'INTERRUPTED: the server stopped before the client was moved; it is still here, whole. Resume the migration to go on.' END
         WHERE state IN ('queued', 'copying')`,
      );
      this.store.run("UPDATE jobs SET status = 'failed', error = 'Interrupted: the server stopped.', finished_at = ? WHERE kind = 'seed-migration' AND status IN ('queued', 'running')", nowIso());
    });
  }

  /** SIGTERM: a migration in progress stops at its next pack; its client stays here, whole. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  private status(id: string, clients: readonly ClientStateRow[]): SeedMigrationStatus {
    if (this.running.has(id)) return 'running';
    const moved = clients.filter((c) => c.state === 'moved').length;
    return moved === clients.length ? 'done' : moved === 0 ? 'failed' : 'partial';
  }

  private migration(id: string): MigrationRow {
    const m = this.store.get<MigrationRow>('SELECT * FROM seed_migrations WHERE id = ?', id);
    if (!m) throw notFound('Seed migration');
    return m;
  }

  /** A client this server can move: its own (not a replica's, not being seeded here), not moved, not in another migration under way. */
  private movable(id: string, field: string): ClientRow {
    const row = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ? AND incoming_from IS NULL`, id);
    if (!row) throw new ApiError('NOT_FOUND', `Client ${id} was not found.`, { field });
    if (row.status === 'moved') throw fieldConflict(field, `Client "${row.name}" has already moved to another server.`);
    const customer = row.customer_id ? this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', row.customer_id)! : null;
    if (customer?.replica_server_id) throw replicaReadOnly(customer.name, customer.replica_server_name ?? 'its source server');
    const busy = this.store.get(
      `SELECT 1 FROM seed_migration_clients c WHERE c.client_id = ? AND (${LOCKED} OR (c.state = 'queued' AND c.migration_id IN (SELECT value FROM json_each(?)))) LIMIT 1`,
      id, JSON.stringify([...this.running.keys()]),
    );
    if (busy) throw fieldConflict(field, `Client "${row.name}" is already being moved by another seed migration.`);
    return row;
  }

  private launch(id: string, jobId: string, token: string): void {
    const run = this.run(id, jobId, token)
      .catch((err: unknown) => this.jobs.progress(jobId, { status: 'failed', error: describeFailure(err) }))
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  private async run(id: string, jobId: string, token: string): Promise<void> {
    this.jobs.progress(jobId, { status: 'running' });
    const m = this.migration(id);
    // Seeding is replication traffic too: the global replication bandwidth limit applies to it.
    const limit = this.settings.get('replication').bandwidthLimitKBps;
    const peer = new PeerClient({ url: m.target_url, fingerprint: m.target_fingerprint }, new Throttle(limit), 'target server');
    const pending = () => this.store.all<ClientStateRow>("SELECT * FROM seed_migration_clients WHERE migration_id = ? AND state = 'queued' ORDER BY position", id);
    const totals = { done: 0, total: pending().length, bytes: 0 };
    this.jobs.progress(jobId, totals);
    try {
      try {
        const info = await peer.useToken(token);
        if (info.deployment === 'cloud') throw new PeerError('FEATURE_UNAVAILABLE', 409, 'The target is a cloud deployment, which takes no seed migration; choose an on-premise server.');
        if (info.id === this.settings.get('serverId')) throw conflict('The target is this server itself; choose another server.');
      } catch (err) {
        this.failRest(id, err);
        throw err;
      }
      for (const c of pending()) {
        if (this.stopping) break;
        try {
          totals.bytes += await this.moveClient(m, c, peer, packBytesFor(limit), (bytes) => this.jobs.progress(jobId, { bytes: totals.bytes + bytes }));
          totals.done++;
          this.jobs.progress(jobId, totals);
        } catch (err) {
          this.setState(id, c.position, { state: 'failed', error: describeFailure(err) });
          if (fatal(err)) {
            this.failRest(id, err);
            break;
          }
        }
      }
      const failed = this.store.get<{ n: number }>("SELECT count(*) AS n FROM seed_migration_clients WHERE migration_id = ? AND state <> 'moved'", id)!.n;
      this.jobs.progress(jobId, failed ? { status: 'failed', error: `${failed} of the clients did not move; see the migration's clients.` } : { status: 'done' });
    } finally {
      peer.close();
    }
  }

  /** The clients not tried yet fail with the reason the target cannot be worked with. */
  private failRest(id: string, err: unknown): void {
    this.store.write(() => this.store.run("UPDATE seed_migration_clients SET state = 'failed', error = ? WHERE migration_id = ? AND state = 'queued'", `Not started: ${describeFailure(err)}`, id));
  }

  private setState(id: string, position: number, change: Partial<Pick<ClientStateRow, 'state' | 'error' | 'handing_over' | 'bytes_copied' | 'bytes_total'>>): void {
    const sets = Object.keys(change).map((k) => `${k} = ?`).join(', ');
    this.store.write(() => this.store.run(`UPDATE seed_migration_clients SET ${sets} WHERE migration_id = ? AND position = ?`, ...Object.values(change), id, position));
  }

  /** One client: its copy on the target, then the hand-over, then `moved` here. Returns the chunk bytes sent. */
  private async moveClient(m: MigrationRow, c: ClientStateRow, peer: PeerClient, packBytes: number, progress: (bytes: number) => void): Promise<number> {
    const row = this.store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, c.client_id);
    if (!row) throw notFound(`Client "${c.name}"`);
    const movedTo = { server: { url: m.target_url, fingerprint: m.target_fingerprint } };
    if (row.status === 'moved') {
      this.setState(m.id, c.position, { state: 'moved', handing_over: 0 });
      return 0;
    }
    const running = this.store.get("SELECT 1 FROM backup_reports r JOIN schedules s ON s.id = r.schedule_id WHERE s.client_id = ? AND r.status = 'running' LIMIT 1", row.id);
    if (running) throw conflict(`Client "${row.name}" has a backup running; resume the migration once it has finished.`);
    // From here its agent waits (a backup made meanwhile would not move with the client).
    this.setState(m.id, c.position, { state: 'copying', error: null, bytes_copied: 0, bytes_total: 0 });
    const base = `/peer/seeds/${encodeURIComponent(this.settings.get('serverId'))}/${encodeURIComponent(row.id)}`;
    const selection: Selection = { clients: 'cl.id = ?', deleted: 'client_id = ?', params: [row.id] };
    const snapshot = this.store.write(() => ({ seed: this.seedBody(m, row, selection), backups: this.source.backupIds(selection), chunks: this.source.chunkSchedules(ownerOf(row), selection) }));
    const summary = await peer.json<PeerSeedSummary>('PUT', base, snapshot.seed);
    let bytes = 0;
    if (!summary.committed) {
      const sent = await sendMissingChunks({
        store: this.store,
        packs: this.chunks.packs,
        peer,
        base,
        owner: ownerOf(row),
        chunks: snapshot.chunks,
        packBytes,
        progress: (s, total) => {
          this.setState(m.id, c.position, { bytes_copied: s.bytes, bytes_total: total.bytes });
          progress(s.bytes);
        },
        stopped: () => this.stopping,
      });
      bytes = sent.bytes;
      const have = new Set(summary.backups);
      await this.source.sendBackups(peer, base, snapshot.backups.filter((b) => !have.has(b)), this.source.reports(selection, null));
      this.setState(m.id, c.position, { handing_over: 1 });
      const tokenHash = this.store.get<{ agent_token_hash: string | null }>('SELECT agent_token_hash FROM clients WHERE id = ?', row.id)!.agent_token_hash;
      try {
        await peer.json('POST', `${base}/commit`, { agentTokenHash: tokenHash } satisfies PeerSeedCommit);
      } catch (err) {
        // Refused (no MCAL left there now): the client stays here, and what arrived there goes. A lost
        // answer leaves the hand-over in doubt: the client stays locked till a resume settles it.
        if (err instanceof PeerError) {
          this.setState(m.id, c.position, { handing_over: 0 });
          await peer.json('DELETE', base).catch(() => undefined);
        }
        throw err;
      }
    }
    this.store.write(() => {
      markMoved(this.store, this.clients, this.chunks, row.id, movedTo, `seed migration by ${m.created_by}`);
      this.store.run("UPDATE seed_migration_clients SET state = 'moved', handing_over = 0, error = NULL WHERE migration_id = ? AND position = ?", m.id, c.position);
    });
    return bytes;
  }

  private seedBody(m: MigrationRow, row: ClientRow, selection: Selection): PeerSeed {
    const customer = row.customer_id ? this.store.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', row.customer_id)! : null;
    const reseller = customer ? this.store.get<{ name: string }>('SELECT name FROM resellers WHERE id = ?', customer.reseller_id)!.name : 'default';
    const { agentTokenHash: _token, status: _status, ...client } = this.source.clients(selection)[0]!;
    return {
      serverName: this.settings.get('name'),
      resellerName: reseller,
      customer: customer && { name: m.target_customer_name ?? customer.name, email: customer.email, autoAuthorization: customer.auto_authorization === 1, active: customer.active === 1 },
      client: { ...client, trial: row.trial === 1, trialExpiresAt: row.trial_expires_at },
    };
  }
}
