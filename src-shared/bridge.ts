/**
 * The console's bridge contract: every request the UI makes of the main process, its argument schema
 * (validated at the boundary in both hosts: Electron IPC and the browser host's HTTP bridge), its result
 * type, and the events the main process pushes. The renderer knows nothing else about where it runs.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { AuditEntry } from './api/audit.js';
import type { Client, ClientCreated } from './api/clients.js';
import { ClientCreate, ClientMigrate, ClientPatch } from './api/clients.js';
import { Id, ListQuery, Name, type List } from './api/common.js';
import type { Customer, DeletionPreview } from './api/customers.js';
import { CustomerCreate, CustomerPatch } from './api/customers.js';
import type { Job, MaintenanceSummary } from './api/jobs.js';
import type { BackupReport, DeletedReport, RestoreReport } from './api/reports.js';
import type { Reseller } from './api/resellers.js';
import { ResellerCreate, ResellerPatch } from './api/resellers.js';
import type { Schedule } from './api/schedules.js';
import { SchedulePatch } from './api/schedules.js';
import type { Role, ServerInfo } from './api/session.js';
import { ServerPatch } from './api/session.js';
import { AuditQuery } from './api/audit.js';
import { TrialSettings } from './api/trial.js';

/** Errors the console adds to the server's codes (API.md). */
export const CONSOLE_ERROR_CODES = [
  'OFFLINE', // the server cannot be reached; reads come from the cache, writes are refused
  'CERTIFICATE_CHANGED', // the server presents a certificate other than the pinned one
  'UNTRUSTED_CERTIFICATE', // first contact: the user has not accepted the fingerprint yet
  'KEYCHAIN_UNAVAILABLE', // no OS keychain; the user may choose "this session only"
  'TIMEOUT',
  'NOT_SIGNED_IN', // no stored password, or the server rejected it
] as const;

export interface BridgeErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** What every failed request rejects with, in both hosts. */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
  toJSON(): BridgeErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'signed-out' | 'certificate-changed';

/** A server as the console shows it: registry entry + live state. Never a password or token. */
export interface ServerView {
  id: string;
  name: string;
  url: string;
  username: string;
  fingerprint: string | null;
  state: ConnectionState;
  /** Why the server is not online, in words for the user. */
  problem: string | null;
  info: ServerInfo | null;
  role: Role | null;
  resellerId: string | null;
}

/** A read served live (`asOf` null) or from the offline cache (`asOf` = when it was fetched). */
export interface Cached<T> {
  data: T;
  asOf: string | null;
}

export interface ProbeResult {
  /** null for plain http (loopback) servers. */
  fingerprint: string | null;
  /** The fingerprint already pinned for this URL, when it differs: the certificate changed. */
  pinned: string | null;
}

export interface SearchHit {
  serverId: string;
  serverName: string;
  kind: 'customer' | 'client';
  id: string;
  name: string;
  resellerId: string;
  customerId: string | null;
  customerName: string | null;
}

export interface AppInfo {
  version: string;
  keychain: 'keychain' | 'memory' | 'unavailable';
  keychainProblem: string | null;
  demo: boolean;
  host: 'electron' | 'browser';
  platform: string;
}

