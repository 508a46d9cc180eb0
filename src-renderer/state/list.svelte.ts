import { untrack } from 'svelte';
import type { Cached } from '../../src-shared/bridge.js';
import type { List } from '../../src-shared/api/common.js';
import { errorMessage } from '../lib/errors.js';
import { fetchAllPages, type PageQuery } from '../lib/paging.js';
import type { TableSource } from './table.svelte.js';

export interface ListLoaderOptions {
  /** What is loaded, for messages: "customers". */
  what: string;
  /** Stop after this many rows (the audit log can be endless). */
  max?: number;
  pageSize?: number;
  /**
   * Loads at once, and again whenever what this reads changes (`() => app.version`: Refresh and changes
   * made elsewhere). The loader must then be made while a component is set up.
   */
  reloadOn?: () => unknown;
  /** Asks nothing while this is false (the server lacks the feature): the list is then empty. */
  enabled?: () => boolean;
}

const NOTHING: Cached<List<never>> = { data: { items: [], total: 0 }, asOf: null };

/**
 * A whole list fetched page by page, with progress for long loads, `asOf` when it came from the
 * offline cache, and an error sentence when it failed. A newer `load()` supersedes an older one.
 */
export class ListLoader<T> implements TableSource<T> {
  rows = $state.raw<T[]>([]);
  total = $state(0);
  loaded = $state(0);
  asOf = $state<string | null>(null);
  loading = $state(false);
  /** Set once the first load finished (successfully or not). */
  settled = $state(false);
  error = $state<string | null>(null);
  /** A later page failed: the rows are incomplete. */
  warning = $state<string | null>(null);
  readonly #page: (q: PageQuery) => Promise<Cached<List<T>>>;
  readonly #options: ListLoaderOptions;
  #seq = 0;

  constructor(page: (q: PageQuery) => Promise<Cached<List<T>>>, options: ListLoaderOptions) {
    const enabled = options.enabled;
    this.#page = enabled ? (q) => (enabled() ? page(q) : Promise.resolve(NOTHING)) : page;
    this.#options = options;
    const reloadOn = options.reloadOn;
    if (reloadOn) {
      $effect(() => {
        reloadOn();
        untrack(() => void this.load());
      });
    }
  }

  get progress(): { loaded: number; total: number } | null {
    return this.loading ? { loaded: this.loaded, total: this.total } : null;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    // The first load shows each page as it arrives, so a long list is usable at once; a reload keeps
    // the rows on screen until the new ones are complete.
    const progressive = this.rows.length === 0;
    this.loading = true;
    this.loaded = 0;
    this.error = null;
    this.warning = null;
    try {
      const result = await fetchAllPages(this.#page, {
        ...(this.#options.max !== undefined ? { max: this.#options.max } : {}),
        ...(this.#options.pageSize !== undefined ? { pageSize: this.#options.pageSize } : {}),
        cancelled: () => seq !== this.#seq,
        onProgress: (loaded, total) => {
          if (seq !== this.#seq) return;
          this.loaded = loaded;
          this.total = total;
        },
        onItems: (items, total) => {
          if (seq !== this.#seq || !progressive || items.length >= total) return;
          this.rows = items.slice();
        },
      });
      if (seq !== this.#seq) return;
      this.rows = result.items;
      this.total = result.total;
      this.asOf = result.asOf;
      if (result.incomplete) {
        this.warning = `Only ${result.items.length} of ${result.total} ${this.#options.what} could be loaded. ${errorMessage(result.incomplete)}`;
      } else if (result.items.length < result.total) {
        this.warning = `Showing the first ${result.items.length} of ${result.total} ${this.#options.what}.`;
      }
    } catch (err) {
      if (seq !== this.#seq) return;
      this.error = errorMessage(err, `Loading ${this.#options.what}`);
    } finally {
      if (seq === this.#seq) {
        this.loading = false;
        this.settled = true;
      }
    }
  }

  /** Replaces rows in place after a change (no reload). */
  update(match: (row: T) => boolean, next: (row: T) => T): void {
    this.rows = this.rows.map((r) => (match(r) ? next(r) : r));
  }

  remove(match: (row: T) => boolean): void {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !match(r));
    this.total = Math.max(0, this.total - (before - this.rows.length));
  }
}
