/**
 * The server held to its own OpenAPI document, as an outside tester would: for every operation the
 * document serves, requests generated from its schemas (fast-check, fixed seed, bounded in count) must get a
 * declared status, never a 5xx, with a body that validates against the declared schema; requests that break
 * exactly one rule must get a 4xx in the API's error shape and change nothing (the lists an administrator and
 * the agent see, and the audit log, are compared before and after).
 *
 * FUZZ_SEED=<n> reproduces another run; FUZZ_RUNS=<n> changes the number of requests per operation and kind.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../support/api-client.js';
import { ok } from '../support/api-assert.js';
import { invalidValue, validValue, type Schema } from '../support/openapi-arbitrary.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261203);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 12);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: { type: 'json'; schema: Schema } | { type: 'binary' } | null;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security: unknown[] | undefined;
}
interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  describe: string;
}

let server: RunningServer;
let admin: TestClient;
let agentToken: string;
let operations: Operation[];
const ajv = addFormats(new Ajv({ strict: false, allErrors: false }));
const validators = new Map<Schema, ValidateFunction>();
/** Real ids by the path segment that precedes them, so generated paths reach real objects too. */
const pools: Record<string, string[]> = {};

function validator(schema: Schema): ValidateFunction {
  let v = validators.get(schema);
  if (!v) validators.set(schema, (v = ajv.compile(schema)));
  return v;
}

function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>>; security?: unknown[] }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const content = (op['requestBody'] as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
      const body = content?.['application/json']?.schema
        ? { type: 'json' as const, schema: content['application/json'].schema }
        : content?.['application/octet-stream']
          ? { type: 'binary' as const }
          : null;
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op['parameters'] as Parameter[] | undefined) ?? [],
        body,
        responses: op['responses'] as Operation['responses'],
        security: (op['security'] as unknown[] | undefined) ?? doc.security,
      });
    }
  }
  // Deletions last, so the other operations still find the objects they name.
  return out.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}

/** The declared response for a status: exact, or its class (`4XX`). */
function declared(op: Operation, status: number): { content?: Record<string, { schema?: Schema }> } | undefined {
  return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`];
}

function idFor(path: string, param: string): fc.Arbitrary<string> {
  const before = path.split('/').at(path.split('/').indexOf(`{${param}}`) - 1) ?? '';
  const scope = path.startsWith('/api/v1/agent/') ? `agent/${before}` : before;
  const known = pools[scope] ?? [];
  const unknown = fc.constantFrom('no-such-id', 'x'.repeat(64), '0');
  return known.length > 0 ? fc.oneof(fc.constantFrom(...known), unknown) : unknown;
}

async function authFor(op: Operation): Promise<Record<string, string>> {
  if (op.security && op.security.length === 0) return {};
  if (op.path.startsWith('/api/v1/agent/')) return { authorization: `Bearer ${agentToken}` };
  if (op.method === 'DELETE' && op.path === '/api/v1/session') {
    // Signing out ends the session used: give it one of its own.
    const throwaway = await new TestClient(server.api).login();
    return { authorization: `Bearer ${throwaway.token}` };
  }
  return { authorization: `Bearer ${admin.token}` };
}

/** Arbitrary parts of a valid request: path params, query, body. */
function validParts(op: Operation): fc.Arbitrary<{ params: Record<string, string>; query: Record<string, unknown>; body: unknown }> {
  const params = Object.fromEntries(op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, p.name === 'hash' ? fc.constant(randomBytes(32).toString('hex')) : idFor(op.path, p.name)]));
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, validValue(p.schema)])), {
    requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) as never[],
  });
  const body = op.body?.type === 'json' ? validValue(op.body.schema) : op.body?.type === 'binary' ? fc.uint8Array({ maxLength: 256 }) : fc.constant(undefined);
  return fc.record({ params: fc.record(params), query, body });
}

async function toRequest(op: Operation, parts: { params: Record<string, string>; query: Record<string, unknown>; body: unknown }, describeIt: string): Promise<Request> {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(parts.params[name] ?? ''));
  const search = new URLSearchParams(Object.entries(parts.query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const headers = await authFor(op);
  let body: string | Uint8Array | undefined;
  if (parts.body instanceof Uint8Array) {
    body = parts.body;
    headers['content-type'] = 'application/octet-stream';
  } else if (parts.body !== undefined) {
    body = JSON.stringify(parts.body);
    headers['content-type'] = 'application/json';
  }
  return { method: op.method, path: search ? `${path}?${search}` : path, headers, body, describe: describeIt };
}

/** No answer within this is a finding like any other (status 0), not a hung test. */
const ANSWER_WITHIN_MS = 10_000;

async function send(request: Request): Promise<{ status: number; type: string; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${server.url}${request.path}`, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  } catch (error) {
    return { status: 0, type: '', body: `<no answer: ${(error as Error).message}>` };
  }
  const type = res.headers.get('content-type') ?? '';
  const text = Buffer.from(await res.arrayBuffer());
  let body: unknown = text;
  if (type.includes('application/json')) {
    try {
      body = JSON.parse(text.toString('utf8'));
    } catch {
      body = `<not JSON: ${text.toString('utf8').slice(0, 80)}>`;
    }
  }
  return { status: res.status, type, body };
}

