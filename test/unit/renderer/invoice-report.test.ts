import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Invoice, InvoiceListQuery } from '../../../src-shared/api/invoicing.js';
import { BridgeError } from '../../../src-shared/bridge.js';
import DialogHost from '../../../src-renderer/dialogs/DialogHost.svelte';
import { generateFailure, lastFullMonth, periodProblems } from '../../../src-renderer/lib/invoice-period.js';
import InvoiceReportPage from '../../../src-renderer/pages/InvoiceReportPage.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { makeInvoice, type FakeBridge } from './fake-bridge.js';
import { bodyRows, cellTexts, settle, startedApp } from './helpers.js';

// uPlot draws on a canvas, which jsdom has not: the chart's words (summary, table) are what is tested here.
const plots = vi.hoisted(() => ({ made: [] as unknown[][] }));
vi.mock('uplot', () => ({
  default: class {
    static tzDate = (d: Date) => d;
    constructor(...args: unknown[]) {
      plots.made.push(args);
    }
    setSize() {}
    destroy() {}
  },
}));

const GiB = 2 ** 30;
const today = new Date('2026-11-15T12:00:00Z');

/** The invoicing channels over an in-memory list, as the server answers them. */
function fakeInvoicing(b: FakeBridge, invoices: Invoice[]) {
  let next = invoices.length + 1;
  const summary = ({ seller: _s, billTo: _b, notes: _n, taxPercent: _t, lines: _l, subtotal: _st, tax: _x, ...rest }: Invoice) => rest;
  const find = (id: string) => {
    const i = invoices.find((x) => x.id === id);
    if (!i) throw new BridgeError('NOT_FOUND', 'Invoice not found.');
    return i;
  };
  const replace = (i: Invoice) => {
    invoices = invoices.map((x) => (x.id === i.id ? i : x));
    return i;
  };
  b.answer('invoicing.invoices', ({ customerId, query }: { customerId?: string; query: InvoiceListQuery }) => {
    // The server's default order: the newest number first.
    const rows = [...invoices].sort((a, b) => b.number.localeCompare(a.number)).filter(
      (i) =>
        (!customerId || i.customerId === customerId) &&
        (!query.status || i.status === query.status) &&
        (!query.from || i.issuedAt.slice(0, 10) >= query.from) &&
        (!query.to || i.issuedAt.slice(0, 10) <= query.to),
    );
    const offset = query.offset ?? 0;
    return { data: { items: rows.slice(offset, offset + (query.limit ?? 100)).map(summary), total: rows.length }, asOf: null };
  });
  b.answer('invoicing.invoice', ({ id }) => find(id));
  b.answer('invoicing.markPaid', ({ id }) => replace({ ...find(id), status: 'paid' }));
  b.answer('invoicing.creditNote', ({ id }) => {
    const original = replace({ ...find(id), status: 'void' });
    const neg = (a: string) => `-${a}`;
    const note = makeInvoice({
      ...original,
      id: `i${next}`,
      number: `INV-${String(next++).padStart(6, '0')}`,
      kind: 'credit-note',
      creditFor: id,
      status: 'issued',
      lines: original.lines.map((l) => ({ ...l, amount: neg(l.amount) })),
      subtotal: neg(original.subtotal),
      tax: neg(original.tax),
      total: neg(original.total),
    });
    invoices = [...invoices, note];
    return note;
  });
  b.answer('invoicing.usage', ({ from }) => ({
    data: { items: [0, 1, 2].map((n) => ({ day: `${from!.slice(0, 8)}0${n + 1}`, spaceUsed: (12 + n) * GiB, mcalsUsed: 2 })), total: 3 },
    asOf: null,
  }));
  b.answer('invoicing.pdf', ({ id }) => ({ filename: `${find(id).number}.pdf`, base64: btoa('%PDF-1.7 test') }));
}

const issued = makeInvoice({ id: 'i1', number: 'INV-000001' });
const paid = makeInvoice({ id: 'i2', number: 'INV-000002', status: 'paid', periodStart: '2026-09-01', periodEnd: '2026-09-30', issuedAt: '2026-10-01T00:05:00.000Z' });
const other = makeInvoice({ id: 'i3', number: 'INV-000003', customerId: 'c2', customerName: 'Adatum', currency: 'JPY', total: '1200', subtotal: '1000', tax: '200' });

async function openReport(customer: 'c1' | null, invoices = [issued, paid, other]) {
  const { bridge, app } = await startedApp((b) => fakeInvoicing(b, invoices));
  const page = { serverId: 'srv1', customer: customer ? bridge.customers.find((c) => c.id === customer)! : null };
  render(InvoiceReportPage, { props: page, context: appContext(app) });
  render(DialogHost, { context: appContext(app) });
  await settle();
  return { bridge, app, table: () => screen.getByRole('table', { name: customer ? 'Invoice Report of Contoso' : 'Invoice Report' }) };
}

