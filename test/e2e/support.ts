/**
 * End-to-end plumbing: builds the renderer, starts the browser host (`npm run web -- --demo`, run here as
 * `node --import tsx src-main/web/cli.ts --demo`) on a temp data dir, and drives Debian's Chromium with
 * playwright-core. Screenshots go to test-results/.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterEach, beforeEach, expect } from 'vitest';
import { ADMIN_PASSWORD } from '../support/server-process.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = path.join(ROOT, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** Builds the renderer into dist/renderer with the project's vite.config.ts. */
export async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

export interface WebHost {
  url: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the browser host with demo data; resolves on its `console <url>` line. */
export async function startWebHost(args: string[] = ['--demo']): Promise<WebHost> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bc-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src-main/web/cli.ts'), ...args, '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      output += `${l}\n`;
      const m = /^console (\S+)$/.exec(l);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`the browser host exited with ${code} before serving:\n${output}`)));
  });
  return {
    url,
    dataDir,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  browser: Browser;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far, each with the step it happened in. */
  problems: string[];
  /** The name of the running step, for `problems`. */
  step: string;
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (see .ci/run) or set CHROMIUM_PATH.`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export async function openBrowser(url: string, colorScheme: 'light' | 'dark' = 'light', extraArgs: string[] = []): Promise<Session> {
  const browser = await launchChromium(extraArgs);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme });
  const session: Session = { browser, page, problems: [], step: 'start' };
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) session.problems.push(`[${session.step}] console: ${m.text()}`);
  });
  page.on('pageerror', (e) => session.problems.push(`[${session.step}] pageerror: ${e.stack ?? e.message}`));
  await page.goto(url);
  return session;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `e2e-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * The console on demo data in Chromium, as each end-to-end file starts it: the renderer built, the
 * browser host started, a page open on it, and the demo server online in the tree.
 */
export async function startConsole(args: string[] = ['--demo']): Promise<{ host: WebHost; session: Session }> {
  await buildRenderer();
  const host = await startWebHost(args);
  let session: Session | undefined;
  try {
    session = await openBrowser(host.url);
    session.page.setDefaultTimeout(20_000);
    await treeItem(session.page, /^Demo Server online$/).waitFor({ timeout: 60_000 });
    return { host, session };
  } catch (err) {
    await session?.browser.close();
    await host.stop();
    throw err;
  }
}

/**
 * The hooks around each step of a file that walks one session: `problems` name the step they happened
 * in, and a failed step leaves no dialog open over the next one.
 */
export function eachStep(session: () => Session | undefined): void {
  beforeEach(() => {
    const s = session();
    if (s) s.step = expect.getState().currentTestName ?? '?';
  });
  afterEach(async () => {
    const page = session()?.page;
    for (let i = 0; page && i < 3 && (await page.getByRole('dialog').count()) > 0; i++) await page.keyboard.press('Escape');
  });
}

/** Temp dirs made during a file, removed together at its end. */
export function tempDirs(): { make: (prefix: string) => Promise<string>; removeAll: () => Promise<void> } {
  const made: string[] = [];
  return {
    make: async (prefix) => {
      const dir = await mkdtemp(path.join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll: async () => {
      for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
    },
  };
}

/** Runs an agent command line from the repository root, as a technician would paste it; fails on any error it prints. Resolves with its stdout. */
export async function runAgent(command: string, timeout = 120_000): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)('bash', ['-c', command], { cwd: ROOT, timeout });
  expect(`${stdout}${stderr}`).not.toMatch(/\berror\b|refused/i);
  return stdout;
}

// ---- the console's parts, by role and accessible name ------------------------------------------------

export const serverTree = (page: Page) => page.getByRole('tree', { name: 'Servers' });

/** A tree item by name (a string matches exactly), below `within` (the whole tree by default). */
export const treeItem = (page: Page, name: string | RegExp, within: Locator = serverTree(page)) =>
  within.getByRole('treeitem', { name, exact: typeof name === 'string' });

export const customersTable = (page: Page) => page.getByRole('table', { name: 'List Of Customers' });

/** Expands a tree item by its twisty (when it is collapsed) and waits until it is. */
export async function expand(node: Locator): Promise<void> {
  if ((await node.getAttribute('aria-expanded')) === 'false') await node.locator(':scope > .line .twisty').click();
  await expect.poll(() => node.getAttribute('aria-expanded')).toBe('true');
}

/** Opens the List Of Customers of a reseller of `server` from the tree, or the server's own (reseller null). */
export async function openCustomers(page: Page, server: string | RegExp, reseller: string | null): Promise<void> {
  const s = treeItem(page, server);
  await expand(s);
  const parent = reseller ? treeItem(page, reseller, s) : s;
  if (reseller) await expand(parent);
  await treeLine(treeItem(page, 'Customers', parent)).click();
  await customersTable(page).getByRole('row').nth(1).waitFor();
}

/** Narrows the customers table to one name and returns that row. */
export async function customerRow(page: Page, name: string): Promise<Locator> {
  await page.getByRole('searchbox', { name: 'Filter List Of Customers' }).fill(name);
  const row = rowNamed(customersTable(page), name);
  await row.waitFor();
  return row;
}

/** Waits for a status message (a notice, the status line) with this text. */
export async function notice(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}

/**
 * Adds a server of the tests' own (`startServer`) with Add Server as a technician does: its address,
 * signed in as admin, Check Server, the fingerprint trusted (https); resolves once it is online in the tree.
 * `compare` sees the dialog with the fingerprint shown, before it is trusted.
 */
export async function addServer(page: Page, name: string, url: string, compare?: (dialog: Locator) => Promise<void>): Promise<void> {
  await page.getByRole('button', { name: 'Add Server' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add Server' });
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await dialog.getByRole('textbox', { name: 'Server URL' }).fill(url);
  await dialog.getByRole('textbox', { name: 'User name' }).fill('admin');
  await dialog.getByLabel('Password').fill(ADMIN_PASSWORD);
  await dialog.getByRole('button', { name: 'Check Server' }).click();
  await compare?.(dialog);
  // Plain http (loopback) has no certificate to trust.
  if (url.startsWith('https:')) await dialog.getByRole('checkbox', { name: 'I have compared the fingerprint and trust this server' }).check();
  await dialog.getByRole('button', { name: 'Add Server' }).click();
  await hidden(dialog);
  await treeItem(page, new RegExp(`^${escapeRegExp(name)} online$`)).waitFor({ timeout: 30_000 });
}

/** A tree item's own line (clicking the treeitem itself would land on a child when it is expanded). */
export function treeLine(item: Locator): Locator {
  return item.locator(':scope > .line');
}

/** The table row (role=row) of a virtualized table that contains `text`. */
export function rowWith(table: Locator, text: string): Locator {
  return table.getByRole('row').filter({ hasText: text });
}

/** The row whose first cell (or first button) is exactly `name`. */
export function rowNamed(table: Locator, name: string): Locator {
  return table
    .getByRole('row')
    .filter({ has: table.page().getByRole('cell', { name, exact: true }).or(table.page().getByRole('button', { name, exact: true })) });
}

// ---- waiting assertions (playwright-core has no expect(); these poll until true or time out) ----------


const WAIT = { timeout: 20_000, interval: 100 };
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const visible = (l: Locator) => l.waitFor({ state: 'visible' });
export const hidden = (l: Locator) => l.waitFor({ state: 'hidden' });
export const hasText = (l: Locator, text: string | RegExp) =>
  expect.poll(() => l.innerText(), WAIT).toMatch(typeof text === 'string' ? new RegExp(escapeRegExp(text)) : text);
export const hasValue = (l: Locator, value: string) => expect.poll(() => l.inputValue(), WAIT).toBe(value);
export const hasAttr = (l: Locator, name: string, value: string | null) => expect.poll(() => l.getAttribute(name), WAIT).toBe(value);
export const isDisabled = (l: Locator, disabled = true) => expect.poll(() => l.isDisabled(), WAIT).toBe(disabled);
export const hasCount = (l: Locator, n: number) => expect.poll(() => l.count(), WAIT).toBe(n);

/** The label of the focused tree item. */
export const focusedItem = (page: Page) =>
  expect.poll(() => page.evaluate(() => document.activeElement?.querySelector(':scope > .line .label')?.textContent ?? null), WAIT);
