import { isIP } from 'node:net';
import type {
  CustomerReplication,
  CustomerReplicationInput,
  GlobalReplication,
  GlobalReplicationInput,
  ReplicationFrequency,
  ReplicationServer,
  ReplicationServerInput,
} from '../../src-shared/api/replication.js';
import type { AuditLog } from '../audit.js';
import type { Principal } from '../auth.js';
import { assertWritable, type CustomerRow, type Customers } from '../customers.js';
import { badRequest, forbidden } from '../errors.js';
import { assertAdmin } from '../resellers.js';
import type { Settings } from '../settings.js';
import type { Store } from '../store.js';
import type { SecretBox } from './secret-box.js';

/** A replication server as stored: its password sealed by the SecretBox. */
export interface StoredServer extends ReplicationServer {
  password: string;
}
export interface StoredReplication {
  frequency: ReplicationFrequency;
  bandwidthLimitKBps: number | null;
  servers: StoredServer[];
}
export interface StoredGlobalReplication extends StoredReplication {
  enabled: boolean;
}

/** A replication server ready to be used: its password opened. Lives only in memory, for a run. */
export type ReplicaServer = ReplicationServer & { password: string };

/** What applies to one customer now: whose configuration (`global` or the customer's id), how often, where to. */
export interface EffectiveReplication extends StoredReplication {
  key: string;
}

/** What decides where a customer replicates to. */
type ReplicatingCustomer = Pick<CustomerRow, 'id' | 'replication_mode' | 'replica_server_id'>;

const publicServers = (servers: readonly StoredServer[]): ReplicationServer[] => servers.map(({ url, username, fingerprint }) => ({ url, username, fingerprint }));
const isLoopback = (host: string) => host === 'localhost' || (isIP(host) === 4 ? host.startsWith('127.') : host === '::1');

/**
 * Replication configuration: the global one (settings) and each customer's mode and own configuration
 * (`custom`). Passwords are sealed at rest, never returned, logged or audited; a PUT that leaves one out
 * keeps the stored password of the same url + username.
 */
