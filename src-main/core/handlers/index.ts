/**
 * The handler registry: every bridge channel's handler, one feature file each. A new feature adds its
 * `handlers/<feature>.ts` and one line here; the return type makes a missing channel a compile error.
 */
import type { REQUESTS } from '../../../src-shared/bridge.js';
import type { ConsoleState } from '../console-state.js';
import { appHandlers } from './app.js';
import { auditHandlers } from './audit.js';
import { clientHandlers } from './clients.js';
import { customerHandlers } from './customers.js';
import type { Handlers } from './handler.js';
import { invoicingHandlers } from './invoicing.js';
import { jobHandlers } from './jobs.js';
import { offlineHandlers } from './offline.js';
import { replicationHandlers } from './replication.js';
import { reportHandlers } from './reports.js';
import { resellerHandlers } from './resellers.js';
import { retentionHandlers } from './retention.js';
import { scheduleHandlers } from './schedules.js';
import { searchHandlers } from './search.js';
import { seedMigrationHandlers } from './seed-migration.js';
import { serverHandlers } from './servers.js';
import { trialHandlers } from './trial.js';

export type BridgeHandlers = Handlers<typeof REQUESTS>;

export function bridgeHandlers(state: ConsoleState): BridgeHandlers {
  return {
    ...appHandlers(state),
    ...serverHandlers(state),
    ...resellerHandlers(state),
    ...customerHandlers(state),
    ...clientHandlers(state),
    ...scheduleHandlers(state),
    ...reportHandlers(state),
    ...trialHandlers(state),
    ...replicationHandlers(state),
    ...seedMigrationHandlers(state),
    ...invoicingHandlers(state),
    ...retentionHandlers(state),
    ...auditHandlers(state),
    ...jobHandlers(state),
    ...searchHandlers(state),
    ...offlineHandlers(state),
  };
}
