import { describe, expect, test } from 'vitest';
import type { Cached } from '../../../src-shared/bridge.js';
import type { List } from '../../../src-shared/api/common.js';
import { csvCell, toCsv } from '../../../src-renderer/lib/csv.js';
import { errorField, fieldMessage } from '../../../src-renderer/lib/errors.js';
import { formatBytes, parseSize, splitBytes } from '../../../src-renderer/lib/format.js';
import { fetchAllPages, type PageQuery } from '../../../src-renderer/lib/paging.js';

/** A list of `total` numbers served in pages, answering out of order, optionally failing at one offset. */
function source(total: number, opts: { asOf?: (q: PageQuery) => string | null; failAt?: number } = {}) {
  const queries: PageQuery[] = [];
  const page = async (q: PageQuery): Promise<Cached<List<number>>> => {
    queries.push(q);
    // Later pages answer sooner, so ordering is the pager's job.
    await new Promise((r) => setTimeout(r, Math.max(0, 20 - q.offset / 100)));
    if (q.offset === opts.failAt) throw Object.assign(new Error('The server cannot be reached.'), { code: 'OFFLINE' });
    const items = Array.from({ length: Math.max(0, Math.min(q.limit, total - q.offset)) }, (_, i) => q.offset + i);
    return { data: { items, total }, asOf: opts.asOf?.(q) ?? null };
  };
  return { page, queries };
}

describe('fetchAllPages', () => {
  test('a small first page, then pages of at most 1000 until total, in order', async () => {
    const { page, queries } = source(4321);
    const seen: number[] = [];
    const result = await fetchAllPages(page, { onItems: (items) => seen.push(items.length) });
    expect(result.items).toEqual(Array.from({ length: 4321 }, (_, i) => i));
    expect(result.total).toBe(4321);
    expect(result.asOf).toBeNull();
    expect(queries[0]).toEqual({ offset: 0, limit: 100 });
    expect(queries.slice(1).map((q) => q.offset).sort((a, b) => a - b)).toEqual([100, 1100, 2100, 3100, 4100]);
    expect(Math.max(...queries.map((q) => q.limit))).toBeLessThanOrEqual(1000);
    // The rows shown grow in order: the first page first, whole prefixes after.
    expect(seen[0]).toBe(100);
    expect(seen.at(-1)).toBe(4321);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  test('reports the oldest asOf when pages come from the offline cache', async () => {
    const { page } = source(2500, { asOf: (q) => (q.offset === 0 ? '2025-01-02T00:00:00.000Z' : '2025-01-01T00:00:00.000Z') });
    const result = await fetchAllPages(page);
    expect(result.asOf).toBe('2025-01-01T00:00:00.000Z');
  });

  test('a later page failing keeps the rows before it and says so; the first page failing throws', async () => {
    const partial = await fetchAllPages(source(3000, { failAt: 1100 }).page);
    expect(partial.items.length).toBe(1100);
    expect(partial.incomplete).toBeTruthy();
    await expect(fetchAllPages(source(3000, { failAt: 0 }).page)).rejects.toThrow('cannot be reached');
  });

  test('stops at max rows', async () => {
    const { page } = source(50_000);
    const result = await fetchAllPages(page, { max: 2500 });
    expect(result.items.length).toBe(2500);
    expect(result.total).toBe(50_000);
  });
});

describe('formatting and errors', () => {
  test('sizes are binary units, parsed back from an amount and unit', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10 * 2 ** 30)).toBe('10 GiB');
    expect(formatBytes(1.25 * 2 ** 40)).toBe('1.25 TiB');
    expect(parseSize('1.5', 'GiB')).toEqual({ bytes: 1.5 * 2 ** 30, error: null });
    expect(parseSize('', 'GiB')).toEqual({ bytes: null, error: null });
    expect(parseSize('abc', 'GiB').error).toMatch(/number/);
    expect(splitBytes(500 * 2 ** 30)).toEqual({ amount: '500', unit: 'GiB' });
    expect(splitBytes(2 ** 40)).toEqual({ amount: '1', unit: 'TiB' });
  });

  test('CSV cells are quoted and formulas defused', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "x"')).toBe('"say ""x"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-5')).toBe('-5');
    expect(toCsv(['A', 'B'], [['1', '2']])).toBe('A,B\r\n1,2\r\n');
  });

  test('server errors are matched to the field their details.field names', () => {
    const taken = { code: 'NAME_TAKEN', message: 'name: a customer named "X" already exists on this server; choose another name.', details: { field: 'name' } };
    expect(errorField(taken, ['name', 'email'] as const)).toBe('name');
    expect(fieldMessage(taken, 'name')).toBe('A customer named "X" already exists on this server; choose another name.');
    // A field path shaped like a channel name is the field, with or without a channel before it.
    const rule = { code: 'BAD_REQUEST', message: 'policy.keepDaily: must be at most 100000.', details: { field: 'policy.keepDaily' } };
    expect(fieldMessage(rule, 'policy.keepDaily')).toBe('Must be at most 100000.');
    expect(fieldMessage({ ...rule, message: `retention.set: ${rule.message}` }, 'policy.keepDaily')).toBe('Must be at most 100000.');
    expect(errorField({ code: 'BAD_REQUEST', message: 'customers.create: input.email must be an email address like name@example.com.', details: { field: 'email' } }, ['name', 'email'] as const)).toBe('email');
    // The message alone no longer decides: without details.field the error is the form's.
    expect(errorField({ code: 'NAME_TAKEN', message: 'name: a customer named "X" already exists.' }, ['name'] as const)).toBeNull();
    expect(errorField({ code: 'MCAL_EXHAUSTED', message: 'The server has no free MCAL left in its pool.' }, ['name'] as const)).toBeNull();
  });
});
