import { agentRoutes } from './agent.js';
import { auditRoutes } from './audit.js';
import { clientRoutes } from './clients.js';
import { customerRoutes } from './customers.js';
import { invoiceConfigRoutes } from './invoice-config.js';
import { invoicePlanRoutes } from './invoice-plans.js';
import { invoiceRoutes } from './invoices.js';
import { jobRoutes } from './jobs.js';
import { peerRoutes } from './peer.js';
import { replicationRoutes } from './replication.js';
import type { RoutePlugin } from './reply.js';
import { reportRoutes } from './reports.js';
import { retentionRoutes } from './retention.js';
import { resellerRoutes } from './resellers.js';
import { scheduleRoutes } from './schedules.js';
import { seedMigrationRoutes } from './seed-migrations.js';
import { peerSeedRoutes } from './peer-seeds.js';
import { serverRoutes } from './server.js';
import { sessionRoutes } from './session.js';
import { trialRoutes } from './trial.js';

/** Every route plugin under /api/v1, in the order the OpenAPI document lists them. A new resource adds one line. */
export const ROUTES: readonly { plugin: RoutePlugin; prefix?: string }[] = [
  { plugin: sessionRoutes },
  { plugin: serverRoutes },
  { plugin: resellerRoutes },
  { plugin: customerRoutes },
  { plugin: clientRoutes },
  { plugin: scheduleRoutes },
  { plugin: reportRoutes },
  { plugin: retentionRoutes },
  { plugin: trialRoutes },
  { plugin: replicationRoutes },
  { plugin: seedMigrationRoutes },
  { plugin: invoicePlanRoutes },
  { plugin: invoiceConfigRoutes },
  { plugin: invoiceRoutes },
  { plugin: auditRoutes },
  { plugin: jobRoutes },
  { plugin: agentRoutes, prefix: '/agent' },
  { plugin: peerRoutes, prefix: '/peer' },
  { plugin: peerSeedRoutes, prefix: '/peer' },
];
