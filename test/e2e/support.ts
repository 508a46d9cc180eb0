/**
 * End-to-end plumbing: builds the renderer, starts the browser host (`npm run web -- --demo`, run here as
 * `node --import tsx src-main/web/cli.ts --demo`) on a temp data dir, and drives Debian's Chromium with
 * playwright-core. Screenshots go to test-results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

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

export const visible = (l: Locator) => l.waitFor({ state: 'visible' });
export const hidden = (l: Locator) => l.waitFor({ state: 'hidden' });
export const hasText = (l: Locator, text: string | RegExp) =>
  expect.poll(() => l.innerText(), WAIT).toMatch(typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text);
export const hasValue = (l: Locator, value: string) => expect.poll(() => l.inputValue(), WAIT).toBe(value);
export const hasAttr = (l: Locator, name: string, value: string | null) => expect.poll(() => l.getAttribute(name), WAIT).toBe(value);
export const isDisabled = (l: Locator, disabled = true) => expect.poll(() => l.isDisabled(), WAIT).toBe(disabled);
export const hasCount = (l: Locator, n: number) => expect.poll(() => l.count(), WAIT).toBe(n);

/** The label of the focused tree item. */
export const focusedItem = (page: Page) =>
  expect.poll(() => page.evaluate(() => document.activeElement?.querySelector(':scope > .line .label')?.textContent ?? null), WAIT);
