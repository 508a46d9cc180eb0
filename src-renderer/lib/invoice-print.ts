/**
 * Prints one element alone: a copy of it goes into a `.print-root` at the end of <body>, and the print
 * stylesheet (InvoicePage's, since the CSP allows no inline style) shows only that root. The copy keeps the
 * element's classes, so its component's scoped styles still apply; printing the console's own tree would
 * cut the invoice at its scrolling panes. window.print() prints the current document in Chromium and
 * Electron alike.
 */
export function printElement(element: HTMLElement, title: string): void {
  // A copy left by a print whose afterprint never came (a headless browser) goes first.
  for (const old of document.querySelectorAll('body > .print-root')) old.remove();
  const root = document.createElement('div');
  root.className = 'print-root';
  root.append(element.cloneNode(true));
  document.body.append(root);
  // The document title is what a "Save as PDF" print names its file after.
  const before = document.title;
  document.title = title;
  const done = () => {
    window.removeEventListener('afterprint', done);
    root.remove();
    document.title = before;
  };
  window.addEventListener('afterprint', done);
  window.print();
}
