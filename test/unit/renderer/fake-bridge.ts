/**
 * An in-memory test double of the console bridge (src-shared/bridge.ts): enough of the ConsoleService's
 * behaviour for component tests — lists with paging, sorting by name and `q`, creates and patches with
 * NAME_TAKEN, an offline switch that serves reads with `asOf` and refuses writes, and pushed events.
 *
 * Each channel has its own typed handler, so a test changes exactly one channel:
 * `bridge.answer('customers.get', ({ id }) => ({ data: makeCustomer({ id, name: 'X' }), asOf: null }))`.
 */
import { BridgeError, type ArgOf, type Bridge, type Cached, type Channel, type EventName, type Events, type ResultOf, type ServerView } from '../../../src-shared/bridge.js';
import type { AuditEntry } from '../../../src-shared/api/audit.js';
import type { Client } from '../../../src-shared/api/clients.js';
import type { List, ListQuery } from '../../../src-shared/api/common.js';
import type { Customer } from '../../../src-shared/api/customers.js';
import type { Invoice } from '../../../src-shared/api/invoicing.js';
import type { Job } from '../../../src-shared/api/jobs.js';
import type { CustomerReplication, GlobalReplication, ReplicationOverviewItem, ReplicationServerInput, ReplicationTarget } from '../../../src-shared/api/replication.js';
import type { BackupReport, DeletedReport, RestoreReport } from '../../../src-shared/api/reports.js';
import type { Reseller } from '../../../src-shared/api/resellers.js';
import type { Schedule } from '../../../src-shared/api/schedules.js';
import type { ServerInfo } from '../../../src-shared/api/session.js';
import type { TrialSettings } from '../../../src-shared/api/trial.js';

const T0 = '2025-01-15T10:00:00.000Z';
const GiB = 2 ** 30;

export function makeCustomer(over: Partial<Customer> & { id: string; name: string }): Customer {
  return {
    resellerId: 'r1',
    email: '',
    mcalsAllotted: 5,
    mcalsUsed: 1,
    spaceAllotted: 10 * GiB,
    spaceUsed: 2 * GiB,
    autoAuthorization: false,
    active: true,
    clientCount: 1,
    createdAt: T0,
    replication: { mode: 'inherit' },
    invoicing: { enabled: false },
    replicaOf: null,
    ...over,
  };
}

export function makeClient(over: Partial<Client> & { id: string; name: string }): Client {
  return {
    customerId: 'c1',
    hostname: `${over.name.toLowerCase()}.local`,
    os: 'linux',
    status: 'authorized',
    trial: false,
    trialExpiresAt: null,
    mcalConsumed: true,
    spaceUsed: GiB,
    lastBackupAt: T0,
    lastBackupStatus: 'success',
    createdAt: T0,
    movedTo: null,
    ...over,
  };
}

/** An issued invoice of Contoso for October 2026: one MCAL line and one storage line, 20% tax. */
export function makeInvoice(over: Partial<Invoice> & { id: string; number: string }): Invoice {
  return {
    kind: 'invoice',
    creditFor: null,
    status: 'issued',
    customerId: 'c1',
    customerName: 'Contoso',
    periodStart: '2026-10-01',
    periodEnd: '2026-10-31',
    issuedAt: '2026-11-01T00:05:00.000Z',
    currency: 'EUR',
    seller: 'Test server',
    billTo: 'Contoso Ltd\n1 Main Street',
    notes: '',
    taxPercent: 20,
    lines: [
      { description: 'MCALs, October 2026', quantity: '2.0000', unitPrice: '5.00', amount: '10.00' },
      { description: 'Storage, October 2026 (12.5000 GB average)', quantity: '1.0000', unitPrice: '26.00', amount: '26.00' },
    ],
    subtotal: '36.00',
    tax: '7.20',
    total: '43.20',
    ...over,
  };
}

export function makeTarget(over: Partial<ReplicationTarget> = {}): ReplicationTarget {
  return {
    url: 'https://replica.test:8443',
    state: 'idle',
    lastRunAt: T0,
    lastSuccessAt: T0,
    lastError: null,
    chunksSent: 12,
    bytesSent: 3 * 2 ** 20,
    retryAt: null,
    jobId: null,
    ...over,
  };
}

export function makeJob(over: Partial<Job> & { id: string }): Job {
  return { kind: 'replication', status: 'running', progress: { done: 0, total: 0, bytes: 0 }, error: null, createdAt: T0, finishedAt: null, ...over };
}

/** Replication servers as the server answers them: never a password. */
const withoutPasswords = (servers: ReplicationServerInput[] | undefined) => servers?.map(({ url, username, fingerprint }) => ({ url, username, fingerprint }));

