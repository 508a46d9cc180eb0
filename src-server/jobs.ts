import type { Job, JobStatus } from '../src-shared/api/jobs.js';
import type { Principal } from './auth.js';
import { notFound } from './errors.js';
import { newId, nowIso, type Store } from './store.js';

interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  done: number;
  total: number;
  bytes: number;
  error: string | null;
  reseller_id: string | null;
  created_at: string;
  finished_at: string | null;
}

/** Long-running work (replication, seed migration) reports its progress here for `GET /jobs/:id`. */
export class Jobs {
  constructor(private readonly store: Store) {}

  create(kind: string, resellerId: string | null): string {
    const id = newId('job');
    this.store.write(() => this.store.run("INSERT INTO jobs (id, kind, status, reseller_id, created_at) VALUES (?, ?, 'queued', ?, ?)", id, kind, resellerId, nowIso()));
    return id;
  }

  progress(id: string, progress: { status?: JobStatus; done?: number; total?: number; bytes?: number; error?: string }): void {
    const finished = progress.status === 'done' || progress.status === 'failed' ? nowIso() : null;
    this.store.write(() =>
      this.store.run(
        `UPDATE jobs SET status = coalesce(?, status), done = coalesce(?, done), total = coalesce(?, total), bytes = coalesce(?, bytes),
         error = coalesce(?, error), finished_at = coalesce(?, finished_at) WHERE id = ?`,
        progress.status ?? null,
        progress.done ?? null,
        progress.total ?? null,
        progress.bytes ?? null,
        progress.error ?? null,
        finished,
        id,
      ),
    );
  }

  get(principal: Principal, id: string): Job {
    const r = this.store.get<JobRow>('SELECT * FROM jobs WHERE id = ?', id);
    if (!r || (principal.role === 'reseller' && r.reseller_id !== principal.resellerId)) throw notFound('Job');
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      progress: { done: r.done, total: r.total, bytes: r.bytes },
      error: r.error,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    };
  }
}
