import type { Cached } from '../../src-shared/bridge.js';
import type { List } from '../../src-shared/api/common.js';

export const PAGE_SIZE = 1000;
/** The first page is small so the first rows show quickly; the rest come in full pages. */
export const FIRST_PAGE_SIZE = 100;
/** Pages fetched at once after the first (which tells the total). */
export const PARALLEL_PAGES = 4;

export interface PageQuery {
  offset: number;
  limit: number;
}

export interface AllPages<T> {
  items: T[];
  total: number;
  /** The oldest `asOf` among the pages: non-null when any page came from the offline cache. */
  asOf: string | null;
  /** Set when a later page failed: the rows are the ones before it. */
  incomplete: unknown;
}

export interface PagingOptions<T = unknown> {
  pageSize?: number;
  firstPageSize?: number;
  parallel?: number;
  /** Stop after this many rows even if the server has more (the total still says how many exist). */
  max?: number;
  onProgress?: (loaded: number, total: number) => void;
  /** The rows fetched so far, in order, after each page (for showing the first rows while the rest loads). */
  onItems?: (items: readonly T[], total: number) => void;
  /** Return true to abandon the load (a newer one started). */
  cancelled?: () => boolean;
}

/** Longest wait for a paint: a hidden window paints no frames, and its list must load all the same. */
const PAINT_WAIT_MS = 100;

/**
 * Resolves once the browser has painted what is on screen: a task queued from an animation frame runs
 * after that frame's paint (a plain `setTimeout(0)` often runs before it, and then the next pages'
 * responses delayed the first rows' paint by ~140 ms in the UI benchmark).
 */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== 'function') return void setTimeout(resolve, 0);
    const timer = setTimeout(resolve, PAINT_WAIT_MS);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

/**
 * Fetches a list page by page (limit ≤ 1000) until `total` is reached: a small first page, then full
 * pages a few at a time, kept in order. The first page's failure is the caller's to show; a later page's
 * failure keeps the rows before it and says so.
 */
export async function fetchAllPages<T>(page: (q: PageQuery) => Promise<Cached<List<T>>>, options: PagingOptions<T> = {}): Promise<AllPages<T>> {
  const size = Math.min(1000, Math.max(1, options.pageSize ?? PAGE_SIZE));
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const parallel = Math.max(1, options.parallel ?? PARALLEL_PAGES);
  let asOf: string | null = null;
  const note = (r: Cached<List<T>>) => {
    if (r.asOf !== null && (asOf === null || r.asOf < asOf)) asOf = r.asOf;
  };

  const firstLimit = Math.min(size, Math.max(1, options.firstPageSize ?? Math.min(FIRST_PAGE_SIZE, size)), max);
  const first = await page({ offset: 0, limit: firstLimit });
  note(first);
  const total = first.data.total;
  const items: T[] = [...first.data.items];
  options.onProgress?.(items.length, total);
  options.onItems?.(items, total);
  const wanted = Math.min(total, max);
  if (first.data.items.length < firstLimit || items.length >= wanted) return { items, total, asOf, incomplete: null };
  // Let the first rows render and paint before the next requests and their parsing take the thread.
  await afterPaint();

  // The remaining pages, fetched `parallel` at a time and appended in order as each prefix completes.
  const offsets: number[] = [];
  for (let o = items.length; o < wanted; o += size) offsets.push(o);
  const results = new Map<number, Cached<List<T>>>();
  let next = 0;
  let appended = 0;
  let incomplete: unknown = null;
  const flush = () => {
    let grew = false;
    while (appended < offsets.length && results.has(offsets[appended]!)) {
      const r = results.get(offsets[appended]!)!;
      for (const item of r.data.items) if (items.length < wanted) items.push(item);
      results.delete(offsets[appended]!);
      appended++;
      grew = true;
    }
    if (grew) {
      options.onProgress?.(items.length, total);
      options.onItems?.(items, total);
    }
  };
  const worker = async () => {
    while (next < offsets.length && incomplete === null && !options.cancelled?.()) {
      const offset = offsets[next++]!;
      try {
        const r = await page({ offset, limit: Math.min(size, wanted - offset) });
        note(r);
        results.set(offset, r);
        flush();
      } catch (err) {
        incomplete ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, offsets.length) }, worker));
  return { items, total, asOf, incomplete };
}
