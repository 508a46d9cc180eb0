/**
 * The PDF invoice (src-server/invoicing/pdf.ts): its text as poppler's pdftotext extracts it holds the
 * seller, number, dates, bill-to, every line and the totals in the currency's own format; long invoices
 * continue on a second page with "Page n of m"; the same invoice gives the same bytes. Page 1 of the
 * EUR invoice is rendered to test-results/invoice-pdf-page1.png to be looked at.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoice, InvoiceLine } from '../../src-shared/api/invoicing.js';
import { invoicePdf } from '../../src-server/invoicing/pdf.js';

const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results');
let dir: string;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'invoice-pdf-'));
});
afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

const line = (description: string, quantity: string, unitPrice: string, amount: string): InvoiceLine => ({ description, quantity, unitPrice, amount });

const EUR: Invoice = {
  id: 'inv_eur',
  number: 'INV-000042',
  kind: 'invoice',
  creditFor: null,
  status: 'issued',
  customerId: 'cus_1',
  customerName: 'Acme Dental',
  periodStart: '2026-09-15',
  periodEnd: '2026-10-14',
  issuedAt: '2026-10-15T00:30:00.000Z',
  currency: 'EUR',
  seller: 'Northwind Backup Services',
  billTo: 'Acme Dental GmbH\nAccounts Payable\nHauptstraße 5\n10115 Berlin, Germany',
  notes: 'Payable within 30 days to IBAN DE89 3704 0044 0532 0130 00.\nThank you for your business.',
  taxPercent: 19,
  lines: [
    line('MCALs, September 2026', '6.0000', '3.50', '21.00'),
    line('Storage, September 2026 (average 812.3456 GB)', '0.5333', '1150.25', '613.47'),
    line('MCALs, October 2026', '5.8065', '3.50', '20.32'),
    line('Storage, October 2026 (average 830.0000 GB)', '0.4516', '1175.00', '530.65'),
  ],
  subtotal: '1185.44',
  tax: '225.23',
  total: '1410.67',
};

const JPY: Invoice = {
  ...EUR,
  id: 'inv_jpy',
  number: 'INV-000043',
  status: 'paid',
  currency: 'JPY',
  billTo: 'Sakura Clinic\n1-2-3 Shibuya\nTokyo 150-0002',
  notes: '',
  taxPercent: 10,
  lines: [line('MCALs, October 2026', '12.0000', '100', '1200'), line('Storage, October 2026 (average 350.0000 GB)', '1.0000', '35000', '35000')],
  subtotal: '36200',
  tax: '3620',
  total: '39820',
};

const KWD_CREDIT: Invoice = {
  ...EUR,
  id: 'inv_kwd_cn',
  number: 'INV-000044',
  kind: 'credit-note',
  creditFor: 'inv_kwd',
  currency: 'KWD',
  billTo: 'Gulf Logistics\nKuwait City',
  notes: '',
  taxPercent: 5,
  lines: [line('MCALs, October 2026', '1.0000', '1.250', '-1.250'), line('Storage, October 2026 (average 20.0000 GB)', '1.0000', '12.500', '-12.500')],
  subtotal: '-13.750',
  tax: '-0.688',
  total: '-14.438',
};

const LONG_LINES = Array.from({ length: 60 }, (_, i) => line(`Service item ${i + 1}`, '1.0000', '10.00', '10.00'));
const LONG: Invoice = { ...EUR, id: 'inv_long', number: 'INV-000045', status: 'void', lines: LONG_LINES, subtotal: '600.00', tax: '114.00', total: '714.00' };

/** Writes the invoice's PDF and returns it with pdftotext's layout text and its pages. */
async function render(invoice: Invoice, creditForNumber?: string) {
  const bytes = await invoicePdf(invoice, creditForNumber);
  const file = path.join(dir, `${invoice.id}.pdf`);
  await fs.promises.writeFile(file, bytes);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  // pdftotext ends every page with a form feed.
  const pages = text.split('\f').slice(0, -1);
  return { bytes, file, text, pages };
}

/** Every string appears in the text (pdftotext -layout keeps a line's cells apart by spaces). */
function expectAll(text: string, strings: string[]): void {
  for (const s of strings) expect(text, s).toContain(s);
}

