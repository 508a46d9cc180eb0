/**
 * Invoicing end to end (issue 13), in Debian's Chromium against the browser host: a server of the tests'
 * own added to the console, with a plan (EUR 5 per MCAL, storage uniform at EUR 2 per GB), a customer and
 * last month's usage written into its database (2 MCALs every day, space growing by 0.25 GB a day from
 * 10 GB). Through the console: Generate Invoice for last month (refused first while invoicing is off),
 * the invoice with its lines and total beside the usage chart, Save PDF, Print, Mark Paid, a credit note
 * that voids it, then the report across customers filtered by status and exported as CSV.
 * Screenshots (light and dark) go to test-results/e2e-invoicing-*.png.
 */
import { readFile, rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lastFullMonth } from '../../src-renderer/lib/invoice-period.js';
import { TestClient } from '../support/api-client.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import { writeUsageHistory } from '../support/usage-history.js';
import {
  addServer,
  customerRow,
  eachStep,
  hasText,
  hidden,
  isDisabled,
  notice,
  openCustomers,
  rowWith,
  screenshot,
  startConsole,
  treeItem,
  treeLine,
  visible,
  type Session,
  type WebHost,
} from './support.js';

const SERVER = 'Billing Server';
const CUSTOMER = 'E2E Billing Clinic';
const GiB = 2 ** 30;
const period = lastFullMonth();
const days = Number(period.periodEnd.slice(8, 10));
/**
 * By hand: MCALs 5.00 × 2 = 10.00; storage uniform, 2.00 × the average GB (10 + 0.25 × (days − 1) / 2)
 * = 20.00 + 0.25 × (days − 1); tax 20 %. In cents, exact for every month length.
 */
const subtotalCents = 1000 + 2000 + 25 * (days - 1);
const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;
const total = euros(subtotalCents + subtotalCents / 5);

let host: WebHost;
let server: RunningServer;
let session: Session;
let page: Page;
let api: TestClient;
let customerId: string;
let reseller: string | null;
let number: string;

const main = () => page.getByRole('main');
const report = (name: string) => page.getByRole('table', { name });
const invoice = (title: string | RegExp) => page.getByRole('article', { name: title });