/** What a refused request must leave as it was. */
async function snapshot(): Promise<string> {
  const views = ['/resellers?limit=1000', '/trial-clients?limit=1000', '/trial-settings', '/server', '/audit-log?limit=1', '/invoice-plans', '/invoices?limit=1000', ...(pools['resellers'] ?? []).map((r) => `/resellers/${r}/customers?limit=1000`)];
  const agent = new TestClient(server.api, agentToken);
  const bodies = await Promise.all([...views.map(async (v) => (await admin.get(v)).body), (await agent.get('/agent/schedules')).body]);
  return JSON.stringify(bodies);
}

const sampleOf = <T>(arbitrary: fc.Arbitrary<T>, salt: number): T[] => fc.sample(arbitrary, { numRuns: RUNS, seed: SEED + salt });

beforeAll(async () => {
  server = await startServer({ args: ['--demo', '--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  const doc = (await admin.get<Parameters<typeof operationsOf>[0]>('/openapi.json')).body;
  operations = operationsOf(doc);

  // An agent of its own, with a schedule and a running backup, so agent routes reach real objects.
  const resellers = (await admin.get<{ items: { id: string }[] }>('/resellers?limit=1000')).body.items;
  pools['resellers'] = resellers.map((r) => r.id);
  const customers = (await Promise.all(resellers.map(async (r) => (await admin.get<{ items: { id: string }[] }>(`/resellers/${r.id}/customers?limit=1000`)).body.items))).flat();
  pools['customers'] = customers.map((c) => c.id);
  const clients = (await Promise.all(customers.slice(0, 6).map(async (c) => (await admin.get<{ items: { id: string }[] }>(`/customers/${c.id}/clients`)).body.items))).flat();
  pools['clients'] = clients.map((c) => c.id);
  pools['schedules'] = (await Promise.all(clients.map(async (c) => (await admin.get<{ items: { id: string }[] }>(`/clients/${c.id}/schedules`)).body.items))).flat().map((s) => s.id);
  // The demo's plans, and the invoices its first maintenance run issues for the cycles its history covers.
  pools['invoice-plans'] = (await admin.get<{ items: { id: string }[] }>('/invoice-plans')).body.items.map((p) => p.id);
  ok(await admin.post('/maintenance/run'));
  pools['invoices'] = (await admin.get<{ items: { id: string }[] }>('/invoices?limit=50')).body.items.map((i) => i.id);
  expect(pools['invoices'].length).toBeGreaterThan(0);

  const created = await admin.post<{ registrationKey: string }>(`/customers/${customers.at(-1)!.id}/clients`, { name: 'Fuzz agent' });
  const registered = await new TestClient(server.api).post<{ token: string }>('/agent/register', { key: created.body.registrationKey, name: 'Fuzz agent', hostname: 'fuzz', os: 'linux' });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  agentToken = registered.body.token;
  const agent = new TestClient(server.api, agentToken);
  const schedule = await agent.put<{ id: string }>('/agent/schedules', { name: 'Fuzz', sources: ['/data'], frequency: { kind: 'manual' } });
  pools['agent/schedules'] = [schedule.body.id];
  const backup = await agent.post<{ id: string }>('/agent/backups', { scheduleId: schedule.body.id });
  pools['agent/backups'] = backup.body.id ? [backup.body.id] : [];
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (server) await removeDir(server.dataDir);
});

describe('every operation of the served OpenAPI document', () => {
  it('answers schema-valid requests with a declared status and a body that matches it, never a 5xx', async () => {
    const problems: string[] = [];
    for (const [index, op] of operations.entries()) {
      for (const parts of sampleOf(validParts(op), index)) {
        const request = await toRequest(op, parts, 'valid');
        const res = await send(request);
        const declaration = declared(op, res.status);
        if (res.status >= 500 || !declaration) {
          problems.push(`${op.method} ${op.path}: ${res.status}${declaration ? '' : ' (not declared)'} for ${request.method} ${request.path} ${String(request.body ?? '').slice(0, 200)} → ${JSON.stringify(res.body).slice(0, 200)}`);
          continue;
        }
        const schema = declaration.content?.['application/json']?.schema;
        if (schema && res.type.includes('application/json') && !validator(schema)(res.body)) {
          problems.push(`${op.method} ${op.path}: ${res.status} body does not match its declared schema (${ajv.errorsText(validator(schema).errors)})`);
        }
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  }, 300_000);

  it('refuses requests that break one rule with a 4xx in the error shape, and changes nothing', async () => {
    const problems: string[] = [];
    for (const [index, op] of operations.entries()) {
      const before = await snapshot();
      const requests: Request[] = [];
      const parts = sampleOf(validParts(op), 1000 + index);
      // A body that breaks its schema in one place.
      if (op.body?.type === 'json') {
        const broken = invalidValue(op.body.schema);
        if (broken) {
          for (const [i, { value, how }] of sampleOf(broken, 2000 + index).entries()) {
            if (validator(op.body.schema)(value)) continue; // a breaker that happened to yield a valid value
            requests.push(await toRequest(op, { ...parts[i % parts.length]!, body: value }, `body ${how}`));
          }
        }
        // Bytes that are not JSON, and JSON sent under another media type.
        requests.push(await toRequest(op, parts[0]!, 'not JSON').then((r) => ({ ...r, body: '{"name": ', describe: 'not JSON' })));
        requests.push(await toRequest(op, parts[0]!, 'text/plain').then((r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } })));
      }
      // A query parameter that breaks its schema.
      for (const param of op.parameters.filter((p) => p.in === 'query')) {
        const broken = invalidValue(param.schema);
        if (!broken) continue;
        for (const { value } of sampleOf(broken, 3000 + index).slice(0, 3)) {
          // A query string carries text: only values whose text breaks the schema are invalid there.
          if (validator(param.schema)(value) || typeof value === 'object' || (param.schema.type === 'string' && typeof value !== 'string')) continue;
          requests.push(await toRequest(op, { ...parts[0]!, query: { ...parts[0]!.query, [param.name]: value } }, `query ${param.name}=${String(value)}`));
        }
      }
      // A path id that breaks its pattern or length.
      for (const param of op.parameters.filter((p) => p.in === 'path')) {
        for (const bad of ['x'.repeat(65), 'x'.repeat(300), 'has space', '..', '%00']) {
          requests.push(await toRequest(op, { ...parts[0]!, params: { ...parts[0]!.params, [param.name]: bad } }, `path ${param.name}=${bad.slice(0, 12)}`));
        }
      }
      for (const request of requests) {
        const res = await send(request);
        const error = (res.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
        // A `..` id is a dot segment: the URL then names the parent path (`/customers/../replication` is
        // `/replication`), another request, which only has to be answered without a 5xx.
        const path = request.path.split('?')[0]!;
        if (new URL(path, 'http://127.0.0.1').pathname !== path) {
          if (res.status === 0 || res.status >= 500) problems.push(`${op.method} ${op.path} (${request.describe}): ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          continue;
        }
        if (res.status < 400 || res.status >= 500 || typeof error?.code !== 'string' || typeof error.message !== 'string') {
          problems.push(`${op.method} ${op.path} (${request.describe}): ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
      const after = await snapshot();
      if (after !== before) problems.push(`${op.method} ${op.path}: refused requests changed what the lists show`);
    }
    expect([...new Set(problems)]).toEqual([]);
  }, 300_000);
});
