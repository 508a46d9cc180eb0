/**
 * One server's part of the offline cache, as its connection reads and writes it: live answers written
 * through, and answers for when live data cannot be had — the exact query's, or one computed from the
 * whole cached list (list-query.ts), whichever is newer.
 */
import type { Static, TSchema } from 'typebox';
import type { List, ListQuery } from '../../src-shared/api/common.js';
import type { Cached } from '../../src-shared/bridge.js';
import type { OfflineCache } from './cache.js';
import { isWholeList, queryList, type ListKind } from './list-query.js';
import { schemaMismatch } from './schema-check.js';
import { queryString, type Query } from './server-client.js';

export const cacheKey = (path: string, query?: Query) => `GET ${path}${queryString(query)}`;
/** Where a whole list lives: apart from `GET <path>`, which holds the server's default first page. */
export const wholeListKey = (path: string) => `GET ${path}#all`;

/** A cached read always knows when it was fetched. */
type FromCache<T> = Cached<T> & { asOf: string };

export class ConnectionCache {
  constructor(
    private readonly cache: OfflineCache,
    private readonly serverId: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Keeps a value where a failure must fail the caller (prefetching for offline use). */
  put(key: string, data: unknown): void {
    this.cache.put(this.serverId, key, data);
  }

  /** A live answer, kept where later reads of it (or of other queries of the same list) look. */
  store(path: string, query: ListQuery | undefined, data: unknown, kind: ListKind | undefined): void {
    // A whole list is kept once, where it answers every query of that list (list-query.ts).
    this.remember(kind !== undefined && isList(data) && isWholeList(data, query) ? wholeListKey(path) : cacheKey(path, query), data);
  }

  /** Keeps a live answer under `key`, best effort. */
  remember(key: string, data: unknown): void {
    try {
      this.cache.put(this.serverId, key, data);
    } catch (error) {
      // The live answer is good; a cache that cannot keep it (disk full) must not fail the read.
      this.log(`offline cache: could not keep ${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The answer cached for this exact query, or one computed from the whole cached list, whichever is newer. */
  fromCache<S extends TSchema>(path: string, query: ListQuery | undefined, schema: S, kind: ListKind | undefined): FromCache<Static<S>> | null {
    const exact = this.cached(cacheKey(path, query), schema);
    if (kind === undefined) return exact;
    const whole = this.cached(wholeListKey(path), schema);
    if (!whole || !isList(whole.data) || (exact && exact.asOf >= whole.asOf)) return exact;
    // The schema checked the whole list, so a page of it has the same type.
    return { data: queryList(kind, whole.data, query) as Static<S>, asOf: whole.asOf };
  }

  /**
   * A cached value that still matches its schema, or null (a miss). The check is for a cache written by
   * another console version: every value was checked in full when it was fetched, and the items of one
   * list share one shape, so for a list its first, middle and last items stand for all of them. Checking
   * all 20,000 rows of a big list would cost as much as parsing them, on every offline read.
   */
  cached<S extends TSchema>(key: string, schema: S): FromCache<Static<S>> | null {
    const hit = this.cache.get(this.serverId, key);
    if (!hit) return null;
    const { value } = hit;
    const sample = isList(value) ? { ...value, items: [...new Set([value.items[0], value.items[value.items.length >> 1], value.items.at(-1)])].filter((item) => item !== undefined) } : value;
    if (schemaMismatch(schema, sample) !== null) return null;
    return { data: value as Static<S>, asOf: hit.asOf };
  }
}

function isList(value: unknown): value is List<object> {
  return typeof value === 'object' && value !== null && Array.isArray((value as { items?: unknown }).items) && typeof (value as { total?: unknown }).total === 'number';
}