beforeEach(() => {
  plots.made.length = 0;
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('invoice periods', () => {
  test('the default is the last full calendar month, in UTC', () => {
    expect(lastFullMonth(today)).toEqual({ periodStart: '2026-10-01', periodEnd: '2026-10-31' });
    expect(lastFullMonth(new Date('2027-01-01T00:30:00Z'))).toEqual({ periodStart: '2026-12-01', periodEnd: '2026-12-31' });
    expect(lastFullMonth(new Date('2028-03-31T23:59:00Z'))).toEqual({ periodStart: '2028-02-01', periodEnd: '2028-02-29' });
  });

  test('a period ends before today, after its start, and covers at most 366 days', () => {
    expect(periodProblems({ periodStart: '2026-10-01', periodEnd: '2026-11-14' }, today)).toEqual({ periodStart: null, periodEnd: null });
    expect(periodProblems({ periodStart: '2026-10-01', periodEnd: '2026-11-15' }, today).periodEnd).toMatch(/before today/);
    expect(periodProblems({ periodStart: '2026-10-02', periodEnd: '2026-10-01' }, today).periodEnd).toMatch(/on or after its first day/);
    expect(periodProblems({ periodStart: '2025-11-13', periodEnd: '2026-11-14' }, today).periodEnd).toMatch(/at most 366 days; this one has 367/);
    expect(periodProblems({ periodStart: '2025-11-14', periodEnd: '2026-11-14' }, today).periodEnd).toBeNull();
    expect(periodProblems({ periodStart: '2026-02-30', periodEnd: '' }, today)).toEqual({ periodStart: 'Enter the first day of the period.', periodEnd: 'Enter the last day of the period.' });
  });

  test('the two refusals of the server are said with what to do', () => {
    const period = { periodStart: '2026-10-01', periodEnd: '2026-10-31' };
    expect(generateFailure(new BridgeError('CONFLICT', 'Invoicing is disabled for this customer.'), period)).toMatch(/Turn on invoicing in Invoice Configuration first/);
    expect(generateFailure(new BridgeError('CONFLICT', 'No invoice plan is the default.', { field: 'planId' }), period)).toMatch(/pick one in Invoice Configuration first/);
    const overlap = generateFailure(new BridgeError('CONFLICT', 'Invoice INV-000042 already bills 2026-10-01 to 2026-10-31.', { field: 'periodStart', number: 'INV-000042' }), period);
    expect(overlap).toMatch(/^An invoice \(INV-000042\) already covers days of .*: issue a credit note for it first/);
  });
});

describe('Invoice Report', () => {
  test('one customer: its invoices with number, period, issue day, status and total in its currency', async () => {
    const { table } = await openReport('c1');
    const headers = within(table()).getAllByRole('columnheader').map((h) => h.getAttribute('aria-label'));
    expect(headers).toEqual(['Number', 'Kind', 'Period', 'Issued', 'Status', 'Total', 'Currency']);
    const rows = bodyRows(table()).map(cellTexts);
    expect(rows.map((r) => r[0])).toEqual(['INV-000002', 'INV-000001']);
    expect(rows[1]).toContain('€43.20');
    expect(rows[0]).toContain('Paid');
  });

  test('across customers: a customer column, and the status and issue-day filters go to the server', async () => {
    const { bridge, table } = await openReport(null);
    expect(within(table()).getAllByRole('columnheader').map((h) => h.getAttribute('aria-label'))).toContain('Customer');
    expect(bodyRows(table())).toHaveLength(3);
    expect(bodyRows(table()).map(cellTexts)[0]).toContain('¥1,200');

    await fireEvent.change(screen.getByRole('combobox', { name: 'Status' }), { target: { value: 'paid' } });
    await settle();
    expect(bodyRows(table()).map((r) => cellTexts(r)[0])).toEqual(['INV-000002']);
    const last = () => bridge.callsOf('invoicing.invoices').at(-1) as { customerId?: string; query: InvoiceListQuery };
    expect(last()).toMatchObject({ query: { status: 'paid', sort: '-number' } });
    expect(last().customerId).toBeUndefined();

    await fireEvent.change(screen.getByRole('combobox', { name: 'Status' }), { target: { value: '' } });
    await fireEvent.input(screen.getByLabelText('Issued from'), { target: { value: '2026-10-15' } });
    await settle();
    expect(last().query).toMatchObject({ from: '2026-10-15' });
    expect(bodyRows(table()).map((r) => cellTexts(r)[0])).toEqual(['INV-000003', 'INV-000001']);

    // A reversed range is said, and not sent.
    const calls = bridge.callsOf('invoicing.invoices').length;
    await fireEvent.input(screen.getByLabelText('to'), { target: { value: '2026-10-01' } });
    await settle();
    expect(screen.getByRole('alert').textContent).toMatch(/after the “to” day/);
    expect(bridge.callsOf('invoicing.invoices')).toHaveLength(calls);
  });

  test('Generate Invoice offers last month, checks the days, and says the 409s in words', async () => {
    vi.useFakeTimers({ now: today, toFake: ['Date'] });
    const { bridge } = await openReport('c1');
    await fireEvent.click(screen.getByRole('button', { name: /Generate Invoice/ }));
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Generate Invoice' });
    const [start, end] = [within(dialog).getByLabelText('First day'), within(dialog).getByLabelText('Last day')] as HTMLInputElement[];
    expect([start!.value, end!.value]).toEqual(['2026-10-01', '2026-10-31']);
    expect(dialog.textContent).toMatch(/31 days \(UTC\)/);

    await fireEvent.input(end!, { target: { value: '2026-11-20' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Generate Invoice' }));
    await settle();
    expect(dialog.textContent).toMatch(/must end before today/);
    expect(bridge.callsOf('invoicing.generate')).toHaveLength(0);

    await fireEvent.input(end!, { target: { value: '2026-10-31' } });
    bridge.failNext.set('invoicing.generate', new BridgeError('CONFLICT', 'Invoicing is disabled for this customer.'));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Generate Invoice' }));
    await settle();
    expect(within(dialog).getByRole('alert').textContent).toMatch(/Turn on invoicing in Invoice Configuration first/);
    expect(bridge.callsOf('invoicing.generate')[0]).toEqual({ serverId: 'srv1', customerId: 'c1', periodStart: '2026-10-01', periodEnd: '2026-10-31' });

    bridge.failNext.set('invoicing.generate', new BridgeError('CONFLICT', 'Invoice INV-000001 already bills 2026-10-01 to 2026-10-31.', { field: 'periodStart', number: 'INV-000001' }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Generate Invoice' }));
    await settle();
    expect(within(dialog).getByRole('alert').textContent).toMatch(/An invoice \(INV-000001\) already covers days of .*issue a credit note for it first/);
  });

  test('a row opens the invoice view: lines, totals, chart, Mark paid, credit note, PDF, and Back to the report', async () => {
    const { bridge } = await openReport('c1');
    await fireEvent.click(screen.getByRole('button', { name: 'INV-000001' }));
    await settle();
    const doc = screen.getByRole('article', { name: 'Invoice INV-000001' });
    const lines = within(doc).getByRole('table');
    expect(lines.textContent).toContain('MCALs, October 2026');
    expect(lines.textContent).toContain('€26.00');
    expect(lines.textContent).toMatch(/Tax \(20%\)\s*€7.20/);
    expect(lines.textContent).toMatch(/Total\s*€43.20/);
    expect(doc.textContent).toContain('Contoso Ltd');
    // The chart beside it, in words for those who do not see it.
    expect(plots.made).toHaveLength(1);
    expect(screen.getByText(/^From 12\.0 GB on .* to 14\.0 GB on .*, average 13\.0 GB/)).toBeTruthy();
    expect(bridge.callsOf('invoicing.usage')[0]).toEqual({ serverId: 'srv1', customerId: 'c1', from: '2026-10-01', to: '2026-10-31' });

    // Save PDF: the server's bytes downloaded under its file name.
    const saved: { name: string; type: string }[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => `blob:${blob.type}`);
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, type: this.href });
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Save PDF' }));
    await settle();
    expect(saved).toEqual([{ name: 'INV-000001.pdf', type: 'blob:application/pdf' }]);
    click.mockRestore();

    await fireEvent.click(screen.getByRole('button', { name: 'Mark Paid' }));
    await settle();
    expect(within(doc).getByText('Paid')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Mark Paid' }) as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByRole('button', { name: 'Issue Credit Note' }));
    await settle();
    const confirm = screen.getByRole('dialog', { name: 'Issue Credit Note for INV-000001' });
    expect(confirm.textContent).toMatch(/next invoice number.*negated.*-€43\.20/s);
    expect(confirm.textContent).toMatch(/becomes void although it is marked paid/);
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Issue Credit Note' }));
    await settle();
    const note = screen.getByRole('article', { name: 'Credit Note INV-000004' });
    expect(within(note).getByRole('table').textContent).toMatch(/Total\s*-€43\.20/);
    // Its link leads back to the original, now void.
    await fireEvent.click(within(note).getByRole('button', { name: 'INV-000001' }));
    await settle();
    expect(within(screen.getByRole('article', { name: 'Invoice INV-000001' })).getByText('Void')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Issue Credit Note' }) as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByRole('button', { name: /Back/ }));
    await settle();
    const rows = bodyRows(screen.getByRole('table', { name: 'Invoice Report of Contoso' })).map(cellTexts);
    expect(rows.map((r) => [r[0], r[4]])).toEqual([
      ['INV-000004', 'Issued'],
      ['INV-000002', 'Paid'],
      ['INV-000001', 'Void'],
    ]);
  });
});
