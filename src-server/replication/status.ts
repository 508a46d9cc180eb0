import type { List, ListQuery } from '../../src-shared/api/common.js';
import { REPLICATION_OVERVIEW_LIST, type ReplicationOverviewItem, type ReplicationStatus, type ReplicationTarget } from '../../src-shared/api/replication.js';
import type { Principal } from '../auth.js';
import type { Customers } from '../customers.js';
import type { Settings } from '../settings.js';
import { listSource, type Store } from '../store.js';
import type { ReplicationConfig } from './config.js';

interface TargetRow {
  url: string;
  state: ReplicationTarget['state'];
  last_run_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  chunks_sent: number;
  bytes_sent: number;
  retry_at: string | null;
  job_id: string | null;
}

const toTarget = (t: TargetRow): ReplicationTarget => ({
  url: t.url,
  state: t.state,
  lastRunAt: t.last_run_at,
  lastSuccessAt: t.last_success_at,
  lastError: t.last_error,
  chunksSent: t.chunks_sent,
  bytesSent: t.bytes_sent,
  retryAt: t.retry_at,
  jobId: t.job_id,
});

const never = (url: string): ReplicationTarget => ({ url, state: 'idle', lastRunAt: null, lastSuccessAt: null, lastError: null, chunksSent: 0, bytesSent: 0, retryAt: null, jobId: null });

/**
 * Every primary customer with its replication at a glance, from its targets: the worst state, the oldest
 * last success, a failed target's error. `servers` and `off` depend on the global configuration, which the
 * query gets as its first two parameters (enabled 0/1, number of servers).
 */
const OVERVIEW_FROM = `(
  SELECT c.id AS customerId, c.name AS customerName, c.name_key AS name_key, c.reseller_id AS resellerId, c.replication_mode AS mode,
    CASE WHEN c.replication_mode = 'custom' THEN coalesce(json_array_length(cr.config, '$.servers'), 0)
         WHEN c.replication_mode = 'inherit' AND ? = 1 THEN ? ELSE 0 END AS servers,
    t.failed, t.running, t.runs, t.never_succeeded, t.lastRunAt, t.lastSuccessAt, t.lastError, coalesce(t.bytesSent, 0) AS bytesSent
  FROM customers c
  LEFT JOIN customer_replication cr ON cr.customer_id = c.id
  LEFT JOIN (SELECT customer_id, sum(state = 'failed') AS failed, sum(state = 'running') AS running, count(*) AS runs, sum(last_success_at IS NULL) AS never_succeeded,
      max(last_run_at) AS lastRunAt, min(last_success_at) AS lastSuccessAt, max(CASE WHEN state = 'failed' THEN last_error END) AS lastError, sum(bytes_sent) AS bytesSent
    FROM replication_targets GROUP BY customer_id) t ON t.customer_id = c.id
  WHERE c.replica_server_id IS NULL
) o`;
const STATE = `CASE WHEN o.servers = 0 THEN 'off' WHEN o.failed > 0 THEN 'failed' WHEN o.running > 0 THEN 'running' WHEN o.runs IS NULL OR o.never_succeeded > 0 THEN 'never' ELSE 'idle' END`;
const URGENCY = `CASE WHEN o.servers = 0 THEN 4 WHEN o.failed > 0 THEN 0 WHEN o.running > 0 THEN 1 WHEN o.runs IS NULL OR o.never_succeeded > 0 THEN 3 ELSE 2 END`;

export const OVERVIEW_ROWS = listSource(REPLICATION_OVERVIEW_LIST, {
  select: `o.customerId, o.customerName, o.resellerId, o.mode, ${STATE} AS state, ${URGENCY} AS urgency, o.servers, o.lastRunAt, o.lastSuccessAt, o.lastError, o.bytesSent`,
  from: OVERVIEW_FROM,
  sort: {
    customerName: 'o.name_key',
    mode: 'o.mode',
    state: STATE,
    urgency: URGENCY,
    servers: 'o.servers',
    lastRunAt: 'o.lastRunAt',
    lastSuccessAt: 'o.lastSuccessAt',
    bytesSent: 'o.bytesSent',
  },
  search: { customerName: 'o.name_key' },
  tieBreak: 'o.customerId',
});

/** What replication looks like: each customer's replication servers (status), and every customer at once (overview). */
export class ReplicationStatusView {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly customers: Customers,
    private readonly config: ReplicationConfig,
  ) {}

  /** One item per replication server the customer replicates to (those it replicated to before, when it replicates nowhere now). */
  status(principal: Principal, customerId: string): ReplicationStatus {
    const customer = this.customers.row(principal, customerId);
    const rows = new Map(this.store.all<TargetRow>('SELECT * FROM replication_targets WHERE customer_id = ? ORDER BY url', customerId).map((r) => [r.url, toTarget(r)]));
    const configured = this.config.effective(customer)?.servers.map((s) => rows.get(s.url) ?? never(s.url));
    const items = configured ?? [...rows.values()];
    return { items, total: items.length };
  }

  overview(principal: Principal, query: ListQuery): List<ReplicationOverviewItem> {
    const global = this.settings.get('replication');
    const params: unknown[] = [global.enabled ? 1 : 0, global.servers.length];
    const own = principal.role === 'reseller';
    return this.store.list<ReplicationOverviewItem, ReplicationOverviewItem>(
      { ...OVERVIEW_ROWS, where: own ? 'o.resellerId = ?' : '1', params: own ? [...params, principal.resellerId] : params },
      query,
      (row) => row,
    );
  }
}
