import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import DataTable from '../../../src-renderer/components/DataTable.svelte';
import type { Column } from '../../../src-renderer/state/table.svelte.js';
import { Selection } from '../../../src-renderer/state/selection.svelte.js';
import { bodyRows, cellTexts, settle } from './helpers.js';

interface Row {
  id: string;
  name: string;
  size: number;
  note: string | null;
}

const columns: Column<Row>[] = [
  { id: 'name', header: 'Name', width: 200, value: (r) => r.name },
  { id: 'size', header: 'Size', width: 100, align: 'end', value: (r) => r.size, text: (r) => `${r.size} B` },
  { id: 'note', header: 'Note', width: 200, value: (r) => r.note },
  { id: 'actions', header: 'Actions', width: 80, value: () => null, sortable: false, exported: false },
];

const rows: Row[] = [
  { id: '1', name: 'Charlie', size: 30, note: 'has, comma' },
  { id: '2', name: 'alpha', size: 200, note: null },
  { id: '3', name: 'Bravo', size: 1, note: '=SUM(A1)' },
  { id: '4', name: 'delta 10', size: 5, note: 'say "hi"' },
  { id: '5', name: 'delta 9', size: 5, note: 'x' },
];

function table() {
  return screen.getByRole('table', { name: 'Things' });
}

function names() {
  return bodyRows(table()).map((r) => cellTexts(r)[0]);
}

afterEach(() => vi.restoreAllMocks());