describe('invoicePdf', () => {
  it('an EUR invoice shows the seller, number, dates, bill-to, every line and the totals', async () => {
    const { text, pages, file } = await render(EUR);
    expect(pages).toHaveLength(1);
    expectAll(text, ['Northwind Backup Services', 'INVOICE', 'INV-000042', 'Issue date', 'Oct 15, 2026', 'Sep 15, 2026 – Oct 14, 2026']);
    expectAll(text, ['Acme Dental GmbH', 'Accounts Payable', 'Hauptstraße 5', '10115 Berlin, Germany']);
    for (const l of EUR.lines) expect(text).toMatch(new RegExp(`${escape(l.description)}\\s+${escape(l.quantity)}\\s+\\S+\\s+\\S+`));
    expectAll(text, ['€3.50', '€21.00', '€1,150.25', '€613.47', '€20.32', '€1,175.00', '€530.65']);
    expect(text).toMatch(/Subtotal\s+€1,185\.44/);
    expect(text).toMatch(/Tax \(19%\)\s+€225\.23/);
    expect(text).toMatch(/Total \(EUR\)\s+€1,410\.67/);
    expectAll(text, ['Payable within 30 days', 'Thank you for your business.', 'Page 1 of 1']);
    expect(text).not.toMatch(/PAID|VOID/);

    await fs.promises.mkdir(RESULTS, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, path.join(RESULTS, 'invoice-pdf-page1')]);
    expect(fs.existsSync(path.join(RESULTS, 'invoice-pdf-page1.png'))).toBe(true);
  });

  it('a JPY invoice has no minor digits, and a paid one is stamped PAID', async () => {
    const { text } = await render(JPY);
    expectAll(text, ['INV-000043', 'Sakura Clinic', '1-2-3 Shibuya', 'Tokyo 150-0002', 'MCALs, October 2026', '¥100', '¥1,200', '¥35,000', 'PAID']);
    expect(text).toMatch(/Subtotal\s+¥36,200/);
    expect(text).toMatch(/Tax \(10%\)\s+¥3,620/);
    expect(text).toMatch(/Total \(JPY\)\s+¥39,820/);
  });

  it('a credit note names the invoice it credits and shows its amounts negative, with three minor digits for KWD', async () => {
    const { text } = await render(KWD_CREDIT, 'INV-000041');
    expectAll(text, ['CREDIT NOTE', 'INV-000044', 'Credit note for', 'INV-000041', 'Gulf Logistics', 'Kuwait City', 'KWD 1.250', '-KWD 1.250', '-KWD 12.500']);
    expect(text).toMatch(/Subtotal\s+-KWD 13\.750/);
    expect(text).toMatch(/Tax \(5%\)\s+-KWD 0\.688/);
    expect(text).toMatch(/Total \(KWD\)\s+-KWD 14\.438/);
  });

  it('60 lines continue on a second page under the table header again, each page numbered', async () => {
    const { pages } = await render(LONG);
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('Page 1 of 2');
    expect(pages[1]).toContain('Page 2 of 2');
    expect(pages[0]).toContain('VOID');
    for (const page of pages) expect(page).toMatch(/Description\s+Quantity\s+Unit price\s+Amount/);
    expect(pages[1]).toContain('INV-000045 (continued)');
    const text = pages.join('');
    for (const l of LONG_LINES) expect(text).toMatch(new RegExp(`${l.description}\\s+1\\.0000\\s+€10\\.00\\s+€10\\.00`));
    expect(pages[1]).toMatch(/Total \(EUR\)\s+€714\.00/);
  });

  it('long descriptions wrap inside their column, and text the standard font lacks is drawn without it', async () => {
    const wrapped = 'Storage for the archive of every workstation of the northern office, including the mirrored copies kept off site';
    const { text } = await render({ ...EUR, id: 'inv_wrap', seller: 'Łódź Backup', billTo: 'Café Ärzte\nZürich', lines: [line(wrapped, '1.0000', '5.00', '5.00')] });
    const words = text.replace(/\s+/g, ' ');
    expect(words).toContain('Storage for the archive');
    expect(words).toContain('kept off site');
    // Each printed line of the description keeps to its column: no line runs into the quantity.
    expect(text).toMatch(/Storage for the archive.*\s+1\.0000\s+€5\.00\s+€5\.00/);
    expectAll(text, ['?ódz Backup', 'Café Ärzte', 'Zürich']);
  });

  it('the same invoice gives the same bytes; its issue time is the document date', async () => {
    const [a, b] = await Promise.all([invoicePdf(EUR), invoicePdf(EUR)]);
    expect(a.equals(b)).toBe(true);
    const info = execFileSync('pdfinfo', [(await render(EUR)).file], { encoding: 'utf8' });
    expect(info).toMatch(/CreationDate:.*2026/);
    expect(info).toMatch(/Title:\s+Invoice INV-000042/);
    const later = await invoicePdf({ ...EUR, issuedAt: '2026-10-16T00:30:00.000Z' });
    expect(later.equals(a)).toBe(false);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
