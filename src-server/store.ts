import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db/database.js';
import type { List, ListQuery } from '../src-shared/api/common.js';
import type { ListSpec } from '../src-shared/api/list-spec.js';
import { unknownSortField } from './errors.js';

export const nowIso = (at: number = Date.now()) => new Date(at).toISOString();
export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;
/** The key names are unique by: case-insensitive, Unicode-normalized, outer spaces ignored. */
export const nameKey = (name: string) => name.normalize('NFC').trim().toLowerCase();

/**
 * Where a list's rows come from, and the SQL of every field its spec (src-shared/api/list-spec.ts) sorts
 * or searches by: the spec names the fields and how they compare, this says which column holds each.
 */
export interface ListSource<S extends ListSpec = ListSpec> {
  spec: S;
  /** `SELECT <select> FROM <from>`. */
  select: string;
  from: string;
  /** Per sortable field; a `fold` field needs a folded column (`name_key`, `lower(name)`). */
  sort: { readonly [F in keyof S['sortable']]: string };
  /** Per searched field, lower-cased: `q` matches any of them as a case-insensitive substring. */
  search: { readonly [F in S['search'][number]]: string };
  /** A unique column that makes the order total, so pages never overlap. */
  tieBreak: string;
}

/** A list source with the rows one request may see: `WHERE <where>`, parameters positional. */
export type ListSelection = ListSource & { where: string; params: unknown[] };

export const listSource = <S extends ListSpec>(spec: S, sql: Omit<ListSource<S>, 'spec'>): ListSource<S> => ({ spec, ...sql });

const MAX_CACHED_LISTS = 500;

/**
 * The database plus what every module shares: cached prepared statements, the write transaction, and a
 * list cache. Every mutation goes through `write`, which bumps `generation`; a cached list is served only
 * while the generation it was computed at is current, so a cached page can never be stale.
 */
export class Store {
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private readonly listCache = new Map<string, { generation: number; list: List<unknown> }>();
  private generation = 0;

  constructor(readonly db: Db) {}

  stmt(sql: string): Statement<unknown[]> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  run(sql: string, ...params: unknown[]) {
    return this.stmt(sql).run(...params);
  }

  write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } finally {
      this.generation++;
    }
  }

  /** Runs a list query: filter, sort, page, and the total count, from a cache while nothing was written. */
  list<Row, Item>(source: ListSelection, query: ListQuery, map: (row: Row) => Item): List<Item> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const order = orderBy(source, query.sort);
    let where = source.where;
    const params = [...source.params];
    const columns = source.spec.search.map((field) => source.search[field]!);
    if (query.q && columns.length > 0) {
      const pattern = `%${nameKey(query.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where += ` AND (${columns.map((column) => `${column} LIKE ? ESCAPE '\\'`).join(' OR ')})`;
      params.push(...columns.map(() => pattern));
    }
    const sql = `SELECT ${source.select} FROM ${source.from} WHERE ${where} ORDER BY ${order}, ${source.tieBreak} LIMIT ? OFFSET ?`;
    const cacheKey = JSON.stringify([sql, params, limit, offset]);
    const cached = this.listCache.get(cacheKey);
    if (cached && cached.generation === this.generation) return cached.list as List<Item>;

    const items = this.all<Row>(sql, ...params, limit, offset).map(map);
    const total =
      items.length < limit && (items.length > 0 || offset === 0)
        ? offset + items.length
        : this.get<{ n: number }>(`SELECT count(*) AS n FROM ${source.from} WHERE ${where}`, ...params)!.n;
    const list = { items, total };
    if (this.listCache.size >= MAX_CACHED_LISTS) this.listCache.delete(this.listCache.keys().next().value!);
    this.listCache.set(cacheKey, { generation: this.generation, list });
    return list;
  }
}

function orderBy({ spec, sort: columns }: ListSource, sort: string | undefined): string {
  const wanted = sort ?? spec.defaultSort;
  const descending = wanted.startsWith('-');
  const field = descending ? wanted.slice(1) : wanted;
  // Own properties only: `constructor` or `toString` must be an unknown field, not Object.prototype's.
  const rule = Object.hasOwn(spec.sortable, field) ? spec.sortable[field] : undefined;
  const column = Object.hasOwn(columns, field) ? columns[field] : undefined;
  if (!rule || !column) {
    throw unknownSortField(field, Object.keys(spec.sortable));
  }
  const dir = descending ? 'DESC' : 'ASC';
  return rule.nullsHigh ? `(${column} IS NULL) ${dir}, ${column} ${dir}` : `${column} ${dir}`;
}

export const bool = (v: number | null | undefined) => v === 1;

/**
 * `SUM(<expr>)` that never fails (API.md: totals are exact up to 2^53−1 and clamp there): SQLite's `sum`
 * raises on 64-bit overflow, `total` adds as a double, which is exact while every partial sum of
 * non-negative integers stays below 2^53, and past that is at least 2^53, so the clamp catches it.
 */
export const clampedSum = (expr: string) => `CAST(min(total(${expr}), ${Number.MAX_SAFE_INTEGER}) AS INTEGER)`;
