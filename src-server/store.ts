import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db/database.js';
import type { List, ListQuery } from '../src-shared/api/common.js';
import { badRequest } from './errors.js';

export const nowIso = (at: number = Date.now()) => new Date(at).toISOString();
export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;
/** The key names are unique by: case-insensitive, Unicode-normalized, outer spaces ignored. */
export const nameKey = (name: string) => name.normalize('NFC').trim().toLowerCase();

/** A column a list may sort by; `nullsHigh` sorts NULL ("unlimited") above every number. */
export interface SortColumn {
  sql: string;
  nullsHigh?: boolean;
}

export interface ListSpec {
  /** `SELECT <select> FROM <from> WHERE <where>`; parameters are positional. */
  select: string;
  from: string;
  where: string;
  params: unknown[];
  sortable: Record<string, SortColumn>;
  defaultSort: string;
  /** Lower-cased expressions that `q` matches as a case-insensitive substring (any of them). */
  search?: string[];
  /** A unique column that makes the order total, so pages never overlap. */
  tieBreak: string;
}

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
  list<Row, Item>(spec: ListSpec, query: ListQuery, map: (row: Row) => Item): List<Item> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const order = orderBy(spec, query.sort);
    let where = spec.where;
    const params = [...spec.params];
    if (query.q && spec.search) {
      const pattern = `%${nameKey(query.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where += ` AND (${spec.search.map((column) => `${column} LIKE ? ESCAPE '\\'`).join(' OR ')})`;
      params.push(...spec.search.map(() => pattern));
    }
    const sql = `SELECT ${spec.select} FROM ${spec.from} WHERE ${where} ORDER BY ${order}, ${spec.tieBreak} LIMIT ? OFFSET ?`;
    const cacheKey = JSON.stringify([sql, params, limit, offset]);
    const cached = this.listCache.get(cacheKey);
    if (cached && cached.generation === this.generation) return cached.list as List<Item>;

    const items = this.all<Row>(sql, ...params, limit, offset).map(map);
    const total =
      items.length < limit && (items.length > 0 || offset === 0)
        ? offset + items.length
        : this.get<{ n: number }>(`SELECT count(*) AS n FROM ${spec.from} WHERE ${where}`, ...params)!.n;
    const list = { items, total };
    if (this.listCache.size >= MAX_CACHED_LISTS) this.listCache.delete(this.listCache.keys().next().value!);
    this.listCache.set(cacheKey, { generation: this.generation, list });
    return list;
  }
}

function orderBy(spec: ListSpec, sort: string | undefined): string {
  const wanted = sort ?? spec.defaultSort;
  const descending = wanted.startsWith('-');
  const field = descending ? wanted.slice(1) : wanted;
  const column = spec.sortable[field];
  if (!column) {
    throw badRequest('sort', `sort: unknown field "${field}"; sortable fields are ${Object.keys(spec.sortable).join(', ')}.`);
  }
  const dir = descending ? 'DESC' : 'ASC';
  return column.nullsHigh ? `(${column.sql} IS NULL) ${dir}, ${column.sql} ${dir}` : `${column.sql} ${dir}`;
}

export const bool = (v: number | null | undefined) => v === 1;
