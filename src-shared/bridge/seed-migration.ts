/**
 * Seed Backup Migration: chosen clients of one server, with their backups, moved to another server the
 * console has. The renderer names the target by its console server id only: the main process signs in
 * to it with the stored credentials and hands the source the session token, which never reaches the UI.
 */
import { Type } from 'typebox';
import { ClientList } from '../api/clients.js';
import { Id, Name } from '../api/common.js';
import { MAX_SEED_CLIENTS, SeedMigration, SeedMigrationStarted } from '../api/seed-migration.js';
import { Arg, ById, CachedOf, ServerListArg, type RequestSpecs } from './request.js';

export const seedMigrationRequests = {
  /** Every client of the server, across customers (trial ones included): what can be picked to move. */
  'seedMigration.clients': { arg: ServerListArg, result: CachedOf(ClientList) },
  /** `targetServerId`: another server of the console; `targetCustomerName` left out: each client's customer's name. */
  'seedMigration.start': {
    arg: Arg({
      serverId: Id,
      clientIds: Type.Array(Id, { minItems: 1, maxItems: MAX_SEED_CLIENTS, uniqueItems: true }),
      targetServerId: Id,
      targetCustomerName: Type.Optional(Name),
    }),
    result: SeedMigrationStarted,
  },
  /** Always live: its progress is what is being watched. */
  'seedMigration.get': { arg: ById, result: SeedMigration },
  /** Continues an interrupted migration with a fresh session on the target (the last one may have expired). */
  'seedMigration.resume': { arg: Arg({ serverId: Id, id: Id, targetServerId: Id }), result: SeedMigrationStarted },
} satisfies RequestSpecs;
