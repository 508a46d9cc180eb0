/**
 * The served OpenAPI document says exactly what the server does (API.md, Conventions): every operation
 * has an operationId, a tag and a description and declares every status it can answer; "exactly one of"
 * bodies are `oneOf`; `sort` is an enum of the list's fields; integers stop at 2^53−1. And the server
 * behaves as the document says where it used to differ. The real app in this process, through inject.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src-shared/api/common.js';
import { LIST_SPECS } from '../../src-shared/api/lists.js';
import { buildApp } from '../../src-server/app.js';
import { bootstrap } from '../../src-server/bootstrap.js';
import { openDatabase, type Db } from '../../src-server/db/database.js';
import { DEFAULT_RESELLER_ID } from '../../src-server/resellers.js';
import { Services } from '../../src-server/services.js';
import { SORTED_LISTS } from '../support/list-routes.js';

const ADMIN_PASSWORD = 'openapi-admin-pw';
const MAX_INTEGER = 2 ** 53 - 1;

interface Schema {
  type?: string;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  description?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}
interface Document {
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
}


let dir: string;
let db: Db;
let app: Awaited<ReturnType<typeof buildApp>>;
let doc: Document;
let admin: string;
/** Real objects, so every sorted list answers 200 for a valid sort. */
const ids: Record<'rid' | 'customer' | 'client' | 'schedule', string> = { rid: DEFAULT_RESELLER_ID, customer: '', client: '', schedule: '' };
let agent: string;

const operations = () => Object.entries(doc.paths).flatMap(([route, item]) => Object.entries(item).map(([method, op]) => ({ route, method, op })));

async function call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, token: string | null, payload?: unknown) {
  const res = await app.inject({ method, url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as T };
}

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'server-openapi-'));
  db = openDatabase(path.join(dir, 'server.sqlite'));
  const services = new Services(db, dir);
  await bootstrap(services, { cloud: false, adminPassword: ADMIN_PASSWORD, mcals: 10 });
  app = await buildApp(services);
  doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<Document>();
  admin = (await call<{ token: string }>('POST', '/session', null, { username: 'admin', password: ADMIN_PASSWORD })).body.token;

  ids.customer = (await call<{ id: string }>('POST', `/resellers/${DEFAULT_RESELLER_ID}/customers`, admin, { name: 'OpenAPI Customer' })).body.id;
  const added = await call<{ client: { id: string }; registrationKey: string }>('POST', `/customers/${ids.customer}/clients`, admin, { name: 'openapi-agent' });
  ids.client = added.body.client.id;
  const registered = await call<{ token: string }>('POST', '/agent/register', null, { key: added.body.registrationKey, name: 'openapi-agent', hostname: 'h', os: 'linux' });
  expect(registered.status).toBe(201);
  agent = registered.body.token;
  ids.schedule = (await call<{ id: string }>('PUT', '/agent/schedules', agent, { name: 'Documents', sources: ['/data'], frequency: { kind: 'manual' } })).body.id;
});

