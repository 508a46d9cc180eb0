import initial from './001-initial.js';
import dataPlane from './002-data-plane.js';
import scheduleChunks from './003-schedule-chunks.js';
import manifestDeltas from './004-manifest-deltas.js';
import replication from './005-replication.js';
import seedMigration from './006-seed-migration.js';
import invoicing from './007-invoicing.js';
import retention from './008-retention.js';

/**
 * Versioned schema, one module per version. Each runs once, in this order, inside a transaction; PRAGMA
 * user_version records how many have run. Never edit a released migration: add a module and one line here.
 */
export const MIGRATIONS: readonly string[] = [initial, dataPlane, scheduleChunks, manifestDeltas, replication, seedMigration, invoicing, retention];
