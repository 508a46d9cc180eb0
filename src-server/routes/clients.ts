import { CLIENT_LIST, Client, ClientCreate, ClientCreated, ClientList, ClientMigrate, ClientPatch } from '../../src-shared/api/clients.js';
import { IdParams } from '../../src-shared/api/common.js';
import { requireSession } from './guards.js';
import { openapi } from './openapi.js';
import { created, noContent, ok, type RoutePlugin } from './reply.js';

/** Clients of a customer, trial clients (which have none), and what a technician does to one. */
export const clientRoutes: RoutePlugin = (s) => async (api) => {
  api.addHook('onRequest', requireSession(s));
  const doc = openapi('clients', 'session');
  api.get(
    '/customers/:id/clients',
    { schema: doc.get({ operationId: 'listClients', description: "A customer's clients; `q` searches the name and the hostname.", params: IdParams, querystring: CLIENT_LIST.query, response: ok(ClientList) }) },
    async (req) => s.clients.list(req.principal, req.params.id, req.query),
  );
  api.post(
    '/customers/:id/clients',
    {
      schema: doc.post({
        operationId: 'createClient',
        description: '"Add New Client": a pending client and the one-time registration key its agent registers with (shown once). Client names are unique within a customer (409 NAME_TAKEN).',
        params: IdParams,
        body: ClientCreate,
        response: created(ClientCreated),
        refuses: [409],
      }),
    },
    async (req, reply) => reply.code(201).send(s.clients.create(req.principal, req.params.id, req.body)),
  );
  api.get(
    '/clients',
    {
      schema: doc.get({
        operationId: 'listAllClients',
        description: "Every client of the server across customers, trial ones included (administrator only): what a seed migration picks from; `q` searches the name and the hostname.",
        querystring: CLIENT_LIST.query,
        response: ok(ClientList),
        refuses: [403],
      }),
    },
    async (req) => s.clients.listAll(req.principal, req.query),
  );
  api.get(
    '/trial-clients',
    {
      schema: doc.get({
        operationId: 'listTrialClients',
        description: 'Clients registered as trials, which belong to no customer (administrator only); `q` searches the name and the hostname.',
        querystring: CLIENT_LIST.query,
        response: ok(ClientList),
        refuses: [403],
      }),
    },
    async (req) => s.clients.listTrial(req.principal, req.query),
  );
  api.get(
    '/clients/:id',
    { schema: doc.get({ operationId: 'getClient', description: 'One client: status, trial, MCAL, space used and its last backup.', params: IdParams, response: ok(Client) }) },
    async (req) => s.clients.get(req.principal, req.params.id),
  );
  api.patch(
    '/clients/:id',
    { schema: doc.patch({ operationId: 'updateClient', description: 'Renames a client (409 NAME_TAKEN when its customer has one of that name).', params: IdParams, body: ClientPatch, response: ok(Client), refuses: [409] }) },
    async (req) => s.clients.update(req.principal, req.params.id, req.body),
  );
  api.delete(
    '/clients/:id',
    {
      schema: doc.delete({
        operationId: 'deleteClient',
        description: 'Deletes a client with its backup data, releasing its MCAL and space; a client with a backup running is a 409.',
        params: IdParams,
        response: noContent,
        refuses: [409],
      }),
    },
    async (req, reply) => {
      s.clients.delete(req.principal, req.params.id);
      return reply.code(204).send(null);
    },
  );
  api.post(
    '/clients/:id/authorize',
    {
      schema: doc.post({
        operationId: 'authorizeClient',
        description: 'Authorizes a pending client, which then consumes one MCAL; with none available it is a 403 MCAL_EXHAUSTED and the client stays pending. A moved client is a 409.',
        params: IdParams,
        response: ok(Client),
        refuses: [403, 409],
      }),
    },
    async (req) => s.clients.authorize(req.principal, req.params.id),
  );
  api.post(
    '/clients/:id/migrate',
    {
      schema: doc.post({
        operationId: 'migrateClient',
        description: "Client Migration: a trial client to a paid customer, or a client to another customer, with its backup data. The target's MCALs and space are checked as an authorization does (403 MCAL_EXHAUSTED, QUOTA_EXCEEDED).",
        params: IdParams,
        body: ClientMigrate,
        response: ok(Client),
        refuses: [403, 409],
      }),
    },
    async (req) => s.clients.migrate(req.principal, req.params.id, req.body.customerId),
  );
};
