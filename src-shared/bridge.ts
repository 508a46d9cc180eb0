/**
 * The console's bridge contract: every request the UI makes of the main process and the events the main
 * process pushes. The renderer knows nothing else about where it runs.
 *
 * Requests are declared per feature in `bridge/<feature>.ts`, one entry per channel with its argument
 * schema (validated at the boundary in both hosts: Electron IPC and the browser host's HTTP bridge) and
 * its result schema. This file is the one registry that combines them: a new feature adds its file and
 * one line to FEATURES.
 */
import type { Static } from 'typebox';
import { appRequests } from './bridge/app.js';
import { auditRequests } from './bridge/audit.js';
import { clientRequests } from './bridge/clients.js';
import { customerRequests } from './bridge/customers.js';
import type { EventName, Events } from './bridge/events.js';
import { invoicingRequests } from './bridge/invoicing.js';
import { jobRequests } from './bridge/jobs.js';
import { offlineRequests } from './bridge/offline.js';
import { replicationRequests } from './bridge/replication.js';
import { reportRequests } from './bridge/reports.js';
import { resellerRequests } from './bridge/resellers.js';
import { retentionRequests } from './bridge/retention.js';
import { scheduleRequests } from './bridge/schedules.js';
import { searchRequests } from './bridge/search.js';
import { seedMigrationRequests } from './bridge/seed-migration.js';
import { serverRequests } from './bridge/servers.js';
import { trialRequests } from './bridge/trial.js';

export { AppInfo } from './bridge/app.js';
export { agentRegisterCommand } from './bridge/clients.js';
export { BridgeError, CONSOLE_ERROR_CODES, type BridgeErrorBody } from './bridge/errors.js';
export { MENU_ACTIONS, type EventName, type Events, type MenuAction } from './bridge/events.js';
export type { ArgOfSpec, Cached, RequestSpec, RequestSpecs, ResultOfSpec } from './bridge/request.js';
export { SearchHit } from './bridge/search.js';
export { ConnectionState, ProbeResult, ServerView } from './bridge/servers.js';

/** Every feature's channels. Each channel belongs to exactly one feature (a test checks that none repeats). */
export const FEATURES = [
  appRequests,
  serverRequests,
  resellerRequests,
  customerRequests,
  clientRequests,
  scheduleRequests,
  reportRequests,
  trialRequests,
  replicationRequests,
  seedMigrationRequests,
  invoicingRequests,
  retentionRequests,
  auditRequests,
  jobRequests,
  searchRequests,
  offlineRequests,
] as const;

type Merged<T extends readonly object[]> = T extends readonly [infer First, ...infer Rest extends readonly object[]] ? First & Merged<Rest> : unknown;
type Requests = { [C in keyof Merged<typeof FEATURES>]: Merged<typeof FEATURES>[C] };

/** Every channel: `{ arg, result }` schemas by name. */
export const REQUESTS = Object.assign({}, ...FEATURES) as Requests;

export type Channel = keyof Requests & string;
export type ArgOf<C extends Channel> = Static<Requests[C]['arg']>;
export type ResultOf<C extends Channel> = Static<Requests[C]['result']>;
export const CHANNELS = Object.keys(REQUESTS) as Channel[];

/** What the renderer is given: one typed call and one typed subscription, in Electron and the browser alike. */
export interface Bridge {
  invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
