import PDFDocument from 'pdfkit';
import type { Invoice, InvoiceLine } from '../../src-shared/api/invoicing.js';

/**
 * The PDF of an issued invoice or credit note (GET /invoices/:id/pdf): A4, the standard Helvetica (no font
 * file to ship, and its text is extractable), money in its currency's own format. The same invoice always
 * gives the same bytes: the document's dates and file id come from `issuedAt`, never from the clock.
 */

type Doc = PDFKit.PDFDocument;

const MARGIN = 50;
/** Room under the content for the page footer. */
const FOOTER_SPACE = 30;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const INK = '#1f2328';
const MUTED = '#656d76';
const RULE = '#d0d7de';
const STAMPS = { paid: '#1a7f37', void: '#cf222e' } as const;
/** A table cell's padding, across and down. */
const PAD_X = 5;
const PAD_Y = 3;
const ROW_SIZE = 9;

/** The lines table: description wraps, numbers are right aligned; widths add up to A4's text width. */
const COLUMNS: readonly { title: string; width: number; align: 'left' | 'right'; cell: (l: InvoiceLine, money: Money) => string }[] = [
  { title: 'Description', width: 235, align: 'left', cell: (l) => l.description },
  { title: 'Quantity', width: 70, align: 'right', cell: (l) => QUANTITY.format(exact(l.quantity)) },
  { title: 'Unit price', width: 95, align: 'right', cell: (l, money) => money(l.unitPrice) },
  { title: 'Amount', width: 95.28, align: 'right', cell: (l, money) => money(l.amount) },
];
type Money = (amount: string) => string;
/** Intl formats a decimal string exactly: no float, so no rounding on the way. */
const exact = (decimal: string) => decimal as Intl.StringNumericLiteral;
const QUANTITY = new Intl.NumberFormat('en', { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const DAY = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const day = (isoDay: string) => DAY.format(new Date(`${isoDay.slice(0, 10)}T00:00:00Z`));

/**
 * `creditForNumber`: the number of the invoice a credit note is for (the invoice carries only its id).
 */
export function invoicePdf(invoice: Invoice, creditForNumber?: string): Promise<Buffer> {
  const title = invoice.kind === 'credit-note' ? 'Credit note' : 'Invoice';
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_SPACE },
    bufferPages: true,
    info: { Title: `${title} ${invoice.number}`, Author: printable(invoice.seller), CreationDate: new Date(invoice.issuedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const money = moneyFormat(invoice.currency);
  header(doc, invoice, title, creditForNumber);
  linesTable(doc, invoice, title, money);
  totalsBlock(doc, invoice, money);
  if (invoice.notes.trim()) {
    ensureRoom(doc, 40);
    doc.moveDown(1.5).font(BOLD).fontSize(9).fillColor(MUTED).text('Notes', MARGIN);
    doc.font(FONT).fontSize(10).fillColor(INK).text(printable(invoice.notes), MARGIN, undefined, { width: textWidth(doc) });
  }
  footers(doc, invoice, title);
  doc.end();
  return done;
}

function header(doc: Doc, invoice: Invoice, title: string, creditForNumber: string | undefined): void {
  const width = textWidth(doc);
  const right = MARGIN + width;
  const heading = title.toUpperCase();
  const titleX = right - doc.font(BOLD).fontSize(24).widthOfString(heading);
  // The seller's name wraps before it could reach the stamp or the title.
  const sellerEnd = invoice.status === 'issued' ? titleX : stamp(doc, invoice.status, titleX - 24);
  doc.font(BOLD).fontSize(16).fillColor(INK).text(printable(invoice.seller), MARGIN, MARGIN, { width: sellerEnd - 24 - MARGIN });
  const sellerBottom = doc.y;
  doc.font(BOLD).fontSize(24).fillColor(INK).text(heading, MARGIN, MARGIN, { width, align: 'right' });
  doc.font(FONT).fontSize(11).fillColor(MUTED).text(invoice.number, MARGIN, doc.y, { width, align: 'right' });

  const partiesTop = Math.max(sellerBottom, doc.y) + 28;
  const facts: [string, string][] = [
    [`${title} number`, invoice.number],
    ['Issue date', day(invoice.issuedAt)],
    ['Period', `${day(invoice.periodStart)} – ${day(invoice.periodEnd)}`],
  ];
  if (invoice.creditFor) facts.push(['Credit note for', creditForNumber ?? invoice.creditFor]);
  const factsX = MARGIN + width * 0.5;
  const labelWidth = 85;
  let y = partiesTop;
  for (const [label, value] of facts) {
    doc.font(FONT).fontSize(9).fillColor(MUTED).text(label, factsX, y, { width: labelWidth });
    doc.font(FONT).fontSize(10).fillColor(INK).text(value, factsX + labelWidth, y, { width: width * 0.5 - labelWidth, align: 'right' });
    y = doc.y + 4;
  }
  const factsBottom = y;

  doc.font(BOLD).fontSize(9).fillColor(MUTED).text('Bill to', MARGIN, partiesTop);
  const billTo = invoice.billTo.trim() || invoice.customerName;
  doc.font(FONT).fontSize(10).fillColor(INK).text(printable(billTo), MARGIN, doc.y + 2, { width: width * 0.45 });
  doc.y = Math.max(doc.y, factsBottom) + 24;
}

/** PAID or VOID, stamped beside the title so nobody mistakes it for a bill still due; returns where it starts. */
function stamp(doc: Doc, status: keyof typeof STAMPS, end: number): number {
  const text = status.toUpperCase();
  doc.font(BOLD).fontSize(20);
  const w = doc.widthOfString(text) + 20;
  const h = 30;
  const x = end - w;
  doc.save().rotate(-12, { origin: [x + w / 2, MARGIN + h / 2] });
  doc.lineWidth(2.5).roundedRect(x, MARGIN, w, h, 4).strokeColor(STAMPS[status]).stroke();
  doc.fillColor(STAMPS[status]).text(text, x, MARGIN + 8, { width: w, align: 'center', lineBreak: false });
  doc.restore();
  return x;
}

function linesTable(doc: Doc, invoice: Invoice, title: string, money: Money): void {
  tableHeader(doc);
  for (const line of invoice.lines) {
    const cells = COLUMNS.map((c) => printable(c.cell(line, money)));
    doc.font(FONT).fontSize(ROW_SIZE);
    const height = Math.max(...cells.map((text, i) => doc.heightOfString(text, { width: COLUMNS[i]!.width - 2 * PAD_X }))) + 2 * PAD_Y;
    if (doc.y + height > bottom(doc)) {
      doc.addPage();
      doc.font(FONT).fontSize(9).fillColor(MUTED).text(`${title} ${invoice.number} (continued)`, MARGIN, MARGIN);
      doc.moveDown(1);
      tableHeader(doc);
    }
    row(doc, cells, height, FONT, INK);
    rule(doc, RULE, 0.5);
  }
}

function tableHeader(doc: Doc): void {
  doc.font(BOLD).fontSize(ROW_SIZE);
  const height = doc.currentLineHeight() + 2 * PAD_Y;
  doc.rect(MARGIN, doc.y, textWidth(doc), height).fill('#f6f8fa');
  row(doc, COLUMNS.map((c) => c.title), height, BOLD, MUTED);
  rule(doc, INK, 1);
}

/** One table row of `height` at the current y; leaves y under it. */
function row(doc: Doc, cells: readonly string[], height: number, font: string, color: string): void {
  const top = doc.y;
  doc.font(font).fontSize(ROW_SIZE).fillColor(color);
  let x = MARGIN;
  cells.forEach((text, i) => {
    const column = COLUMNS[i]!;
    doc.text(text, x + PAD_X, top + PAD_Y, { width: column.width - 2 * PAD_X, align: column.align });
    x += column.width;
  });
  doc.y = top + height;
}

function totalsBlock(doc: Doc, invoice: Invoice, money: Money): void {
  const rows: [string, string, boolean][] = [
    ['Subtotal', money(invoice.subtotal), false],
    [`Tax (${invoice.taxPercent}%)`, money(invoice.tax), false],
    [`Total (${invoice.currency})`, money(invoice.total), true],
  ];
  ensureRoom(doc, 80);
  const amount = COLUMNS.at(-1)!;
  const valueX = doc.page.width - MARGIN - amount.width;
  const labelWidth = 150;
  const labelX = valueX - labelWidth;
  doc.y += 8;
  for (const [label, value, strong] of rows) {
    if (strong) {
      doc.moveTo(labelX + PAD_X, doc.y).lineTo(doc.page.width - MARGIN, doc.y).lineWidth(1).strokeColor(INK).stroke();
      doc.y += 6;
    }
    const top = doc.y;
    doc.font(strong ? BOLD : FONT).fontSize(strong ? 12 : 10).fillColor(INK);
    doc.text(label, labelX + PAD_X, top, { width: labelWidth - 2 * PAD_X, align: 'right' });
    const labelBottom = doc.y;
    doc.text(value, valueX + PAD_X, top, { width: amount.width - 2 * PAD_X, align: 'right' });
    doc.y = Math.max(doc.y, labelBottom) + 6;
  }
}

/** Every page's footer, written once the page count is known: "Page 1 of 2". */
function footers(doc: Doc, invoice: Invoice, title: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing under the bottom margin would otherwise start a new page.
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN;
    doc.moveTo(MARGIN, y - 8).lineTo(doc.page.width - MARGIN, y - 8).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font(FONT).fontSize(8).fillColor(MUTED);
    doc.text(`${printable(invoice.seller)} · ${title} ${invoice.number}`, MARGIN, y, { width: textWidth(doc) * 0.7, lineBreak: false });
    doc.text(`Page ${i - start + 1} of ${count}`, MARGIN, y, { width: textWidth(doc), align: 'right', lineBreak: false });
  }
}

function rule(doc: Doc, color: string, width: number): void {
  doc.moveTo(MARGIN, doc.y).lineTo(doc.page.width - MARGIN, doc.y).lineWidth(width).strokeColor(color).stroke();
}

const textWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottom = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** Starts a new page unless `height` fits under the current y, so a block is never split from its heading. */
function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) {
    doc.addPage();
    doc.y = MARGIN;
  }
}

