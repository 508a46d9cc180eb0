import type { RawServerBase } from 'fastify';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditEntry, AuditQuery } from '../../src-shared/api/audit.js';
import { Client, ClientCreate, ClientCreated, ClientMigrate, ClientPatch } from '../../src-shared/api/clients.js';
import { ErrorBody, Id, IdParams, ListOf, ListQuery } from '../../src-shared/api/common.js';
import { Customer, CustomerCreate, CustomerPatch, DeletionPreview } from '../../src-shared/api/customers.js';
import { Job, MaintenanceSummary } from '../../src-shared/api/jobs.js';
import { BackupReport, DeletedReport, RestoreReport } from '../../src-shared/api/reports.js';
import { Reseller, ResellerCreate, ResellerPatch } from '../../src-shared/api/resellers.js';
import { Schedule, SchedulePatch } from '../../src-shared/api/schedules.js';
import { Login, ServerInfo, ServerPatch, Session } from '../../src-shared/api/session.js';
import { TrialSettings } from '../../src-shared/api/trial.js';
import { bearerToken } from '../app.js';
import { assertAdmin } from '../resellers.js';
import { ApiError } from '../errors.js';
import type { Services } from '../services.js';

type Plugin = FastifyPluginAsyncTypebox<Record<never, never>, RawServerBase>;

const errors = { '4xx': ErrorBody };
const ok = <T>(schema: T) => ({ 200: schema, ...errors });
const noContent = { 204: Type.Null(), ...errors };
const ResellerParams = Type.Object({ rid: Id }, { additionalProperties: false });