/** How the fake answers one channel: that channel's argument in, its result out. */
export type FakeHandler<C extends Channel> = (arg: ArgOf<C>) => ResultOf<C> | Promise<ResultOf<C>>;
type FakeHandlers = { [C in Channel]?: FakeHandler<C> };

export interface Call {
  channel: Channel;
  arg: unknown;
}

export class FakeBridge implements Bridge {
  info: ServerInfo = {
    id: '6f1c2a4e-0b7d-4c1a-9f3e-2d5b8a7c9e01',
    name: 'Test server',
    version: '1.0.0',
    deployment: 'on-premise',
    resellerManagement: true,
    mcalPool: { total: 100, allotted: 20, used: 3 },
    features: { replication: true, seedMigration: true },
  };
  servers: ServerView[] = [
    {
      id: 'srv1',
      name: 'Test server',
      url: 'https://backup.test:8443',
      username: 'admin',
      fingerprint: 'ab'.repeat(32),
      state: 'online',
      problem: null,
      info: this.info,
      role: 'admin',
      resellerId: null,
    },
  ];
  resellers: Reseller[] = [
    { id: 'r1', name: 'Northwind IT', email: '', customerCount: 2, mcalsAllotted: 10, mcalsUsed: 2, spaceAllotted: 20 * GiB, spaceUsed: 4 * GiB, createdAt: T0 },
  ];
  customers: Customer[] = [
    makeCustomer({ id: 'c1', name: 'Contoso' }),
    makeCustomer({ id: 'c2', name: 'Adatum', autoAuthorization: true, active: false, mcalsAllotted: null, spaceAllotted: null }),
  ];
  clients: Client[] = [
    makeClient({ id: 'k1', name: 'Laptop-1', customerId: 'c1' }),
    makeClient({ id: 'k2', name: 'Desk-2', customerId: 'c1', status: 'pending', mcalConsumed: false, lastBackupAt: null, lastBackupStatus: null }),
    makeClient({ id: 't1', name: 'Trial-PC', customerId: null, trial: true, mcalConsumed: false, trialExpiresAt: '2025-02-15T10:00:00.000Z' }),
  ];
  schedules: Schedule[] = [
    {
      id: 's1',
      clientId: 'k1',
      name: 'Documents',
      sources: ['/home/a/Documents'],
      frequency: { kind: 'daily', at: '02:00' },
      enabled: true,
      lastRunAt: T0,
      lastStatus: 'success',
      nextRunAt: '2025-01-16T02:00:00.000Z',
      spaceUsed: GiB,
    },
  ];
  backupReports: BackupReport[] = [
    { id: 'b1', startedAt: T0, finishedAt: '2025-01-15T10:01:00.000Z', status: 'success', filesScanned: 10, filesUploaded: 3, bytesScanned: 5000, bytesUploaded: 1200, error: null },
  ];
  restoreReports: RestoreReport[] = [];
  deletedReports: DeletedReport[] = [
    { id: 'd1', deletedAt: T0, deletedBy: 'admin', kind: 'client', clientName: 'Old-PC', scheduleName: null, bytes: 3 * GiB, reason: 'deleted by admin' },
  ];
  trialSettings: TrialSettings = { spaceBytes: 5 * GiB, trialDays: 30, deleteAfterDays: 7 };
  audit: AuditEntry[] = [];
  replication: GlobalReplication = {
    enabled: true,
    frequency: { kind: 'daily', at: '01:00' },
    bandwidthLimitKBps: null,
    servers: [{ url: 'https://replica.test:8443', username: 'admin', fingerprint: 'ef'.repeat(32) }],
  };
  /** Each customer's replication (absent: `inherit`), its replication servers' state, and the server's jobs. */
  customerReplication = new Map<string, CustomerReplication>();
  replicationTargets = new Map<string, ReplicationTarget[]>([['c1', [makeTarget()]]]);
  jobs = new Map<string, Job>();
  overview: ReplicationOverviewItem[] = [
    { customerId: 'c1', customerName: 'Contoso', resellerId: 'r1', mode: 'inherit', state: 'idle', urgency: 2, servers: 1, lastRunAt: T0, lastSuccessAt: T0, lastError: null, bytesSent: 3 * 2 ** 20 },
    {
      customerId: 'c2',
      customerName: 'Adatum',
      resellerId: 'r1',
      mode: 'custom',
      state: 'failed',
      urgency: 0,
      servers: 1,
      lastRunAt: T0,
      lastSuccessAt: null,
      lastError: 'UNAUTHENTICATED: the replication server refused the user name or password.',
      bytesSent: 0,
    },
  ];
  settings = new Map<string, unknown>();
  /** When set, reads answer from "the cache" with this asOf and writes fail with OFFLINE. */
  offlineAsOf: string | null = null;
  /** A failure to answer the next call of a channel with. */
  failNext = new Map<Channel, BridgeError>();
  calls: Call[] = [];
  #listeners = new Map<EventName, Set<(payload: never) => void>>();
  #seq = 100;

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.#listeners.get(event) ?? []) (l as (p: Events[E]) => void)(payload);
  }

  callsOf(channel: Channel): unknown[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.arg);
  }

  /** Answers `channel` with `handler` from now on, in place of the fake's own behaviour. */
  answer<C extends Channel>(channel: C, handler: FakeHandler<C>): void {
    (this.#handlers as { [K in C]?: FakeHandler<K> })[channel] = handler;
  }

  async invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>> {
    this.calls.push({ channel, arg });
    await Promise.resolve();
    const fail = this.failNext.get(channel);
    if (fail) {
      this.failNext.delete(channel);
      throw fail;
    }
    // Indexing the map by a generic channel loses the pairing of the channel and its handler's type.
    const handler = this.#handlers[channel] as FakeHandler<C> | undefined;
    if (!handler) throw new BridgeError('BAD_REQUEST', `The fake bridge does not answer ${channel}.`);
    return handler(arg);
  }

  #cached<T>(data: T): Cached<T> {
    return { data, asOf: this.offlineAsOf };
  }

  #write(): void {
    if (this.offlineAsOf) throw new BridgeError('OFFLINE', 'Test server cannot be reached.');
  }

  #list<T extends object>(items: T[], query: ListQuery | undefined): List<T> {
    let rows = items;
    const name = (r: T) => ('name' in r && typeof r.name === 'string' ? r.name : '');
    const q = query?.q?.toLowerCase();
    if (q) rows = rows.filter((r) => name(r).toLowerCase().includes(q));
    if (query?.sort === 'name') rows = [...rows].sort((a, b) => name(a).localeCompare(name(b)));
    const offset = query?.offset ?? 0;
    const limit = query?.limit ?? 100;
    return { items: rows.slice(offset, offset + limit), total: rows.length };
  }

  #customer(id: string): Customer {
    const c = this.customers.find((x) => x.id === id);
    if (!c) throw new BridgeError('NOT_FOUND', 'Customer not found.');
    return c;
  }

  #client(id: string): Client {
    const c = this.clients.find((x) => x.id === id);
    if (!c) throw new BridgeError('NOT_FOUND', 'Client not found.');
    return c;
  }

  #replaceClient(next: Client): Client {
    this.clients = this.clients.map((x) => (x.id === next.id ? next : x));
    return next;
  }

  #nameTaken(name: string, exceptId?: string): void {
    if (this.customers.some((c) => c.id !== exceptId && c.name.toLowerCase() === name.toLowerCase())) {
      throw new BridgeError('NAME_TAKEN', `name: a customer named "${name}" already exists on this server; choose another name.`, { field: 'name' });
    }
  }

  #handlers: FakeHandlers = {
    'app.info': () => ({ version: '0.1.0', keychain: 'keychain', keychainProblem: null, demo: false, host: 'browser', platform: 'linux' }),
    'settings.get': ({ key }) => this.settings.get(key) ?? null,
    'settings.set': ({ key, value }) => {
      this.settings.set(key, value);
      return null;
    },
    'servers.list': () => this.servers,
    'servers.probe': () => ({ fingerprint: 'cd'.repeat(32), pinned: null }),
    'servers.connect': ({ serverId }) => {
      const server = this.servers.find((s) => s.id === serverId);
      if (!server) throw new BridgeError('NOT_FOUND', `No server with id "${serverId}".`);
      return server;
    },
    'server.info': () => this.#cached(this.info),
    'resellers.list': ({ query }) => this.#cached(this.#list(this.resellers, query)),
    'customers.list': ({ id, query }) => this.#cached(this.#list(this.customers.filter((c) => c.resellerId === id), query)),
    'customers.get': ({ id }) => this.#cached(this.#customer(id)),
    'customers.create': ({ resellerId, input }) => {
      this.#write();
      this.#nameTaken(input.name);
      const c = makeCustomer({ ...input, id: `c${++this.#seq}`, resellerId, mcalsUsed: 0, spaceUsed: 0, clientCount: 0 });
      this.customers.push(c);
      return c;
    },
    'customers.update': ({ id, patch }) => {
      this.#write();
      if (patch.name) this.#nameTaken(patch.name, id);
      const next = { ...this.#customer(id), ...patch };
      this.customers = this.customers.map((c) => (c.id === id ? next : c));
      return next;
    },
    'customers.deletionPreview': ({ id }) => {
      this.#customer(id);
      return { clients: this.clients.filter((c) => c.customerId === id).length, schedules: 1, bytes: 3 * GiB };
    },
    'customers.delete': ({ id }) => {
      this.#write();
      this.#customer(id);
      this.customers = this.customers.filter((c) => c.id !== id);
      return null;
    },
    'clients.list': ({ id, query }) => this.#cached(this.#list(this.clients.filter((c) => c.customerId === id), query)),
    'clients.listTrial': ({ query }) => this.#cached(this.#list(this.clients.filter((c) => c.trial), query)),
    'clients.create': ({ customerId, input }) => {
      this.#write();
      const client = makeClient({ id: `k${++this.#seq}`, name: input.name, customerId, status: 'pending' });
      this.clients.push(client);
      return { client, registrationKey: 'KEY-123-XYZ' };
    },
    'clients.authorize': ({ id }) => {
      this.#write();
      return this.#replaceClient({ ...this.#client(id), status: 'authorized', mcalConsumed: true });
    },
    'clients.migrate': ({ id, input }) => {
      this.#write();
      return this.#replaceClient({ ...this.#client(id), customerId: input.customerId, trial: false });
    },
    'clients.delete': ({ id }) => {
      this.#write();
      this.clients = this.clients.filter((x) => x.id !== id);
      return null;
    },
    'schedules.list': ({ id, query }) => this.#cached(this.#list(this.schedules.filter((s) => s.clientId === id), query)),
    'schedules.delete': ({ id }) => {
      this.#write();
      this.schedules = this.schedules.filter((s) => s.id !== id);
      return null;
    },
    'reports.backup': ({ query }) => this.#cached(this.#list(this.backupReports, query)),
    'reports.restore': ({ query }) => this.#cached(this.#list(this.restoreReports, query)),
    'reports.deletedForSchedule': ({ query }) => this.#cached(this.#list(this.deletedReports, query)),
    'reports.deletedForCustomer': ({ query }) => this.#cached(this.#list(this.deletedReports, query)),
    'reports.deletedForTrialClients': ({ query }) => this.#cached(this.#list(this.deletedReports, query)),
    'trialSettings.get': () => this.#cached(this.trialSettings),
    'trialSettings.update': ({ settings }) => {
      this.#write();
      this.trialSettings = settings;
      return settings;
    },
    'auditLog.list': ({ query }) => this.#cached(this.#list(this.audit, query)),
    'replication.get': () => this.#cached(this.replication),
    'replication.update': ({ config }) => {
      this.#write();
      this.replication = { ...config, servers: withoutPasswords(config.servers) ?? [] };
      return this.replication;
    },
    'replication.overview': ({ query }) => {
      const q = query?.q?.toLowerCase();
      const rows = this.overview.filter((r) => !q || r.customerName.toLowerCase().includes(q));
      const offset = query?.offset ?? 0;
      return this.#cached({ items: rows.slice(offset, offset + (query?.limit ?? 100)), total: rows.length });
    },
    'replication.customer': ({ id }) => this.#cached(this.customerReplication.get(id) ?? { mode: this.#customer(id).replication.mode }),
    'replication.updateCustomer': ({ id, config }) => {
      this.#write();
      if (config.mode === 'custom' && (!config.servers || !config.frequency)) throw new BridgeError('BAD_REQUEST', 'servers: custom needs frequency and servers.', { field: 'servers' });
      const saved: CustomerReplication = config.mode === 'custom' ? { ...config, servers: withoutPasswords(config.servers) } : { mode: config.mode };
      this.customerReplication.set(id, saved);
      this.customers = this.customers.map((c) => (c.id === id ? { ...c, replication: { mode: config.mode } } : c));
      return saved;
    },
    'replication.status': ({ id }) => {
      const items = this.replicationTargets.get(id) ?? [];
      return this.#cached({ items, total: items.length });
    },
    'replication.run': ({ id }) => {
      this.#write();
      const mode = this.customerReplication.get(id)?.mode ?? this.#customer(id).replication.mode;
      if (mode === 'off') throw new BridgeError('CONFLICT', 'Replication is off for this customer.');
      const jobId = `rj${++this.#seq}`;
      this.jobs.set(jobId, makeJob({ id: jobId }));
      return { jobId };
    },
    'jobs.get': ({ id }) => {
      const job = this.jobs.get(id);
      if (!job) throw new BridgeError('NOT_FOUND', `No job with id "${id}".`);
      return job;
    },
    'offline.size': () => ({ bytes: 1024 }),
    'offline.clear': () => null,
    'offline.makeAvailable': () => ({ jobId: 'job1' }),
  };
}