describe('DataTable', () => {
  test('sorts by any sortable column, ascending then descending, and says so with aria-sort', async () => {
    render(DataTable<Row>, { props: { label: 'Things', columns, source: { rows }, rowKey: (r: Row) => r.id } });
    expect(names()).toEqual(['Charlie', 'alpha', 'Bravo', 'delta 10', 'delta 9']);
    const nameHeader = screen.getByRole('columnheader', { name: 'Name' });
    expect(nameHeader.getAttribute('aria-sort')).toBe('none');
    expect(screen.getByRole('columnheader', { name: 'Actions' }).hasAttribute('aria-sort')).toBe(false);

    await fireEvent.click(within(nameHeader).getByRole('button', { name: /Name/ }));
    // Case-insensitive, numeric-aware: "delta 9" before "delta 10".
    expect(names()).toEqual(['alpha', 'Bravo', 'Charlie', 'delta 9', 'delta 10']);
    expect(nameHeader.getAttribute('aria-sort')).toBe('ascending');

    await fireEvent.click(within(nameHeader).getByRole('button', { name: /Name/ }));
    expect(names()).toEqual(['delta 10', 'delta 9', 'Charlie', 'Bravo', 'alpha']);
    expect(nameHeader.getAttribute('aria-sort')).toBe('descending');

    const sizeHeader = screen.getByRole('columnheader', { name: 'Size' });
    await fireEvent.click(within(sizeHeader).getByRole('button'));
    expect(names()).toEqual(['Bravo', 'delta 10', 'delta 9', 'Charlie', 'alpha']);
    expect(nameHeader.getAttribute('aria-sort')).toBe('none');
    expect(sizeHeader.getAttribute('aria-sort')).toBe('ascending');

    // Empty values sort last in both directions.
    const noteHeader = screen.getByRole('columnheader', { name: 'Note' });
    await fireEvent.click(within(noteHeader).getByRole('button'));
    expect(names().at(-1)).toBe('alpha');
    await fireEvent.click(within(noteHeader).getByRole('button'));
    expect(names().at(-1)).toBe('alpha');
  });

  test('filters as you type across the shown text, with counts in the status line', async () => {
    render(DataTable<Row>, { props: { label: 'Things', columns, source: { rows }, rowKey: (r: Row) => r.id, noun: { one: 'thing', many: 'things' } } });
    expect(screen.getByText('5 things')).toBeTruthy();
    const filter = screen.getByRole('searchbox', { name: 'Filter Things' });
    await fireEvent.input(filter, { target: { value: 'DELTA' } });
    expect(names()).toEqual(['delta 10', 'delta 9']);
    expect(screen.getByText('2 of 5 things match the filter')).toBeTruthy();
    expect(table().getAttribute('aria-rowcount')).toBe('3');
    // Every word must match; cell text (not raw values) is searched: "200 B".
    await fireEvent.input(filter, { target: { value: '200 b' } });
    expect(names()).toEqual(['alpha']);
    await fireEvent.input(filter, { target: { value: 'nothing like this' } });
    expect(names()).toEqual([]);
    expect(screen.getByText(/No things match/)).toBeTruthy();
  });

  test('renders only the rows in view: 20,000 rows keep at most 150 in the DOM, with aria-rowcount/aria-rowindex', async () => {
    const many: Row[] = Array.from({ length: 20_000 }, (_, i) => ({ id: String(i), name: `Customer ${String(i).padStart(5, '0')}`, size: i, note: null }));
    render(DataTable<Row>, { props: { label: 'Things', columns, source: { rows: many }, rowKey: (r: Row) => r.id } });
    const t = table();
    expect(t.getAttribute('aria-rowcount')).toBe('20001');
    const first = bodyRows(t);
    expect(first.length).toBeGreaterThan(10);
    expect(first.length).toBeLessThanOrEqual(150);
    expect(first[0]?.getAttribute('aria-rowindex')).toBe('2');
    expect(t.querySelectorAll('[role="row"]').length).toBeLessThanOrEqual(151);

    // Scroll to row 10,000: the window moves, the DOM stays small, and the body keeps the full height.
    Object.defineProperty(t, 'scrollTop', { configurable: true, value: 36 * 10_000 });
    await fireEvent.scroll(t);
    const later = bodyRows(t);
    expect(later.length).toBeLessThanOrEqual(150);
    const index = Number(later[0]?.getAttribute('aria-rowindex'));
    expect(index).toBeGreaterThan(9_000);
    expect(index).toBeLessThanOrEqual(10_002);
    expect(cellTexts(later[0]!)[0]).toBe(`Customer ${String(index - 2).padStart(5, '0')}`);
    // The body is as tall as all rows; each rendered row sits at its own offset.
    const body = t.querySelector<HTMLElement>('[role="rowgroup"]:last-child')!;
    expect(body.style.height).toBe(`${20_000 * 36}px`);
    expect(later[0]!.style.top).toBe(`${(index - 2) * 36}px`);
  });

  test('exports the current view (filter and sort applied) as CSV, quoting and defusing formulas', async () => {
    let blob: Blob | null = null;
    URL.createObjectURL = vi.fn((b: Blob) => {
      blob = b;
      return 'blob:test';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    render(DataTable<Row>, { props: { label: 'Things', columns, source: { rows }, rowKey: (r: Row) => r.id } });
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter Things' }), { target: { value: 'a' } });
    await fireEvent.click(within(screen.getByRole('columnheader', { name: 'Size' })).getByRole('button'));
    await fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(click).toHaveBeenCalledOnce();
    expect(blob).not.toBeNull();
    const text = (await blob!.text()).replace(/^\ufeff/, '');
    expect(text).toBe(
      ['Name,Size,Note', "Bravo,1 B,'=SUM(A1)", 'delta 10,5 B,"say ""hi"""', 'delta 9,5 B,x', 'Charlie,30 B,"has, comma"', 'alpha,200 B,'].join('\r\n') + '\r\n',
    );
  });

  test('row checkboxes and "Select all shown" fill the selection', async () => {
    const selection = new Selection();
    render(DataTable<Row>, { props: { label: 'Things', columns, source: { rows }, rowKey: (r: Row) => r.id, rowLabel: (r: Row) => r.name, selection } });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Select Bravo' }));
    expect([...selection.ids]).toEqual(['3']);
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter Things' }), { target: { value: 'delta' } });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Select all shown' }));
    expect([...selection.ids].sort()).toEqual(['3', '4', '5']);
    expect(screen.getByText(/3 selected/)).toBeTruthy();
  });

  test('says "offline — as of …" when the rows come from the cache', async () => {
    render(DataTable<Row>, { props: { label: 'Things', columns, source: { rows, asOf: '2025-01-15T10:00:00.000Z' }, rowKey: (r: Row) => r.id } });
    await settle();
    expect(screen.getAllByText(/^offline — as of /).length).toBeGreaterThan(0);
  });
});