/** Every management route of API.md. All but `POST /session` need an admin or reseller session token. */
export const managementRoutes =
  (s: Services): Plugin =>
  async (api) => {
    api.post('/session', { schema: { tags: ['session'], security: [], body: Login, response: ok(Session) } }, async (req) =>
      s.auth.login(req.body.username, req.body.password),
    );

    await api.register(async (authed) => {
      authed.addHook('onRequest', async (req) => {
        const token = bearerToken(req);
        const principal = token ? s.auth.authenticate(token) : null;
        if (!principal) throw new ApiError('UNAUTHENTICATED', 'Sign in first: this route needs a valid session token (Authorization: Bearer <token>).');
        req.principal = principal;
      });
      const r = authed.withTypeProvider<TypeBoxTypeProvider>();

      r.delete('/session', { schema: { tags: ['session'], response: noContent } }, async (req, reply) => {
        s.auth.logout(bearerToken(req)!);
        return reply.code(204).send(null);
      });

      // Server
      r.get('/server', { schema: { tags: ['server'], response: ok(ServerInfo) } }, async () => s.serverInfo());
      r.patch('/server', { schema: { tags: ['server'], body: ServerPatch, response: ok(ServerInfo) } }, async (req) => s.updateServer(req.principal, req.body));

      // Resellers
      r.get('/resellers', { schema: { tags: ['resellers'], querystring: ListQuery, response: ok(ListOf(Reseller)) } }, async (req) =>
        s.resellers.list(req.principal, req.query),
      );
      r.post('/resellers', { schema: { tags: ['resellers'], body: ResellerCreate, response: { 201: Reseller, ...errors } } }, async (req, reply) =>
        reply.code(201).send(await s.resellers.create(req.principal, req.body)),
      );
      r.get('/resellers/:id', { schema: { tags: ['resellers'], params: IdParams, response: ok(Reseller) } }, async (req) => s.resellers.get(req.principal, req.params.id));
      r.patch('/resellers/:id', { schema: { tags: ['resellers'], params: IdParams, body: ResellerPatch, response: ok(Reseller) } }, async (req) =>
        s.resellers.update(req.principal, req.params.id, req.body),
      );
      r.delete('/resellers/:id', { schema: { tags: ['resellers'], params: IdParams, response: noContent } }, async (req, reply) => {
        s.resellers.delete(req.principal, req.params.id);
        return reply.code(204).send(null);
      });

      // Customers
      r.get('/resellers/:rid/customers', { schema: { tags: ['customers'], params: ResellerParams, querystring: ListQuery, response: ok(ListOf(Customer)) } }, async (req) =>
        s.customers.list(req.principal, req.params.rid, req.query),
      );
      r.post('/resellers/:rid/customers', { schema: { tags: ['customers'], params: ResellerParams, body: CustomerCreate, response: { 201: Customer, ...errors } } }, async (req, reply) =>
        reply.code(201).send(s.customers.create(req.principal, req.params.rid, req.body)),
      );
      r.get('/customers/:id', { schema: { tags: ['customers'], params: IdParams, response: ok(Customer) } }, async (req) => s.customers.get(req.principal, req.params.id));
      r.patch('/customers/:id', { schema: { tags: ['customers'], params: IdParams, body: CustomerPatch, response: ok(Customer) } }, async (req) =>
        s.customers.update(req.principal, req.params.id, req.body),
      );
      r.get('/customers/:id/deletion-preview', { schema: { tags: ['customers'], params: IdParams, response: ok(DeletionPreview) } }, async (req) =>
        s.customers.deletionPreview(req.principal, req.params.id),
      );
      r.delete('/customers/:id', { schema: { tags: ['customers'], params: IdParams, response: noContent } }, async (req, reply) => {
        s.customers.delete(req.principal, req.params.id);
        return reply.code(204).send(null);
      });
      r.get('/customers/:id/reports/deleted', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(ListOf(DeletedReport)) } }, async (req) =>
        s.schedules.deletedForCustomer(req.principal, req.params.id, req.query),
      );

      // Clients
      r.get('/customers/:id/clients', { schema: { tags: ['clients'], params: IdParams, querystring: ListQuery, response: ok(ListOf(Client)) } }, async (req) =>
        s.clients.list(req.principal, req.params.id, req.query),
      );
      r.post('/customers/:id/clients', { schema: { tags: ['clients'], params: IdParams, body: ClientCreate, response: { 201: ClientCreated, ...errors } } }, async (req, reply) =>
        reply.code(201).send(s.clients.create(req.principal, req.params.id, req.body)),
      );
      r.get('/trial-clients', { schema: { tags: ['clients'], querystring: ListQuery, response: ok(ListOf(Client)) } }, async (req) => s.clients.listTrial(req.principal, req.query));
      r.get('/trial-clients/reports/deleted', { schema: { tags: ['reports'], querystring: ListQuery, response: ok(ListOf(DeletedReport)) } }, async (req) =>
        s.schedules.deletedForTrialClients(req.principal, req.query),
      );
      r.get('/clients/:id', { schema: { tags: ['clients'], params: IdParams, response: ok(Client) } }, async (req) => s.clients.get(req.principal, req.params.id));
      r.patch('/clients/:id', { schema: { tags: ['clients'], params: IdParams, body: ClientPatch, response: ok(Client) } }, async (req) =>
        s.clients.update(req.principal, req.params.id, req.body),
      );
      r.delete('/clients/:id', { schema: { tags: ['clients'], params: IdParams, response: noContent } }, async (req, reply) => {
        s.clients.delete(req.principal, req.params.id);
        return reply.code(204).send(null);
      });
      r.post('/clients/:id/authorize', { schema: { tags: ['clients'], params: IdParams, response: ok(Client) } }, async (req) => s.clients.authorize(req.principal, req.params.id));
      r.post('/clients/:id/migrate', { schema: { tags: ['clients'], params: IdParams, body: ClientMigrate, response: ok(Client) } }, async (req) =>
        s.clients.migrate(req.principal, req.params.id, req.body.customerId),
      );

      // Schedules and reports
      r.get('/clients/:id/schedules', { schema: { tags: ['schedules'], params: IdParams, querystring: ListQuery, response: ok(ListOf(Schedule)) } }, async (req) =>
        s.schedules.list(req.principal, req.params.id, req.query),
      );
      r.patch('/schedules/:id', { schema: { tags: ['schedules'], params: IdParams, body: SchedulePatch, response: ok(Schedule) } }, async (req) =>
        s.schedules.update(req.principal, req.params.id, req.body),
      );
      r.delete('/schedules/:id', { schema: { tags: ['schedules'], params: IdParams, response: noContent } }, async (req, reply) => {
        s.schedules.delete(req.principal, req.params.id);
        return reply.code(204).send(null);
      });
      r.get('/schedules/:id/reports/backup', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(ListOf(BackupReport)) } }, async (req) =>
        s.schedules.backupReports(req.principal, req.params.id, req.query),
      );
      r.get('/schedules/:id/reports/restore', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(ListOf(RestoreReport)) } }, async (req) =>
        s.schedules.restoreReports(req.principal, req.params.id, req.query),
      );
      r.get('/schedules/:id/reports/deleted', { schema: { tags: ['reports'], params: IdParams, querystring: ListQuery, response: ok(ListOf(DeletedReport)) } }, async (req) =>
        s.schedules.deletedForSchedule(req.principal, req.params.id, req.query),
      );

      // Trial settings, audit log, jobs, maintenance
      r.get('/trial-settings', { schema: { tags: ['trial'], response: ok(TrialSettings) } }, async (req) => s.trialSettings(req.principal));
      r.put('/trial-settings', { schema: { tags: ['trial'], body: TrialSettings, response: ok(TrialSettings) } }, async (req) =>
        s.updateTrialSettings(req.principal, req.body),
      );
      r.get('/audit-log', { schema: { tags: ['audit'], querystring: AuditQuery, response: ok(ListOf(AuditEntry)) } }, async (req) => s.audit.list(req.principal, req.query));
      r.get('/jobs/:id', { schema: { tags: ['jobs'], params: IdParams, response: ok(Job) } }, async (req) => s.jobs.get(req.principal, req.params.id));
      r.post('/maintenance/run', { schema: { tags: ['maintenance'], response: ok(MaintenanceSummary) } }, async (req) => {
        assertAdmin(req.principal);
        return s.maintenance.run();
      });
    });
  };
