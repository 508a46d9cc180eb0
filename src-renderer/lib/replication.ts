/** Replication in words: states, lag, rates, and why a replica customer cannot be changed. Pure functions. */
import type { Customer } from '../../src-shared/api/customers.js';
import type { ReplicationFrequency, ReplicationHealth, ReplicationServer, ReplicationTarget } from '../../src-shared/api/replication.js';
import type { ServerView } from '../../src-shared/bridge.js';
import type { Column } from '../state/table.svelte.js';
import { formatBytes, formatDateTime, plural } from './format.js';
import { describeFrequency } from './schedule-text.js';

/** The server can replicate (on-premise) and says so: on a cloud server every replication view is hidden. */
export function replicationAvailable(server: ServerView | undefined): boolean {
  return server?.info?.features.replication === true;
}

/** What a replication view says on a server that cannot replicate. */
export function replicationUnavailableText(server: ServerView | undefined): string {
  return `${server?.name ?? 'This server'} does not offer replication (a cloud deployment replicates nothing).`;
}

/** Why a replica customer (a copy another server keeps here) cannot be changed, or null for a primary customer. */
export function replicaBlock(customer: Customer): string | null {
  if (!customer.replicaOf) return null;
  return `Read-only: ${customer.name} is a replica of ${customer.replicaOf.serverName}. Make changes on ${customer.replicaOf.serverName}; they reach this copy with its next replication run.`;
}

export const HEALTH_WORDS: Record<ReplicationHealth, string> = {
  failed: 'Failed',
  running: 'Replicating',
  idle: 'Up to date',
  never: 'Never replicated',
  off: 'Off',
};

/** One replication server's state as a customer's is told: idle before a first success is `never`. */
export function targetHealth(t: ReplicationTarget): ReplicationHealth {
  return t.state === 'idle' && !t.lastSuccessAt ? 'never' : t.state;
}

/** One replication server's state in words: a failed run says when it is tried again. */
export function targetStateText(t: ReplicationTarget, when: (iso: string) => string): string {
  if (t.state === 'failed' && t.retryAt) return `Failed — retried at ${when(t.retryAt)}`;
  return HEALTH_WORDS[targetHealth(t)];
}

/** What every list of replication runs shows (a customer's replicas, every customer): when, how far behind, and the last error. */
interface RunFacts {
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
}

/**
 * The columns of a replication run's facts: Last Run, Last Success, Lag (measured against `now()`, which
 * moves while the table is shown) and Last Error.
 */
export function runColumns<T extends RunFacts>(now: () => number, lastErrorWidth: number): Column<T>[] {
  return [
    { id: 'lastRunAt', header: 'Last Run', width: 175, value: (r) => r.lastRunAt, text: (r) => formatDateTime(r.lastRunAt) },
    { id: 'lastSuccessAt', header: 'Last Success', width: 175, value: (r) => r.lastSuccessAt, text: (r) => formatDateTime(r.lastSuccessAt) },
    { id: 'lag', header: 'Lag', width: 100, align: 'end', value: (r) => (r.lastSuccessAt ? now() - Date.parse(r.lastSuccessAt) : null), text: (r) => formatLag(r.lastSuccessAt, now()) },
    { id: 'lastError', header: 'Last Error', width: lastErrorWidth, value: (r) => r.lastError, text: (r) => r.lastError ?? '—' },
  ];
}

/** How far behind a replica is (now − its last success): "42 s", "5 min", "3 h 10 min", "2 d 4 h"; "—" before a first success. */
export function formatLag(lastSuccessAt: string | null, nowMs: number): string {
  if (!lastSuccessAt) return '—';
  const s = Math.max(0, Math.round((nowMs - Date.parse(lastSuccessAt)) / 1000));
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Bytes per second as a rate: "1.5 MiB/s"; "—" when nothing can be said yet. */
export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return '—';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** A bandwidth limit as the API keeps it (KiB/s, null = unlimited) in words. */
export function formatLimit(kibPerSecond: number | null | undefined): string {
  if (kibPerSecond === null || kibPerSecond === undefined) return 'unlimited';
  return `${formatBytes(kibPerSecond * 1024)}/s`;
}

/** A configuration in one line: "daily at 01:00 UTC to 2 replication servers, unlimited". */
export function describeReplication(config: { frequency: ReplicationFrequency; bandwidthLimitKBps: number | null; servers: readonly ReplicationServer[] }): string {
  const to = config.servers.length === 0 ? 'to no replication server yet' : `to ${plural(config.servers.length, 'replication server', 'replication servers')}`;
  return `${describeFrequency(config.frequency)} ${to}, ${formatLimit(config.bandwidthLimitKBps)}`;
}