export class ReplicationConfig {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly audit: AuditLog,
    private readonly customers: Customers,
    private readonly box: SecretBox,
  ) {}

  global(principal: Principal): GlobalReplication {
    assertAdmin(principal);
    const { enabled, frequency, bandwidthLimitKBps, servers } = this.settings.get('replication');
    return { enabled, frequency, bandwidthLimitKBps, servers: publicServers(servers) };
  }

  setGlobal(principal: Principal, input: GlobalReplicationInput): GlobalReplication {
    assertAdmin(principal);
    const previous = this.settings.get('replication');
    const next: StoredGlobalReplication = {
      enabled: input.enabled,
      frequency: input.frequency,
      bandwidthLimitKBps: input.bandwidthLimitKBps,
      servers: this.sealServers(input.servers, previous.servers),
    };
    return this.store.write(() => {
      const before = this.global(principal);
      this.settings.set('replication', next);
      const after = this.global(principal);
      this.audit.record(principal, { action: 'replication.update', objectType: 'replication', objectId: 'replication', objectName: 'Replication Management', resellerId: null, before, after });
      return after;
    });
  }

  customer(principal: Principal, customerId: string): CustomerReplication {
    const row = this.customers.row(principal, customerId);
    const mode = row.replication_mode as CustomerReplication['mode'];
    const own = mode === 'custom' ? this.stored(customerId) : null;
    if (!own) return { mode };
    return { mode, frequency: own.frequency, bandwidthLimitKBps: own.bandwidthLimitKBps, servers: publicServers(own.servers) };
  }

  setCustomer(principal: Principal, customerId: string, input: CustomerReplicationInput): CustomerReplication {
    const row = this.customers.row(principal, customerId);
    assertWritable(row);
    let own: StoredReplication | null = null;
    if (input.mode === 'custom') {
      if (principal.role !== 'admin') throw forbidden('Only the server administrator can give a customer its own replication configuration; a reseller may choose inherit or off.');
      if (!input.frequency) throw badRequest('frequency', 'frequency: mode custom needs a frequency (hourly, daily or weekly).');
      if (!input.servers || input.servers.length === 0) throw badRequest('servers', 'servers: mode custom needs at least one replication server.');
      own = {
        frequency: input.frequency,
        bandwidthLimitKBps: input.bandwidthLimitKBps ?? null,
        servers: this.sealServers(input.servers, this.stored(customerId)?.servers ?? []),
      };
    } else {
      for (const field of ['frequency', 'bandwidthLimitKBps', 'servers'] as const) {
        if (input[field] !== undefined) throw badRequest(field, `${field}: only a customer in mode custom has its own ${field}; mode ${input.mode} takes none.`);
      }
    }
    return this.store.write(() => {
      const before = this.customer(principal, customerId);
      this.store.run('UPDATE customers SET replication_mode = ? WHERE id = ?', input.mode, customerId);
      if (own) this.store.run('INSERT INTO customer_replication (customer_id, config) VALUES (?, ?) ON CONFLICT (customer_id) DO UPDATE SET config = excluded.config', customerId, JSON.stringify(own));
      else this.store.run('DELETE FROM customer_replication WHERE customer_id = ?', customerId);
      const after = this.customer(principal, customerId);
      this.audit.record(principal, { action: 'customer.replication.update', objectType: 'customer', objectId: customerId, objectName: row.name, resellerId: row.reseller_id, before, after });
      return after;
    });
  }

  /** What applies to the customer now (passwords still sealed); null when it replicates nowhere (off, disabled, a replica). */
  effective(customer: ReplicatingCustomer): EffectiveReplication | null {
    return this.resolver()(customer);
  }

  /**
   * `effective` for many customers at once (the scheduler asks for every one each minute): the deployment
   * and the global configuration are read once; only a `custom` customer's own is read per customer.
   */
  resolver(): (customer: ReplicatingCustomer) => EffectiveReplication | null {
    if (this.settings.get('deployment') === 'cloud') return () => null;
    const global = this.settings.get('replication');
    const inherited: EffectiveReplication | null = global.enabled && global.servers.length > 0 ? { key: 'global', ...global } : null;
    return (customer) => {
      if (customer.replica_server_id) return null;
      if (customer.replication_mode === 'inherit') return inherited;
      if (customer.replication_mode !== 'custom') return null;
      const own = this.stored(customer.id);
      return own && own.servers.length > 0 ? { key: customer.id, ...own } : null;
    };
  }

  /** A server with its password opened, for the run that signs in with it. */
  open(server: StoredServer): ReplicaServer {
    return { ...server, password: this.box.open(server.password) };
  }

  private stored(customerId: string): StoredReplication | null {
    const row = this.store.get<{ config: string }>('SELECT config FROM customer_replication WHERE customer_id = ?', customerId);
    return row ? (JSON.parse(row.config) as StoredReplication) : null;
  }

  /** Checks each entry (URL rules, fingerprint, no repeats), keeps or seals its password. */
  private sealServers(input: readonly ReplicationServerInput[], previous: readonly StoredServer[]): StoredServer[] {
    const seen = new Set<string>();
    return input.map((entry, i) => {
      const field = `servers[${i}]`;
      const url = checkUrl(entry.url, entry.fingerprint, field);
      if (seen.has(url)) throw badRequest(`${field}.url`, `${field}.url: ${url} is listed twice.`);
      seen.add(url);
      const username = entry.username.trim();
      let password: string;
      if (entry.password !== undefined) password = this.box.seal(entry.password);
      else {
        const kept = previous.find((p) => p.url === url && p.username === username);
        if (!kept) throw badRequest(`${field}.password`, `${field}.password: a new replication server (${url} as ${username}) needs its password.`);
        password = kept.password;
      }
      return { url, username, fingerprint: entry.fingerprint, password };
    });
  }
}

/** `https://host[:port]` with a fingerprint, or `http://` on loopback without one; returned as its origin. */
function checkUrl(raw: string, fingerprint: string | null, field: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`${field}.url`, `${field}.url: "${raw}" is not a URL like https://backup2.example.com:8443.`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.username || url.password) throw badRequest(`${field}.url`, `${field}.url: give the credentials as username and password, not in the URL.`);
  if (url.protocol === 'http:') {
    if (!isLoopback(host)) throw badRequest(`${field}.url`, `${field}.url: plain http is allowed on a loopback address only; use https:// with the server's fingerprint.`);
    if (fingerprint !== null) throw badRequest(`${field}.fingerprint`, `${field}.fingerprint: an http:// server has no certificate; give null.`);
  } else if (fingerprint === null) {
    throw badRequest(`${field}.fingerprint`, `${field}.fingerprint: an https:// server needs the SHA-256 fingerprint of its certificate (64 hex digits, as it prints it).`);
  }
  return url.origin;
}
