/**
 * Errors name their field (API.md, Conventions): every 400 and every conflict caused by one value carry
 * `error.details.field`, so the console marks the input from it instead of parsing the message.
 * The real app in this process, answered through Fastify's inject.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src-shared/api/common.js';
import { buildApp } from '../../src-server/app.js';
import { bootstrap } from '../../src-server/bootstrap.js';
import { openDatabase, type Db } from '../../src-server/db/database.js';
import { DEFAULT_RESELLER_ID } from '../../src-server/resellers.js';
import { Services } from '../../src-server/services.js';

const ADMIN_PASSWORD = 'error-field-admin-pw';
const CUSTOMERS = `/api/v1/resellers/${DEFAULT_RESELLER_ID}/customers`;

let dir: string;
let db: Db;
let app: Awaited<ReturnType<typeof buildApp>>;
let token: string;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'server-error-field-'));
  db = openDatabase(path.join(dir, 'server.sqlite'));
  const services = new Services(db, dir);
  await bootstrap(services, { cloud: false, adminPassword: ADMIN_PASSWORD, mcals: 10 });
  app = await buildApp(services);
  const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin', password: ADMIN_PASSWORD } });
  token = (login.json() as { token: string }).token;
});

afterAll(async () => {
  await app.close();
  db.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

async function failure(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, rawBody?: string) {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(rawBody === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(rawBody === undefined ? (payload === undefined ? {} : { payload: payload as object }) : { payload: rawBody }),
  });
  return { status: res.statusCode, error: (res.json() as ErrorBody).error };
}

describe('details.field on a 400', () => {
  it('names the body field a schema rule failed on', async () => {
    const blank = await failure('POST', CUSTOMERS, { name: '   ' });
    expect(blank).toMatchObject({ status: 400, error: { code: 'BAD_REQUEST', details: { field: 'name' } } });
    expect(blank.error.message).toMatch(/^name /);
    expect((await failure('POST', CUSTOMERS, { name: 'Acme', mcalsAllotted: -1 })).error.details).toEqual({ field: 'mcalsAllotted' });
  });

  it('names the missing or unknown property itself, not the object holding it', async () => {
    expect((await failure('POST', CUSTOMERS, { email: 'a@example.com' })).error.details).toEqual({ field: 'name' });
    expect((await failure('POST', CUSTOMERS, { name: 'Acme', colour: 'red' })).error.details).toEqual({ field: 'colour' });
  });

  it('names the query field, from the schema and from the list spec', async () => {
    expect(await failure('GET', `${CUSTOMERS}?limit=0`)).toMatchObject({ status: 400, error: { details: { field: 'limit' } } });
    expect(await failure('GET', `${CUSTOMERS}?limit=1001`)).toMatchObject({ status: 400, error: { details: { field: 'limit' } } });
    expect(await failure('GET', `${CUSTOMERS}?sort=na-me`)).toMatchObject({ status: 400, error: { details: { field: 'sort' } } });
    const unknownSort = await failure('GET', `${CUSTOMERS}?sort=password`);
    expect(unknownSort).toMatchObject({ status: 400, error: { details: { field: 'sort' } } });
    expect(unknownSort.error.message).toMatch(/^sort: unknown field "password"/);
  });

  it('names a path parameter, and the body when it is not JSON at all', async () => {
    expect((await failure('GET', `/api/v1/customers/${'x'.repeat(65)}`)).error.details).toEqual({ field: 'id' });
    expect(await failure('POST', CUSTOMERS, undefined, '{"name": ')).toMatchObject({ status: 400, error: { details: { field: 'body' } } });
  });
});

describe('details.field on a conflict caused by one value', () => {
  it('NAME_TAKEN names `name`', async () => {
    const created = await app.inject({ method: 'POST', url: CUSTOMERS, headers: { authorization: `Bearer ${token}` }, payload: { name: 'Taken Dental' } });
    expect(created.statusCode).toBe(201);
    expect(await failure('POST', CUSTOMERS, { name: ' taken dental ' })).toMatchObject({ status: 409, error: { code: 'NAME_TAKEN', details: { field: 'name' } } });
  });

  it('an allotment the pool cannot give names the allotment, next to the numbers', async () => {
    const refused = await failure('POST', CUSTOMERS, { name: 'Greedy Law', mcalsAllotted: 11 });
    expect(refused).toMatchObject({ status: 409, error: { code: 'CONFLICT', details: { field: 'mcalsAllotted', available: 10, poolTotal: 10 } } });
    expect(await failure('PATCH', '/api/v1/server', { mcalPoolTotal: -1 })).toMatchObject({ status: 400, error: { details: { field: 'mcalPoolTotal' } } });
  });
});
