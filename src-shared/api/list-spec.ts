import { Type, type Static, type TObject } from 'typebox';
import { ListOf, PAGING } from './common.js';

/** How a list compares one field when it sorts: the server's SQL and the console's offline queries both follow it. */
export interface SortRule {
  /** Compare case-insensitively (the server sorts a lowered or `name_key` column). */
  fold?: boolean;
  /** NULL ("unlimited") above every number, in both directions. */
  nullsHigh?: boolean;
  /** Sort by this field's number instead (the audit log sorts `at` by its sequence, which is the id). */
  numberIn?: string;
}

type ListSchema<Item extends TObject> = ReturnType<typeof ListOf<Item>>;
type FieldOf<Item extends TObject> = keyof Static<Item> & string;

/**
 * One list of the API, declared once: its wire schema (`{items, total}`), the fields `sort` accepts and
 * how each compares, the fields `q` searches, and the default order. The server maps these fields to SQL
 * (`src-server/store.ts`), the console answers cached lists with them (`src-main/core/list-query.ts`).
 */
export interface ListSpec<Item extends TObject = TObject, Sort extends string = string, Search extends string = string> {
  readonly schema: ListSchema<Item>;
  readonly item: Item;
  readonly sortable: Readonly<Record<Sort, SortRule>>;
  readonly search: readonly Search[];
  readonly defaultSort: Sort | `-${Sort}`;
  /** The list route's query: paging, `q`, and `sort` as an enum of exactly the sortable fields, ascending or `-` descending. */
  readonly query: ListQuerySchema;
  /** Ids that order as numbers: the tie break is by id, and the audit log's ids are sequence numbers. */
  readonly numericIds?: boolean;
}

const listQuery = (sortable: readonly string[]) =>
  Type.Object({ ...PAGING, sort: Type.Optional(Type.Enum(sortable.flatMap((field) => [field, `-${field}`]))) }, { additionalProperties: false });
type ListQuerySchema = ReturnType<typeof listQuery>;

/** A list spec over `schema` (a `ListOf(Item)`); only fields of the item can be sorted or searched. */
export function listSpec<Item extends TObject, Sort extends FieldOf<Item>, Search extends FieldOf<Item>>(
  schema: ListSchema<Item>,
  rules: Omit<ListSpec<Item, Sort, Search>, 'schema' | 'item' | 'defaultSort' | 'query'> & { defaultSort: NoInfer<Sort> | `-${NoInfer<Sort>}` },
): ListSpec<Item, Sort, Search> {
  return { schema, item: schema.properties.items.items, query: listQuery(Object.keys(rules.sortable)), ...rules };
}

/** The plain rules, named so the specs read as a table. */
export const plain: SortRule = {};
export const folded: SortRule = { fold: true };
export const unlimited: SortRule = { nullsHigh: true };
