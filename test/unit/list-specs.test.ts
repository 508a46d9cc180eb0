/**
 * The list specs (src-shared/api/lists.ts) are declared once and tie the server's SQL, the console's
 * offline list queries and the served OpenAPI document together.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TSchema } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerList } from '../../src-shared/api/customers.js';
import { listSpec, plain, type ListSpec } from '../../src-shared/api/list-spec.js';
import { LIST_SPECS, type ListKind } from '../../src-shared/api/lists.js';
import { LIST_SPECS as CONSOLE_LIST_SPECS } from '../../src-main/core/list-query.js';
import * as wire from '../../src-main/core/wire.js';
import { buildApp } from '../../src-server/app.js';
import { AUDIT_ROWS } from '../../src-server/audit.js';
import { CLIENT_ROWS } from '../../src-server/client-rows.js';
import { CUSTOMER_ROWS } from '../../src-server/customers.js';
import { openDatabase, type Db } from '../../src-server/db/database.js';
import { INVOICE_ROWS } from '../../src-server/invoicing/invoice-rows.js';
import { OVERVIEW_ROWS } from '../../src-server/replication/status.js';
import { RESELLER_ROWS } from '../../src-server/resellers.js';
import { BACKUP_VERSION_ROWS } from '../../src-server/retention/config.js';
import { BACKUP_REPORT_ROWS, DELETED_REPORT_ROWS, RESTORE_REPORT_ROWS, SCHEDULE_ROWS } from '../../src-server/schedules.js';
import { Services } from '../../src-server/services.js';
import type { ListSource } from '../../src-server/store.js';
import { LIST_ROUTES } from '../support/list-routes.js';

const specs = Object.entries(LIST_SPECS) as [ListKind, ListSpec][];

/** The server's SQL for each list. */
const SERVER_ROWS: Record<ListKind, ListSource> = {
  resellers: RESELLER_ROWS,
  customers: CUSTOMER_ROWS,
  clients: CLIENT_ROWS,
  schedules: SCHEDULE_ROWS,
  backupReports: BACKUP_REPORT_ROWS,
  restoreReports: RESTORE_REPORT_ROWS,
  deletedReports: DELETED_REPORT_ROWS,
  auditLog: AUDIT_ROWS,
  replicationOverview: OVERVIEW_ROWS,
  invoices: INVOICE_ROWS,
  backupVersions: BACKUP_VERSION_ROWS,
};

/** The console's wire schema for each list (src-main/core/wire.ts). */
const CONSOLE_SCHEMAS: Record<ListKind, TSchema> = {
  resellers: wire.ResellerList,
  customers: wire.CustomerList,
  clients: wire.ClientList,
  schedules: wire.ScheduleList,
  backupReports: wire.BackupReportList,
  restoreReports: wire.RestoreReportList,
  deletedReports: wire.DeletedReportList,
  auditLog: wire.AuditList,
  replicationOverview: wire.ReplicationOverviewList,
  invoices: wire.InvoiceSummaryList,
  backupVersions: wire.BackupVersionList,
};


