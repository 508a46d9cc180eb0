/** Replication in words: states, lag, rates, and why a replica customer cannot be changed. Pure functions. */
import type { Customer } from '../../src-shared/api/customers.js';
import type { ReplicationFrequency, ReplicationHealth, ReplicationServer, ReplicationTarget } from '../../src-shared/api/replication.js';
import type { ServerView } from '../../src-shared/bridge.js';
import { formatBytes, plural } from './format.js';
import { describeFrequency } from './schedule-text.js';

/** The server can replicate (on-premise) and says so: on a cloud server every replication view is hidden. */
export function replicationAvailable(server: ServerView | undefined): boolean {
  return server?.info?.features.replication === true;
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

/** One replication server's state in words: a failed run says when it is tried again. */
export function targetStateText(t: ReplicationTarget, when: (iso: string) => string): string {
  if (t.state === 'running') return 'Replicating';
  if (t.state === 'failed') return t.retryAt ? `Failed — retried at ${when(t.retryAt)}` : 'Failed';
  return t.lastSuccessAt ? 'Up to date' : 'Never replicated';
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