afterAll(async () => {
  await app.close();
  db.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

describe('every operation of the document', () => {
  it('has a unique camelCase operationId, one declared tag and a description', () => {
    const declaredTags = new Map(doc.tags.map((t) => [t.name, t.description]));
    const seen = new Set<string>();
    for (const { route, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${route}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(seen.has(op.operationId!), `${where}: ${op.operationId} twice`).toBe(false);
      seen.add(op.operationId!);
      expect(op.tags, where).toHaveLength(1);
      expect(declaredTags.get(op.tags![0]!), `${where}: tag ${op.tags![0]} declared with a description`).toBeTruthy();
      expect(op.description?.length ?? 0, where).toBeGreaterThan(20);
    }
    expect(seen.size).toBe(72 + 9 + 7 + 6); // + invoice plans (6), invoice configuration and usage (3), invoices (7), retention (6)
  });

  it('declares the refusals its shape implies, each with the error body', () => {
    for (const { route, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${route}`;
      const statuses = Object.keys(op.responses);
      const input = (op.parameters ?? []).length > 0 || method !== 'get';
      const expected = [
        ...(input ? ['400'] : []),
        ...((op.parameters ?? []).some((p) => p.in === 'path') ? ['404'] : []),
        ...(method === 'get' ? [] : ['413', '415']),
        ...(op.security?.length === 0 ? [] : ['401']),
        ...(route.startsWith('/api/v1/agent/') && op.security?.length !== 0 ? ['410'] : []),
      ];
      expect(statuses, where).toEqual(expect.arrayContaining(expected));
      expect(statuses.some((s) => /^2\d\d$/.test(s)), where).toBe(true);
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        expect(status, `${where}: one status per refusal, no ranges`).toMatch(/^4\d\d$/);
        const schema = op.responses[status]!.content?.['application/json']?.schema;
        expect(schema?.required, `${where} ${status}`).toEqual(['error']);
        expect(schema?.properties?.['error']?.required, `${where} ${status}`).toEqual(['code', 'message']);
      }
    }
  });

  it('declares the chunk download as bytes, and its 404', () => {
    const op = doc.paths['/api/v1/agent/chunks/{hash}']!['get']!;
    expect(op.responses['200']!.content).toEqual({ 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } });
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '404', '410']));
    expect(Object.keys(doc.paths['/api/v1/agent/backups/{id}/packs']!['put']!.requestBody!.content)).toEqual(['application/octet-stream']);
  });

  it('declares a maximum on every integer: 2^53−1 unless the field says less', () => {
    const problems: string[] = [];
    const walk = (schema: Schema | undefined, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      if (schema.type === 'integer') {
        if (schema.maximum === undefined || schema.maximum > MAX_INTEGER) problems.push(`${where}: maximum ${schema.maximum}`);
        if (schema.minimum === undefined || schema.minimum < -MAX_INTEGER) problems.push(`${where}: minimum ${schema.minimum}`);
      }
      for (const [key, child] of Object.entries(schema.properties ?? {})) walk(child, `${where}.${key}`);
      for (const child of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) walk(child, where);
      walk(schema.items, `${where}[]`);
      if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${where}.*`);
    };
    for (const { route, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${route}`;
      for (const p of op.parameters ?? []) walk(p.schema, `${where} ${p.name}`);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) walk(media.schema, `${where} body ${type}`);
      for (const [status, response] of Object.entries(op.responses)) walk(response.content?.['application/json']?.schema, `${where} ${status}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('"exactly one of" bodies are oneOf', () => {
  const bodyOf = (route: string) => doc.paths[route]!['post']!.requestBody!.content['application/json']!.schema;
  /** Which of these fields each alternative requires, and that it admits no other of them. */
  const exclusive = (schema: Schema, fields: string[]) =>
    schema.oneOf!.map((alternative) => {
      expect(alternative.additionalProperties).toBe(false);
      return fields.filter((f) => alternative.required!.includes(f) && Object.keys(alternative.properties!).filter((p) => fields.includes(p)).length === 1);
    });

  it('registration: key, customer or trial', () => {
    expect(exclusive(bodyOf('/api/v1/agent/register'), ['key', 'customer', 'trial'])).toEqual([['key'], ['customer'], ['trial']]);
  });

  it('commit: manifest or delta', () => {
    expect(exclusive(bodyOf('/api/v1/agent/backups/{id}/commit'), ['manifest', 'delta'])).toEqual([['manifest'], ['delta']]);
  });

  it('takes each alternative, and refuses none or two of them in validation (400 naming a field)', async () => {
    const machine = { hostname: 'h', os: 'linux' };
    const added = await call<{ registrationKey: string }>('POST', `/customers/${ids.customer}/clients`, admin, { name: 'by-key' });
    expect((await call('POST', '/agent/register', null, { ...machine, name: 'by-key', key: added.body.registrationKey })).status).toBe(201);
    expect((await call('POST', '/agent/register', null, { ...machine, name: 'by-name', customer: 'OpenAPI Customer' })).status).toBe(201);
    expect((await call('POST', '/agent/register', null, { ...machine, name: 'a-trial', trial: true })).status).toBe(201);
    for (const body of [{ name: 'none' }, { name: 'two', customer: 'OpenAPI Customer', trial: true }]) {
      const refused = await call<ErrorBody>('POST', '/agent/register', null, { ...machine, ...body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('BAD_REQUEST');
      expect(typeof refused.body.error.details?.['field']).toBe('string');
    }
  });

  it('commits a whole manifest, then a delta against it, and refuses both or neither', async () => {
    const stats = { filesScanned: 0, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 };
    const first = (await call<{ backupId: string }>('POST', '/agent/backups', agent, { scheduleId: ids.schedule })).body.backupId;
    for (const body of [{ status: 'success', stats }, { status: 'success', stats, manifest: [], delta: { base: first, changed: [], removed: [] } }]) {
      expect((await call('POST', `/agent/backups/${first}/commit`, agent, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('POST', `/agent/backups/${first}/commit`, agent, { status: 'success', stats, manifest: [] })).status).toBe(200);
    const second = (await call<{ backupId: string }>('POST', '/agent/backups', agent, { scheduleId: ids.schedule })).body.backupId;
    expect((await call('POST', `/agent/backups/${second}/commit`, agent, { status: 'success', stats, delta: { base: first, changed: [], removed: [] } })).status).toBe(200);
  });
});

describe('sort', () => {
  const sortOf = (route: string) => doc.paths[route]!['get']!.parameters!.find((p) => p.name === 'sort')?.schema;
  const urlOf = (route: string) => route.replace('/api/v1', '').replace('{rid}', ids.rid).replace('{id}', route.includes('/customers/') ? ids.customer : route.includes('/clients/') ? ids.client : ids.schedule);

  it('is an enum of exactly the spec\'s sortable fields, ascending and descending, on every sorted list', () => {
    const sorted = operations().filter(({ method, op }) => method === 'get' && op.parameters?.some((p) => p.name === 'sort'));
    expect(sorted.map(({ route }) => route).sort()).toEqual(Object.keys(SORTED_LISTS).sort());
    for (const [route, kind] of Object.entries(SORTED_LISTS)) {
      const fields = Object.keys(LIST_SPECS[kind].sortable);
      expect(sortOf(route)?.enum, route).toEqual(fields.flatMap((f) => [f, `-${f}`]));
    }
  });

  it('answers every listed value with 200', async () => {
    for (const route of Object.keys(SORTED_LISTS)) {
      for (const value of sortOf(route)!.enum as string[]) {
        const res = await call('GET', `${urlOf(route)}?sort=${value}`, admin);
        expect(res.status, `${route}?sort=${value}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    }
  });

  it('sorts customers by every scalar field, id included (API.md), in that field\'s order', async () => {
    const item = (LIST_SPECS.customers.item as { properties: Record<string, { type?: unknown; anyOf?: { type?: unknown }[] }> }).properties;
    // An object or array, or an object that may be null (`replicaOf`), is not scalar.
    const composite = (s: { type?: unknown }) => s.type === 'object' || s.type === 'array';
    const scalars = Object.entries(item).filter(([, s]) => !composite(s) && !s.anyOf?.some(composite)).map(([name]) => name);
    expect(Object.keys(LIST_SPECS.customers.sortable).sort()).toEqual([...scalars].sort());
    for (const name of ['Sort by id A', 'Sort by id B', 'Sort by id C']) await call('POST', `/resellers/${ids.rid}/customers`, admin, { name });
    for (const sort of ['id', '-id']) {
      const res = await call<{ items: { id: string }[] }>('GET', `/resellers/${ids.rid}/customers?sort=${sort}`, admin);
      const got = res.body.items.map((c) => c.id);
      const expected = [...got].sort();
      expect(got).toEqual(sort === 'id' ? expected : expected.reverse());
    }
  });

  it('refuses the names of Object properties with a 400 naming sort', async () => {
    for (const route of Object.keys(SORTED_LISTS)) {
      for (const value of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '-constructor']) {
        const res = await call<ErrorBody>('GET', `${urlOf(route)}?sort=${value}`, admin);
        expect({ status: res.status, code: res.body.error.code, field: res.body.error.details?.['field'] }, `${route}?sort=${value}`).toEqual({ status: 400, code: 'BAD_REQUEST', field: 'sort' });
      }
    }
  });
});

describe('integers past 2^53−1 in agent stats', () => {
  type Report = { items: { id: string; status: string; filesScanned: number }[] };
  const reportOf = async (backupId: string) => (await call<Report>('GET', `/schedules/${ids.schedule}/reports/backup?limit=1000`, admin)).body.items.find((r) => r.id === backupId)!;
  const stats = (filesScanned: number) => ({ filesScanned, filesUploaded: 0, bytesScanned: 0, bytesUploaded: 0 });

  it.each([
    ['commit', (filesScanned: number) => ({ status: 'success', stats: stats(filesScanned), manifest: [] })],
    ['fail', (filesScanned: number) => ({ stats: stats(filesScanned), error: 'disk gone' })],
  ] as const)('%s: 2^64 and 2^53 are a 400 naming the field and store nothing; 2^53−1 is taken as it is', async (ending, body) => {
    const backupId = (await call<{ backupId: string }>('POST', '/agent/backups', agent, { scheduleId: ids.schedule })).body.backupId;
    for (const tooLarge of [2 ** 64, 2 ** 53]) {
      const refused = await call<ErrorBody>('POST', `/agent/backups/${backupId}/${ending}`, agent, body(tooLarge));
      expect({ status: refused.status, code: refused.body.error.code, field: refused.body.error.details?.['field'] }).toEqual({ status: 400, code: 'BAD_REQUEST', field: 'stats.filesScanned' });
      expect(await reportOf(backupId)).toMatchObject({ status: 'running', filesScanned: 0 });
    }
    const taken = await call('POST', `/agent/backups/${backupId}/${ending}`, agent, body(MAX_INTEGER));
    expect(taken.status).toBe(ending === 'commit' ? 200 : 204);
    expect((await reportOf(backupId)).filesScanned).toBe(MAX_INTEGER);
  });
});
