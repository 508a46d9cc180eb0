import { SeedMigration, SeedMigrationStarted } from '../../../src-shared/api/seed-migration.js';
import { BridgeError } from '../../../src-shared/bridge.js';
import type { seedMigrationRequests } from '../../../src-shared/bridge/seed-migration.js';
import type { ConsoleState } from '../console-state.js';
import { openPeerSession } from '../peer-session.js';
import { ClientList } from '../wire.js';
import { apiPath, type Handlers } from './handler.js';

/**
 * Seed backup migration (API.md): the source server is asked to move clients to a target server the
 * console also has. The console signs in to the target afresh with its stored credentials and hands the
 * source that session (peer-session.ts): the technician types no password, and the token goes from the
 * main process to the source only — never to the renderer, a log or the disk.
 */
export const seedMigrationHandlers = (state: ConsoleState) =>
  ({
    'seedMigration.clients': ({ serverId, query }) => state.servers.get(serverId).read('/clients', query, ClientList, { kind: 'clients' }),
    'seedMigration.start': ({ serverId, clientIds, targetServerId, targetCustomerName }) =>
      withTargetSession(state, serverId, targetServerId, (target) =>
        state.servers.get(serverId).write('POST', '/seed-migrations', { clientIds, target, ...(targetCustomerName === undefined ? {} : { targetCustomerName }) }, SeedMigrationStarted),
      ),
    'seedMigration.get': ({ serverId, id }) => state.servers.get(serverId).get(apiPath`/seed-migrations/${id}`, SeedMigration),
    'seedMigration.resume': ({ serverId, id, targetServerId }) =>
      withTargetSession(state, serverId, targetServerId, ({ token }) =>
        state.servers.get(serverId).write('POST', apiPath`/seed-migrations/${id}/resume`, { token }, SeedMigrationStarted),
      ),
  }) satisfies Handlers<typeof seedMigrationRequests>;

/**
 * Runs `send` with a fresh session on the target. When the source refused (or could not be reached), the
 * session is ended again: nobody will use it. When the source accepted it is the source's to use, and
 * after a timeout it may have: then it is left to expire rather than break a migration that started.
 */
async function withTargetSession<T>(
  state: ConsoleState,
  sourceId: string,
  targetId: string,
  send: (target: { url: string; token: string; fingerprint: string | null }) => Promise<T>,
): Promise<T> {
  const source = state.servers.get(sourceId);
  if (targetId === sourceId) throw new BridgeError('BAD_REQUEST', 'The target must be another server than the one the clients are on.', { field: 'targetServerId' });
  // An offline source would refuse at once: no session is made on the target for nothing.
  if (source.connectionState === 'offline') throw new BridgeError('OFFLINE', `Server "${source.name}" is offline — changes are disabled until it is back.`, { serverId: sourceId });
  const session = await openPeerSession(state, targetId);
  try {
    return await send(session.target);
  } catch (error) {
    if (!(error instanceof BridgeError && error.code === 'TIMEOUT')) await session.revoke().catch(() => undefined);
    throw error;
  } finally {
    session.close();
  }
}