interface JsonSchema {
  type?: string | string[];
  required?: string[];
  nullable?: boolean;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

/**
 * A scalar: a string, number, integer or boolean, or a union of them and null (a nullable timestamp);
 * OpenAPI 3.0 spells that null as `{enum: [null], nullable: true}`.
 */
const isScalar = (s: JsonSchema | undefined): boolean =>
  !!s && (s.anyOf ? s.anyOf.every(isScalar) : s.nullable === true || ['string', 'number', 'integer', 'boolean', 'null'].includes(String(s.type)));
const isText = (s: JsonSchema | undefined): boolean => !!s && (s.anyOf ? s.anyOf.some(isText) : s.type === 'string');

describe('every list spec', () => {
  it.each(specs)('%s sorts by scalar fields of its item, searches text fields, and defaults to a sortable field', (_kind, spec) => {
    const fields = (spec.item as JsonSchema).properties!;
    for (const [name, rule] of Object.entries(spec.sortable)) {
      expect(isScalar(fields[name]), `sort field ${name}`).toBe(true);
      if (rule.numberIn) expect(isScalar(fields[rule.numberIn])).toBe(true);
    }
    for (const name of spec.search) expect(isText(fields[name]), `search field ${name}`).toBe(true);
    expect(Object.keys(spec.sortable)).toContain(spec.defaultSort.replace(/^-/, ''));
    expect(spec.schema.properties.items.items).toBe(spec.item);
  });

  it('the customers list sorts by every scalar field of a customer (API.md)', () => {
    const scalars = Object.entries((LIST_SPECS.customers.item as JsonSchema).properties!).filter(([, s]) => isScalar(s));
    expect(Object.keys(LIST_SPECS.customers.sortable).sort()).toEqual(scalars.map(([name]) => name).sort());
  });

  it('admits only fields of the item (checked by the compiler)', () => {
    // @ts-expect-error: "colour" is no field of a customer
    listSpec(CustomerList, { sortable: { colour: plain }, search: ['name'], defaultSort: 'colour' });
    // @ts-expect-error: the default sort must be one of the sortable fields
    listSpec(CustomerList, { sortable: { name: plain }, search: ['name'], defaultSort: 'email' });
  });
});

describe('the server and the console use the same spec objects', () => {
  it.each(specs)('%s: the server maps exactly the spec fields to SQL', (kind, spec) => {
    const rows = SERVER_ROWS[kind];
    expect(rows.spec).toBe(spec);
    expect(Object.keys(rows.sort).sort()).toEqual(Object.keys(spec.sortable).sort());
    expect(Object.keys(rows.search).sort()).toEqual([...spec.search].sort());
  });

  it.each(specs)('%s: the console queries with the spec and checks answers against its schema', (kind, spec) => {
    expect(CONSOLE_LIST_SPECS[kind]).toBe(spec);
    expect(CONSOLE_SCHEMAS[kind]).toBe(spec.schema);
  });
});

describe('the served OpenAPI document', () => {
  let dir: string;
  let db: Db;
  let paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, { content?: { 'application/json'?: { schema: JsonSchema } } }> }>>;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'list-specs-'));
    db = openDatabase(path.join(dir, 'server.sqlite'));
    const app = await buildApp(new Services(db, dir));
    paths = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: typeof paths }>().paths;
    await app.close();
  });

  afterAll(async () => {
    db.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  const listed = (schema: JsonSchema | undefined) => !!schema?.properties?.items && !!schema.properties.total;
  const served = (route: string) => paths[route]!.get!.responses['200']!.content!['application/json']!.schema;

  it('lists each management list route with the item schema of its spec', () => {
    // A list pages (`offset`); a fixed set such as a customer's replication servers has items but is not one.
    const pages = (route: string) => !!paths[route]!.get?.parameters?.some((p) => p.name === 'offset');
    const lists = Object.keys(paths).filter((route) => !route.startsWith('/api/v1/agent/') && pages(route) && listed(paths[route]!.get?.responses['200']?.content?.['application/json']?.schema));
    expect(lists.sort()).toEqual(Object.keys(LIST_ROUTES).sort());
    // The document is OpenAPI 3.0 (`nullable`, `enum`), so the item is compared by its fields.
    for (const [route, kind] of Object.entries(LIST_ROUTES)) {
      const item = served(route).properties!.items!.items!;
      const spec = LIST_SPECS[kind];
      expect(Object.keys(item.properties!).sort(), route).toEqual(Object.keys(spec.item.properties).sort());
      expect(item.required, route).toEqual(spec.item.required);
      for (const name of Object.keys(spec.sortable)) expect(isScalar(item.properties![name]), `${route} sort ${name}`).toBe(true);
    }
  });
});