/** Both themes of what is on screen now. */
async function screenshots(name: string) {
  await screenshot(page, `invoicing-${name}`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `invoicing-${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

async function downloaded(click: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), body: await readFile(path) };
}

beforeAll(async () => {
  let started: { host: WebHost; session: Session };
  [server, started] = await Promise.all([startServer({ http: true }), startConsole(['--demo'])]);
  ({ host, session } = started);
  page = session.page;
  api = await new TestClient(server.api).login();
  const info = await api.get<{ resellerManagement: boolean }>('/server');
  const resellers = await api.get<{ items: { id: string; name: string }[] }>('/resellers');
  reseller = info.body.resellerManagement ? resellers.body.items[0]!.name : null;
  const customer = await api.post<{ id: string }>(`/resellers/${resellers.body.items[0]!.id}/customers`, { name: CUSTOMER });
  customerId = customer.body.id;
  const plan = await api.post('/invoice-plans', {
    name: 'Standard',
    currency: 'EUR',
    pricePerMcal: '5',
    isDefault: true,
    storage: { method: 'uniform', slabs: [{ upToGb: null, price: '2' }] },
  });
  expect([customer.status, plan.status]).toEqual([201, 201]);
  writeUsageHistory(
    server.dataDir,
    customerId,
    Array.from({ length: days }, (_, i) => ({ day: `${period.periodStart.slice(0, 8)}${String(i + 1).padStart(2, '0')}`, spaceUsed: (10 + 0.25 * i) * GiB, mcalsUsed: 2 })),
  );
}, 300_000);

eachStep(() => session);

afterAll(async () => {
  await session?.browser.close();
  await host?.stop();
  await server?.stop();
  if (server?.dataDir) await rm(server.dataDir, { recursive: true, force: true });
});

describe('invoicing, end to end', () => {
  test("the customer's Invoice Report opens from its row; Generate Invoice refuses while invoicing is off, in words", async () => {
    await addServer(page, SERVER, server.url);
    await openCustomers(page, new RegExp(`^${SERVER} online$`), reseller);
    const row = await customerRow(page, CUSTOMER);
    await visible(row.getByRole('button', { name: 'Invoice Configuration', exact: true }));
    await screenshot(page, 'invoicing-00-customer-actions');
    await row.getByRole('button', { name: 'Invoice Report', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Invoice Report' }).waitFor();
    await visible(main().getByText('No invoices yet.', { exact: false }));

    await page.getByRole('button', { name: 'Generate Invoice…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate Invoice' });
    expect(await dialog.getByLabel('First day').inputValue()).toBe(period.periodStart);
    expect(await dialog.getByLabel('Last day').inputValue()).toBe(period.periodEnd);
    await hasText(dialog, `${days} days (UTC)`);
    await dialog.getByRole('button', { name: 'Generate Invoice' }).click();
    await hasText(dialog.getByRole('alert'), 'Turn on invoicing in Invoice Configuration first');
    await screenshots('01-generate-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await hidden(dialog);
  });

  test('with invoicing on, Generate Invoice for last month opens the invoice: lines, tax, total, and the usage chart', async () => {
    const put = await api.put(`/customers/${customerId}/invoice-config`, { enabled: true, planId: null, taxPercent: 20, cycle: 'monthly', billingDay: 1, billTo: `${CUSTOMER}\n1 Harbour Road` });
    expect(put.status).toBe(200);
    await page.getByRole('button', { name: 'Generate Invoice…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate Invoice' });
    await dialog.getByRole('button', { name: 'Generate Invoice' }).click();
    await hidden(dialog);

    const doc = invoice(/^Invoice INV-\d+$/);
    await visible(doc);
    number = (await doc.getAttribute('aria-label'))!.replace('Invoice ', '');
    const month = new Date(`${period.periodStart}T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const lines = doc.getByRole('table', { name: `Lines of Invoice ${number}` });
    await hasText(lines, `MCALs, ${month}`);
    await hasText(lines, /Tax \(20%\)/);
    await hasText(lines, new RegExp(`Total\\s+${total.replace('.', '\\.')}`));
    await hasText(doc, '1 Harbour Road');
    // The chart beside it, and its words.
    const usage = page.getByRole('complementary', { name: 'Used space over the period' });
    await visible(usage.locator('canvas').first());
    await hasText(usage, /From 10\.0 GB on .+ to .+ GB on .+, average .+ GB/);
    await screenshots('02-invoice');
  });

  test('Save PDF downloads the server’s PDF under the invoice number; Print prints the invoice alone', async () => {
    const pdf = await downloaded(() => page.getByRole('button', { name: 'Save PDF' }).click());
    expect(pdf.name).toBe(`${number}.pdf`);
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');

    // The print dialog cannot be driven headless: print() is stubbed, and the print media shows what it prints.
    await page.evaluate(() => (window.print = () => undefined));
    await page.getByRole('button', { name: 'Print' }).click();
    await page.emulateMedia({ media: 'print' });
    await expect.poll(() => page.locator('body > .print-root').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#app').isVisible()).toBe(false);
    await screenshot(page, 'invoicing-03-print');
    await page.emulateMedia({ media: 'screen' });
  });

  test('Mark Paid: the invoice is paid, and cannot be marked again', async () => {
    await page.getByRole('button', { name: 'Mark Paid' }).click();
    await notice(page, `${number} is marked paid.`);
    await hasText(invoice(`Invoice ${number}`), 'Paid');
    await isDisabled(page.getByRole('button', { name: 'Mark Paid' }));
  });

  test('Issue Credit Note says what it does, issues the next number negating every amount, and voids the original', async () => {
    await page.getByRole('button', { name: 'Issue Credit Note' }).click();
    const dialog = page.getByRole('dialog', { name: `Issue Credit Note for ${number}` });
    await hasText(dialog, /next invoice number.+negated/);
    await hasText(dialog, `-${total}`);
    await screenshots('04-credit-note-confirm');
    await dialog.getByRole('button', { name: 'Issue Credit Note' }).click();
    await hidden(dialog);

    const note = invoice(/^Credit Note INV-\d+$/);
    await visible(note);
    const noteNumber = (await note.getAttribute('aria-label'))!.replace('Credit Note ', '');
    expect(Number(noteNumber.slice(4))).toBe(Number(number.slice(4)) + 1);
    await hasText(note.getByRole('table'), new RegExp(`Total\\s+-${total.replace('.', '\\.')}`));
    await screenshots('05-credit-note');
    await note.getByRole('button', { name: number }).click();
    await hasText(invoice(`Invoice ${number}`), 'Void');
    await isDisabled(page.getByRole('button', { name: 'Issue Credit Note' }));

    await page.getByRole('button', { name: 'Back', exact: true }).click();
    const table = report(`Invoice Report of ${CUSTOMER}`);
    await hasText(rowWith(table, number), 'Void');
    await hasText(rowWith(table, noteNumber), 'Credit note');
  });

  test('across customers: the server’s Invoice Report filtered by status, exported as CSV', async () => {
    await treeLine(treeItem(page, `${SERVER} online`)).click();
    await main().getByRole('button', { name: 'Invoice Report', exact: true }).click();
    const table = report('Invoice Report');
    await hasText(rowWith(table, number), CUSTOMER);
    await page.getByRole('combobox', { name: 'Status' }).selectOption('void');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await hasText(rowWith(table, number), 'Void');
    await screenshots('06-report-across');

    const csv = await downloaded(() => page.getByRole('button', { name: 'Export CSV' }).click());
    expect(csv.name).toMatch(/^invoice-report-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = csv.body.toString('utf8').replace(/^\ufeff/, '');
    expect(text.split('\r\n')[0]).toBe('Number,Customer,Kind,Period,Issued,Status,Total,Currency');
    expect(text).toContain(`${number},${CUSTOMER},Invoice,`);
    expect(text).toContain(`Void,${total},EUR`);
    // The one refusal asked for (invoicing off) is the browser's only complaint.
    expect(session.problems.filter((p) => !/status of 409/.test(p))).toEqual([]);
  });
});