/**
 * The currency's own format from the exact decimal string ("€1,234.50", "¥1,200", "KWD 1.250"); a symbol
 * the standard font cannot draw (₹, ₩) gives way to the ISO code.
 */
function moneyFormat(currency: string): Money {
  const symbol = new Intl.NumberFormat('en', { style: 'currency', currency });
  const code = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'code' });
  return (amount) => {
    const text = symbol.format(exact(amount));
    return encodable(text) ? text : code.format(exact(amount));
  };
}

/** What the standard fonts encode: Windows-1252 (printable ASCII, Latin-1 and a few more), and line breaks. */
const WIN_ANSI = '\\n -~\\u00a0-\\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const UNDRAWABLE = new RegExp(`[^${WIN_ANSI}]`, 'u');
const encodable = (text: string) => !UNDRAWABLE.test(text);

/**
 * Text the standard fonts can draw: a letter outside WinAnsi is drawn without its accent when that makes it
 * one, anything else as "?" (a wrong glyph would be worse than a visible gap); tabs become spaces.
 */
function printable(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    .replace(new RegExp(UNDRAWABLE.source, 'gu'), (ch) => {
      const bare = ch.normalize('NFD').replace(/\p{M}/gu, '');
      return bare && encodable(bare) ? bare : '?';
    });
}
