/** CSV (RFC 4180) of what a table shows, safe to open in a spreadsheet. */

/** Quotes a cell; text a spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe. */
export function csvCell(value: string): string {
  let text = value;
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly string[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** "List Of Customers" → "list-of-customers-2025-01-31.csv". */
export function csvFileName(label: string, now = new Date()): string {
  const base = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${base || 'table'}-${now.toISOString().slice(0, 10)}.csv`;
}

/** Saves text as a file through the browser's download. */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  // A byte-order mark so spreadsheet programs read UTF-8 names correctly.
  downloadBlob(fileName, new Blob(['\ufeff', text], { type }));
}

/** Saves bytes (a CSV, an invoice's PDF) as a file through the browser's download (both hosts allow blob: downloads). */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
