import type { Snippet } from 'svelte';
import { toCsv } from '../lib/csv.js';

export type CellValue = string | number | boolean | null;

/** One column of a DataTable. `value` sorts; `text` is what is shown, filtered and exported. */
export interface Column<T> {
  id: string;
  header: string;
  /** Initial width in CSS pixels; the user may resize it. */
  width: number;
  minWidth?: number;
  value: (row: T) => CellValue;
  text?: (row: T) => string;
  align?: 'start' | 'end' | 'center';
  /** Default true. */
  sortable?: boolean;
  /** Default true: the filter looks at this column's text. */
  filterable?: boolean;
  /** Default true: the column is part of the CSV export. */
  exported?: boolean;
  /** How a cell is drawn when plain text is not enough (bars, buttons). Never HTML from a server. */
  cell?: Snippet<[T]>;
}

/**
 * What a DataTable shows: its rows and how loading them went. A ListLoader is one; rows already at
 * hand are `{ rows }`.
 */
export interface TableSource<T> {
  readonly rows: readonly T[];
  /** Non-null when the rows come from the offline cache. */
  readonly asOf?: string | null;
  readonly loading?: boolean;
  readonly progress?: { loaded: number; total: number } | null;
  readonly error?: string | null;
  /** The rows are incomplete or cut short. */
  readonly warning?: string | null;
  /** Loads the rows again (Try Again after an error). */
  load?(): Promise<void>;
}

export type SortDirection = 'ascending' | 'descending';
export interface SortState {
  id: string;
  dir: SortDirection;
}

export function cellText<T>(column: Column<T>, row: T): string {
  if (column.text) return column.text(row);
  const v = column.value(row);
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return String(v);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareValues(a: CellValue, b: CellValue): number {
  if (a === b) return 0;
  // Empty values sort last in either direction (handled by the caller), so here only non-null meet.
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return collator.compare(String(a), String(b));
}

export interface TableModelOptions<T> {
  rows: () => readonly T[];
  columns: () => readonly Column<T>[];
  rowHeight?: number;
  overscan?: number;
  sort?: SortState | null;
}

/**
 * The state of one virtualized table: filter, sort, column widths and the window of rows in view.
 * Rows and columns come from getters, so the model follows the component's props.
 */
export class TableModel<T> {
  rowHeight = 36;
  overscan = 4;
  #rows: () => readonly T[];
  #columns: () => readonly Column<T>[];

  filter = $state('');
  sort = $state<SortState | null>(null);
  widths = $state<Record<string, number>>({});
  scrollTop = $state(0);
  /** Measured height of the scrolling body; 0 until measured (jsdom never measures). */
  viewportHeight = $state(0);

  constructor(options: TableModelOptions<T>) {
    this.#rows = options.rows;
    this.#columns = options.columns;
    if (options.rowHeight) this.rowHeight = options.rowHeight;
    if (options.overscan !== undefined) this.overscan = options.overscan;
    this.sort = options.sort ?? null;
  }

  get rows(): readonly T[] {
    return this.#rows();
  }

  get columns(): readonly Column<T>[] {
    return this.#columns();
  }

  width(column: Column<T>): number {
    return this.widths[column.id] ?? column.width;
  }

  template = $derived(this.columns.map((c) => `${this.width(c)}px`).join(' '));
  totalWidth = $derived(this.columns.reduce((sum, c) => sum + this.width(c), 0));

  /** Lower-cased text of every filterable cell per row; computed only once someone filters. */
  #haystacks = $derived.by(() => {
    const cols = this.columns.filter((c) => c.filterable !== false);
    return this.rows.map((row) => cols.map((c) => cellText(c, row)).join('\u0000').toLowerCase());
  });

  filtered = $derived.by((): readonly T[] => {
    const terms = this.filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length === 0) return this.rows;
    const hay = this.#haystacks;
    const rows = this.rows;
    const out: T[] = [];
    for (let i = 0; i < rows.length; i++) {
      const h = hay[i] ?? '';
      if (terms.every((t) => h.includes(t))) out.push(rows[i] as T);
    }
    return out;
  });

  view = $derived.by((): readonly T[] => {
    const rows = this.filtered;
    const sort = this.sort;
    const column = sort ? this.columns.find((c) => c.id === sort.id) : undefined;
    if (!sort || !column) return rows;
    const sign = sort.dir === 'ascending' ? 1 : -1;
    const keyed = rows.map((row, i) => ({ row, i, v: column.value(row) }));
    keyed.sort((a, b) => {
      const an = a.v === null || a.v === '';
      const bn = b.v === null || b.v === '';
      if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1;
      return compareValues(a.v, b.v) * sign || a.i - b.i;
    });
    return keyed.map((k) => k.row);
  });

  #height = $derived(this.viewportHeight > 0 ? this.viewportHeight : 640);
  start = $derived(Math.max(0, Math.floor(this.scrollTop / this.rowHeight) - this.overscan));
  end = $derived(Math.min(this.view.length, Math.ceil((this.scrollTop + this.#height) / this.rowHeight) + this.overscan));
  visible = $derived(this.view.slice(this.start, this.end));

  sortOf(column: Column<T>): SortDirection | 'none' {
    return this.sort?.id === column.id ? this.sort.dir : 'none';
  }

  /** Ascending first, then descending, then back to ascending. */
  toggleSort(id: string): void {
    this.sort = this.sort?.id === id && this.sort.dir === 'ascending' ? { id, dir: 'descending' } : { id, dir: 'ascending' };
  }

  setWidth(id: string, px: number): void {
    const column = this.columns.find((c) => c.id === id);
    const min = column?.minWidth ?? 48;
    this.widths = { ...this.widths, [id]: Math.round(Math.max(min, Math.min(2000, px))) };
  }

  /** What the table shows now (filter and sort applied), as CSV. */
  csv(): string {
    const cols = this.columns.filter((c) => c.exported !== false);
    return toCsv(
      cols.map((c) => c.header),
      this.view.map((row) => cols.map((c) => cellText(c, row))),
    );
  }
}
