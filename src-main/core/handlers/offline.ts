import { randomUUID } from 'node:crypto';
import { BridgeError, type Events } from '../../../src-shared/bridge.js';
import type { offlineRequests } from '../../../src-shared/bridge/offline.js';
import { asBridgeError, type ConsoleState } from '../console-state.js';
import { prefetchCustomer } from '../offline-prefetch.js';
import type { Handlers } from './handler.js';

/** Progress events at most this often per job, plus the final one. */
const PROGRESS_INTERVAL_MS = 100;

export const offlineHandlers = (state: ConsoleState) =>
  ({
    'offline.makeAvailable': async ({ serverId, customerId }) => makeAvailable(state, serverId, customerId),
    'offline.clear': async ({ serverId }) => {
      if (serverId !== undefined) state.servers.get(serverId);
      state.cache.clear(serverId);
      return null;
    },
    'offline.size': async () => ({ bytes: state.cache.sizeBytes() }),
  }) satisfies Handlers<typeof offlineRequests>;

/** Starts prefetching a customer's subtree and answers with its job id at once; progress comes as `job.progress`. */
function makeAvailable(state: ConsoleState, serverId: string, customerId: string): { jobId: string } {
  const connection = state.servers.get(serverId);
  if (connection.connectionState === 'offline') {
    throw new BridgeError('OFFLINE', `Server "${connection.name}" is offline; its data can be made available offline once it is back.`);
  }
  const jobId = randomUUID();
  let last = 0;
  const report = (status: Events['job.progress']['status'], label: string, done: number, total: number, error: string | null) =>
    state.emit('job.progress', { jobId, label, done, total, status, error });
  // Started on the next turn, so the caller has the job id before the first progress event.
  setImmediate(() => {
    let latest = { label: 'Making a customer available offline', done: 0, total: 0 };
    prefetchCustomer(connection, customerId, (progress) => {
      latest = { ...progress };
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      report('running', progress.label, progress.done, progress.total, null);
    }).then(
      () => report('done', latest.label, latest.done, latest.total, null),
      (error: unknown) => {
        const failure = asBridgeError(error);
        state.log(`make available offline (${connection.name}, customer ${customerId}) failed: ${failure.message}`);
        report('failed', latest.label, latest.done, latest.total, failure.message);
      },
    );
  });
  return { jobId };
}
