import type { ReplicationMode } from '../../src-shared/api/customers.js';
import type {
  CustomerReplication,
  CustomerReplicationInput,
  GlobalReplication,
  GlobalReplicationInput,
  ReplicationFrequency,
  ReplicationServer,
  ReplicationServerInput,
} from '../../src-shared/api/replication.js';
import { MAX_BANDWIDTH_KIBPS, MAX_REPLICATION_SERVERS } from '../../src-shared/api/replication.js';
import { TIME_OF_DAY, WEEKDAYS, type Weekday } from '../../src-shared/api/schedules.js';
import { parseWhole } from '../lib/validate.js';
import { FormState } from './form.svelte.js';

/** The fields of a replication configuration form, named as the server names them in `details.field`. */
export const REPLICATION_FIELDS = ['mode', 'frequency.at', 'frequency.days', 'bandwidthLimitKBps', 'servers'] as const;
export type ReplicationField = (typeof REPLICATION_FIELDS)[number];

/** What a configuration starts with before the server said otherwise: every night at 01:00 UTC. */
const DEFAULT_FREQUENCY: ReplicationFrequency = { kind: 'daily', at: '01:00' };

/** One replication server in the form: as the server keeps it, plus a new password when one was typed. */
export interface ServerRow extends ReplicationServer {
  /** Empty: the server keeps the stored password of this url + user name (a new row always has one). */
  password: string;
  /** The server holds a password for it already (the row came from the server). */
  stored: boolean;
}

/**
 * The editable state of one replication configuration: the global one ("Replication Management", with
 * `enabled`) or a customer's (with `mode`; frequency, bandwidth and servers only count in `custom`). Its
 * form checks what the server would refuse and pins the server's refusals to the field they name.
 */
export class ReplicationDraft {
  readonly scope: 'global' | 'customer';
  enabled = $state(false);
  mode = $state<ReplicationMode>('inherit');
  kind = $state<ReplicationFrequency['kind']>(DEFAULT_FREQUENCY.kind);
  at = $state(DEFAULT_FREQUENCY.at ?? '');
  days = $state<Weekday[]>(['mon']);
  bandwidth = $state('');
  servers = $state<ServerRow[]>([]);
  readonly form: FormState<ReplicationField>;

  constructor(scope: 'global' | 'customer') {
    this.scope = scope;
    this.form = new FormState(REPLICATION_FIELDS, {
      values: () => ({
        mode: this.mode,
        'frequency.at': `${this.kind} ${this.at}`,
        'frequency.days': `${this.kind} ${this.days.join(',')}`,
        bandwidthLimitKBps: this.bandwidth,
        servers: this.servers.map((s) => `${s.url} ${s.username} ${s.password !== ''}`).join(' '),
      }),
      checks: () => this.#checks(),
    });
  }

  /** Frequency, bandwidth and servers are part of what is saved (global, or a customer's own configuration). */
  get own(): boolean {
    return this.scope === 'global' || this.mode === 'custom';
  }
  parsedBandwidth = $derived(parseWhole(this.bandwidth, 1, MAX_BANDWIDTH_KIBPS));

  frequency = $derived.by((): ReplicationFrequency => {
    if (this.kind === 'hourly') return { kind: 'hourly' };
    if (this.kind === 'daily') return { kind: 'daily', at: this.at.trim() };
    return { kind: 'weekly', at: this.at.trim(), days: WEEKDAYS.filter((d) => this.days.includes(d)) };
  });

  #checks(): Partial<Record<ReplicationField, string | null>> {
    if (!this.own) return {};
    const noServers =
      this.servers.length > 0
        ? null
        : this.scope === 'customer'
          ? 'Add at least one replication server, or choose "Follow the global configuration" or "Off".'
          : this.enabled
            ? 'Add at least one replication server, or turn replication off.'
            : null;
    return {
      'frequency.at': this.kind !== 'hourly' && !TIME_OF_DAY.test(this.at.trim()) ? 'Enter the time as HH:MM (24-hour clock, UTC), for example 02:00.' : null,
      'frequency.days': this.kind === 'weekly' && this.days.length === 0 ? 'Choose at least one day of the week.' : null,
      bandwidthLimitKBps: this.parsedBandwidth.error ? `Enter a whole number of KiB/s from 1 to ${MAX_BANDWIDTH_KIBPS.toLocaleString()}, or leave it empty for no limit.` : null,
      servers: this.servers.length > MAX_REPLICATION_SERVERS ? `Use at most ${MAX_REPLICATION_SERVERS} replication servers.` : noServers,
    };
  }

  /** Takes what the server holds (after loading or saving): a fresh form. */
  fill(config: GlobalReplication | CustomerReplication): void {
    if ('enabled' in config) this.enabled = config.enabled;
    if ('mode' in config) this.mode = config.mode;
    if (config.frequency) this.#fillFrequency(config.frequency);
    if (config.bandwidthLimitKBps !== undefined) this.bandwidth = config.bandwidthLimitKBps === null ? '' : String(config.bandwidthLimitKBps);
    if (config.servers) this.servers = config.servers.map((s) => ({ ...s, password: '', stored: true }));
    this.form.reset();
  }

  /**
   * What a customer's own configuration starts from before it has one: the global configuration's
   * frequency and limit (the servers stay the customer's choice).
   */
  suggest(global: GlobalReplication): void {
    if (this.servers.length > 0) return;
    this.#fillFrequency(global.frequency);
    this.bandwidth = global.bandwidthLimitKBps === null ? '' : String(global.bandwidthLimitKBps);
  }

  #fillFrequency(f: ReplicationFrequency): void {
    this.kind = f.kind;
    if (f.at) this.at = f.at;
    if (f.days?.length) this.days = [...f.days];
  }

  toggleDay(day: Weekday, on: boolean): void {
    this.days = on ? [...this.days.filter((d) => d !== day), day] : this.days.filter((d) => d !== day);
    this.form.touch('frequency.days');
  }

  addServer(row: ServerRow): void {
    this.servers = [...this.servers, row];
    this.form.touch('servers');
  }

  removeServer(index: number): void {
    this.servers = this.servers.filter((_, i) => i !== index);
    this.form.touch('servers');
  }

  /** A server of the list with the same address and user name (they identify a stored password). */
  has(url: string, username: string): boolean {
    const key = sameServer(url, username);
    return this.servers.some((s) => sameServer(s.url, s.username) === key);
  }

  #servers(): ReplicationServerInput[] {
    return this.servers.map((s) => ({ url: s.url, username: s.username, fingerprint: s.fingerprint, ...(s.password !== '' ? { password: s.password } : {}) }));
  }

  /** The body of `PUT /replication`. */
  globalInput(): GlobalReplicationInput {
    return { enabled: this.enabled, frequency: this.frequency, bandwidthLimitKBps: this.parsedBandwidth.value, servers: this.#servers() };
  }

  /** The body of `PUT /customers/:id/replication`: only `mode` unless the customer has its own configuration. */
  customerInput(): CustomerReplicationInput {
    if (this.mode !== 'custom') return { mode: this.mode };
    return { mode: 'custom', frequency: this.frequency, bandwidthLimitKBps: this.parsedBandwidth.value, servers: this.#servers() };
  }
}

/** How two entries are compared: the address without a trailing slash, case-insensitively; the user name as is. */
function sameServer(url: string, username: string): string {
  return `${url.trim().replace(/\/+$/, '').toLowerCase()} ${username.trim()}`;
}
