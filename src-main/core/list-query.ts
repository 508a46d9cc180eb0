/**
 * Answers a list query (`q`, `sort`, `offset`, `limit` of API.md) from a whole cached list, the way the
 * server would: so that offline, a technician can still filter, re-sort and page what "make available
 * offline" (or an earlier visit) fetched, instead of seeing only the exact pages fetched before.
 *
 * Follows the list specs the server follows too (src-shared/api/lists.ts: search fields, sortable fields and
 * how each compares, default sort, tie break), not the server's code: the console talks to servers over HTTP.
 * Differences are cosmetic (SQLite's lower() folds ASCII only, JavaScript folds all of Unicode).
 */
import type { List, ListQuery } from '../../src-shared/api/common.js';
import type { ListSpec, SortRule } from '../../src-shared/api/list-spec.js';
import { LIST_SPECS, type ListKind } from '../../src-shared/api/lists.js';
import { BridgeError } from '../../src-shared/bridge.js';

export { LIST_SPECS, type ListKind };

/** The server's default page size (API.md lists: `limit` defaults to 100). */
const DEFAULT_LIMIT = 100;

const fold = (text: string) => text.normalize('NFC').trim().toLowerCase();
const field = (item: object, name: string): unknown => (item as Record<string, unknown>)[name];

type Key = string | number | null;

/** A comparable form of a field: booleans as 0/1 (SQLite stores them so), text folded where the server folds. */
function sortKey(value: unknown, column: SortRule): Key {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  const text = String(value);
  return column.fold ? fold(text) : text;
}

/** SQLite order: NULL first, numbers before text, text by code unit (close to SQLite's binary collation). */
function compareKeys(a: Key, b: Key): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : 1;
}

/** Filters, sorts and pages `list` as the server would answer `query`; `total` counts the filtered rows. */
export function queryList<T extends object>(kind: ListKind, list: List<T>, query: ListQuery = {}): List<T> {
  const spec: ListSpec = LIST_SPECS[kind];
  const needle = query.q ? fold(query.q) : '';
  const matches = needle
    ? list.items.filter((item) =>
        spec.search.some((name) => {
          const value = field(item, name);
          return typeof value === 'string' && value.toLowerCase().includes(needle);
        }),
      )
    : [...list.items];

  const wanted = query.sort ?? spec.defaultSort;
  const descending = wanted.startsWith('-');
  const name = descending ? wanted.slice(1) : wanted;
  const column = spec.sortable[name];
  if (!column) {
    throw new BridgeError('BAD_REQUEST', `sort: unknown field "${name}"; sortable fields are ${Object.keys(spec.sortable).join(', ')}.`);
  }
  const direction = descending ? -1 : 1;
  const id = (item: T): Key => (spec.numericIds ? Number(field(item, 'id')) : String(field(item, 'id')));
  const keyed = matches.map((item) => ({ item, key: column.numberIn ? Number(field(item, column.numberIn)) : sortKey(field(item, name), column), id: id(item) }));
  keyed.sort((a, b) => {
    if (column.nullsHigh && (a.key === null) !== (b.key === null)) return (a.key === null ? 1 : -1) * direction;
    return compareKeys(a.key, b.key) * direction || compareKeys(a.id, b.id);
  });

  const offset = query.offset ?? 0;
  const limit = query.limit ?? DEFAULT_LIMIT;
  return { items: keyed.slice(offset, offset + limit).map((entry) => entry.item), total: keyed.length };
}

/** Whether a list answer is the whole, unfiltered list: then it can answer any other query offline. */
export function isWholeList(list: List<unknown>, query: ListQuery | undefined): boolean {
  return !query?.q && (query?.offset ?? 0) === 0 && list.items.length === list.total;
}
