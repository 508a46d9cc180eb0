import type { TSchema } from 'typebox';
import { refusals, type Refusal } from './reply.js';

/** The document's tags, one per area of API.md; every operation has exactly one. */
export const TAGS = [
  { name: 'session', description: 'Signing in and out: the session tokens of administrators and resellers.' },
  { name: 'server', description: "The server's identity, deployment, settings and MCAL pool." },
  { name: 'resellers', description: 'Resellers and their logins (administrator only).' },
  { name: 'customers', description: "A reseller's customers: MCAL and space allotments, activity, deletion." },
  { name: 'clients', description: 'Protected machines: adding, authorizing (one MCAL each), migrating; trial clients.' },
  { name: 'schedules', description: "A client's backup schedules, as technicians see and change them." },
  { name: 'reports', description: 'Backup, restore and deleted reports.' },
  { name: 'retention', description: 'Backup versions: the retention policies that decide which backups are kept (the server default and each schedule\'s own), previews of a policy, and the kept versions of a schedule.' },
  { name: 'trial', description: 'What trial clients may store, and for how long.' },
  { name: 'replication', description: 'Copies of customers on other backup servers: the global and per-customer configuration, runs and their state (on-premise only).' },
  { name: 'seed-migration', description: 'Seed backup migration: moving clients with their backups to another server, their agents following (on-premise only).' },
  { name: 'peer', description: 'Server to server: what a replication server answers to the servers it keeps replicas of, and a seed migration target to its source (an administrator session of its own).' },
  { name: 'invoicing', description: "Billing customers: invoice plans and quotes, each customer's invoice configuration and daily usage, invoices, credit notes and their PDFs." },
  { name: 'audit', description: 'Every change made through the management API.' },
  { name: 'jobs', description: 'Long-running work and its progress.' },
  { name: 'maintenance', description: 'Running the scheduled upkeep now.' },
  { name: 'agent', description: 'The backup agent: registration, its schedules, backups (missing chunks, packs, manifests) and restores.' },
] as const;
export type Tag = (typeof TAGS)[number]['name'];

/** Who calls a route: anyone (signing in, registering), a session (admin or reseller), or a registered agent. */
export type Access = 'public' | 'session' | 'agent';

interface Operation {
  operationId: string;
  /** One or two sentences from API.md. */
  description: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  consumes?: string[];
  /** The success response, by status (`ok`, `created`, `noContent`, `octets`). */
  response: Record<number, unknown>;
  /** Refusals the route's own rules give, beyond those its shape implies (see `shapeRefusals`). */
  refuses?: Refusal[];
  /** Another access than the rest of its plugin's routes. */
  access?: Access;
}

/**
 * The refusals a route answers by its shape alone: 400 for input that breaks its schema, 404 for a path
 * id that names nothing, 400/413/415 for a body (Fastify parses one on every method but GET, schema or
 * not), 401 without a valid token, and 410 to an agent whose client has moved.
 */
function shapeRefusals(op: Operation, takesBody: boolean, access: Access): Refusal[] {
  return [
    ...(op.params || op.querystring || op.body ? [400 as const] : []),
    ...(op.params ? [404 as const] : []),
    ...(takesBody ? [400 as const, 413 as const, 415 as const] : []),
    ...(access === 'public' ? [] : [401 as const]),
    ...(access === 'agent' ? [410 as const] : []),
  ];
}

const schemaOf =
  (tag: Tag, plugin: Access, takesBody: boolean) =>
  <O extends Operation>({ refuses = [], access = plugin, response, ...schema }: O) => ({
    ...schema,
    tags: [tag],
    ...(access === 'public' ? { security: [] } : {}),
    response: { ...response, ...refusals([...shapeRefusals({ ...schema, response }, takesBody, access), ...refuses]) },
  });

/**
 * The OpenAPI side of a plugin's routes, by method: `api.get(path, { schema: doc.get({operationId, …}) })`.
 * Every operation gets its tag, its security and every status it can answer.
 */
export const openapi = (tag: Tag, access: Access) => ({
  get: schemaOf(tag, access, false),
  post: schemaOf(tag, access, true),
  put: schemaOf(tag, access, true),
  patch: schemaOf(tag, access, true),
  delete: schemaOf(tag, access, true),
});