const S = Id; // a server id
const ServerArg = Type.Object({ serverId: S }, { additionalProperties: false });
const ById = Type.Object({ serverId: S, id: Id }, { additionalProperties: false });
const ListArg = Type.Object({ serverId: S, id: Id, query: Type.Optional(ListQuery) }, { additionalProperties: false });
const Url = Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' });
const Fingerprint = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** Argument schema per request; `Requests` below gives each its result type. */
export const REQUEST_ARGS = {
  'app.info': Type.Object({}, { additionalProperties: false }),
  'app.useMemoryVault': Type.Object({}, { additionalProperties: false }),
  'settings.get': Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  'settings.set': Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }), value: Type.Unknown() }, { additionalProperties: false }),

  'servers.list': Type.Object({}, { additionalProperties: false }),
  'servers.probe': Type.Object({ url: Url }, { additionalProperties: false }),
  'servers.add': Type.Object({ name: Name, url: Url, username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1024 }), fingerprint: Type.Union([Fingerprint, Type.Null()]) }, { additionalProperties: false }),
  'servers.update': Type.Object(
    { serverId: S, name: Type.Optional(Name), url: Type.Optional(Url), username: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
    { additionalProperties: false },
  ),
  'servers.trust': Type.Object({ serverId: S, fingerprint: Fingerprint }, { additionalProperties: false }),
  'servers.remove': ServerArg,
  'servers.reorder': Type.Object({ ids: Type.Array(S, { maxItems: 1000 }) }, { additionalProperties: false }),
  'servers.connect': ServerArg,

  'server.info': ServerArg,
  'server.update': Type.Object({ serverId: S, patch: ServerPatch }, { additionalProperties: false }),

  'resellers.list': Type.Object({ serverId: S, query: Type.Optional(ListQuery) }, { additionalProperties: false }),
  'resellers.create': Type.Object({ serverId: S, input: ResellerCreate }, { additionalProperties: false }),
  'resellers.update': Type.Object({ serverId: S, id: Id, patch: ResellerPatch }, { additionalProperties: false }),
  'resellers.delete': ById,

  'customers.list': ListArg,
  'customers.get': ById,
  'customers.create': Type.Object({ serverId: S, resellerId: Id, input: CustomerCreate }, { additionalProperties: false }),
  'customers.update': Type.Object({ serverId: S, id: Id, patch: CustomerPatch }, { additionalProperties: false }),
  'customers.deletionPreview': ById,
  'customers.delete': ById,

  'clients.list': ListArg,
  'clients.listTrial': Type.Object({ serverId: S, query: Type.Optional(ListQuery) }, { additionalProperties: false }),
  'clients.create': Type.Object({ serverId: S, customerId: Id, input: ClientCreate }, { additionalProperties: false }),
  'clients.update': Type.Object({ serverId: S, id: Id, patch: ClientPatch }, { additionalProperties: false }),
  'clients.authorize': ById,
  'clients.migrate': Type.Object({ serverId: S, id: Id, input: ClientMigrate }, { additionalProperties: false }),
  'clients.delete': ById,

  'schedules.list': ListArg,
  'schedules.update': Type.Object({ serverId: S, id: Id, patch: SchedulePatch }, { additionalProperties: false }),
  'schedules.delete': ById,

  'reports.backup': ListArg,
  'reports.restore': ListArg,
  'reports.deletedForSchedule': ListArg,
  'reports.deletedForCustomer': ListArg,
  'reports.deletedForTrialClients': Type.Object({ serverId: S, query: Type.Optional(ListQuery) }, { additionalProperties: false }),

  'trialSettings.get': ServerArg,
  'trialSettings.update': Type.Object({ serverId: S, settings: TrialSettings }, { additionalProperties: false }),
  'auditLog.list': Type.Object({ serverId: S, query: Type.Optional(AuditQuery) }, { additionalProperties: false }),
  'jobs.get': ById,
  'maintenance.run': ServerArg,

  'search.all': Type.Object({ q: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  'offline.makeAvailable': Type.Object({ serverId: S, customerId: Id }, { additionalProperties: false }),
  'offline.clear': Type.Object({ serverId: Type.Optional(S) }, { additionalProperties: false }),
  'offline.size': Type.Object({}, { additionalProperties: false }),
} satisfies Record<string, TSchema>;

type Args = typeof REQUEST_ARGS;

/** The result type of each request. */
export interface Results {
  'app.info': AppInfo;
  'app.useMemoryVault': AppInfo;
  'settings.get': unknown;
  'settings.set': null;
  'servers.list': ServerView[];
  'servers.probe': ProbeResult;
  'servers.add': ServerView;
  'servers.update': ServerView;
  'servers.trust': ServerView;
  'servers.remove': null;
  'servers.reorder': ServerView[];
  'servers.connect': ServerView;
  'server.info': Cached<ServerInfo>;
  'server.update': ServerInfo;
  'resellers.list': Cached<List<Reseller>>;
  'resellers.create': Reseller;
  'resellers.update': Reseller;
  'resellers.delete': null;
  'customers.list': Cached<List<Customer>>;
  'customers.get': Cached<Customer>;
  'customers.create': Customer;
  'customers.update': Customer;
  'customers.deletionPreview': DeletionPreview;
  'customers.delete': null;
  'clients.list': Cached<List<Client>>;
  'clients.listTrial': Cached<List<Client>>;
  'clients.create': ClientCreated;
  'clients.update': Client;
  'clients.authorize': Client;
  'clients.migrate': Client;
  'clients.delete': null;
  'schedules.list': Cached<List<Schedule>>;
  'schedules.update': Schedule;
  'schedules.delete': null;
  'reports.backup': Cached<List<BackupReport>>;
  'reports.restore': Cached<List<RestoreReport>>;
  'reports.deletedForSchedule': Cached<List<DeletedReport>>;
  'reports.deletedForCustomer': Cached<List<DeletedReport>>;
  'reports.deletedForTrialClients': Cached<List<DeletedReport>>;
  'trialSettings.get': Cached<TrialSettings>;
  'trialSettings.update': TrialSettings;
  'auditLog.list': Cached<List<AuditEntry>>;
  'jobs.get': Job;
  'maintenance.run': MaintenanceSummary;
  'search.all': SearchHit[];
  'offline.makeAvailable': { jobId: string };
  'offline.clear': null;
  'offline.size': { bytes: number };
}

export type Channel = keyof Args & keyof Results;
export type ArgOf<C extends Channel> = Static<Args[C]>;
export type ResultOf<C extends Channel> = Results[C];
export const CHANNELS = Object.keys(REQUEST_ARGS) as Channel[];

/** Events the main process pushes to the UI. */
export interface Events {
  /** A server's connection state changed (or its info arrived). */
  'server.state': ServerView;
  /** The server list changed (added, removed, reordered, renamed). */
  'servers.changed': ServerView[];
  /** Progress of long work started from the console (make available offline). */
  'job.progress': { jobId: string; label: string; done: number; total: number; status: 'running' | 'done' | 'failed'; error: string | null };
  /** A menu item the UI handles (File → Add Server…, Server → Refresh, …). */
  'menu.action': { action: MenuAction };
}
export type EventName = keyof Events;

export const MENU_ACTIONS = ['add-server', 'remove-server', 'refresh', 'make-available-offline', 'clear-offline-cache', 'open-api-docs', 'about'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

/** What the renderer is given: one typed call and one typed subscription, in Electron and the browser alike. */
export interface Bridge {
  invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** The agent command the "Add New Clients" page shows, so a technician can copy it as is. */
export function agentRegisterCommand(server: { url: string; fingerprint: string | null }, registrationKey: string, clientName: string): string {
  const quote = (s: string) => (/^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  const trust = server.fingerprint ? `--fingerprint ${server.fingerprint}` : '';
  return ['npm run agent -- register', `--server ${quote(server.url)}`, `--key ${quote(registrationKey)}`, `--name ${quote(clientName)}`, trust, '--state-dir ./backup-agent-state']
    .filter(Boolean)
    .join(' ');
}
