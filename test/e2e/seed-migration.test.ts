/**
 * Seed Backup Migration end to end (issue 12), in Debian's Chromium against the browser host: two real
 * servers of the tests' own — A on plain http (loopback), B with TLS — both added to the console as a
 * technician does; a real agent registered on A backs a client up; the technician moves it to B with
 * Seed Backup Migration (the console signs in to B with the password it keeps: none is typed), follows
 * it to done, and then finds the client under B in the tree and listed as moved on A.
 * Screenshots (light and dark) go to test-results/e2e-seed-*.png.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from '../support/api-client.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import {
  addServer,
  eachStep,
  hidden,
  expand,
  hasText,
  isDisabled,
  notice,
  rowWith,
  runAgent,
  screenshot,
  startConsole,
  tempDirs,
  treeItem,
  treeLine,
  visible,
  type Session,
  type WebHost,
} from './support.js';

const CUSTOMER = 'E2E Seed Clinic';
const CLIENT = 'seed-pc';
/** A second client, registered but never backed up, for the MCAL shortage. */
const SPARE = 'spare-pc';
/** A customer on B with no MCAL to give. */
const FULL = 'E2E Full Clinic';
const FILES = 48;
const FILE_BYTES = 256 * 1024;

let host: WebHost;
let serverA: RunningServer;
let serverB: RunningServer;
let session: Session;
let page: Page;
const temps = tempDirs();

const picker = () => page.getByRole('table', { name: 'Clients to Move' });
const progress = () => page.getByRole('group', { name: 'Seed migration progress' });

/** Both themes of what is on screen now. */
async function screenshots(name: string) {
  await screenshot(page, `seed-${name}`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `seed-${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A customer and a client on A, registered by a real agent that then backs up real files. */
async function backedUpClient(server: RunningServer) {
  const api = await new TestClient(server.api).login();
  const resellers = await api.get<{ items: { id: string }[] }>('/resellers');
  const customer = await api.post<{ id: string }>(`/resellers/${resellers.body.items[0]!.id}/customers`, { name: CUSTOMER });
  const created = await api.post<{ registrationKey: string }>(`/customers/${customer.body.id}/clients`, { name: CLIENT });
  const spare = await api.post<{ registrationKey: string }>(`/customers/${customer.body.id}/clients`, { name: SPARE });
  expect([created.status, spare.status]).toEqual([201, 201]);
  await runAgent(`npm run agent -- register --server ${server.url} --key ${spare.body.registrationKey} --name ${SPARE} --state-dir ${await temps.make('bc-e2e-seed-spare-')}`);
  const state = await temps.make('bc-e2e-seed-agent-');
  const source = await temps.make('bc-e2e-seed-data-');
  await mkdir(path.join(source, 'records'));
  for (let i = 0; i < FILES; i++) await writeFile(path.join(source, 'records', `scan-${i}.bin`), randomBytes(FILE_BYTES));
  await runAgent(`npm run agent -- register --server ${server.url} --key ${created.body.registrationKey} --name ${CLIENT} --state-dir ${state}`);
  await runAgent(`npm run agent -- schedule add --name Records --source ${source} --every daily@02:00 --state-dir ${state}`);
  await runAgent(`npm run agent -- backup --schedule Records --state-dir ${state}`);
}

beforeAll(async () => {
  let started: { host: WebHost; session: Session };
  [serverA, serverB, started] = await Promise.all([startServer({ http: true }), startServer({ http: false }), startConsole(['--demo'])]);
  ({ host, session } = started);
  page = session.page;
  await backedUpClient(serverA);
}, 300_000);

eachStep(() => session);

afterAll(async () => {
  await session?.browser.close();
  await host?.stop();
  for (const s of [serverA, serverB]) {
    await s?.stop();
    if (s?.dataDir) await rm(s.dataDir, { recursive: true, force: true });
  }
  await temps.removeAll();
});

describe('seed backup migration, end to end', () => {
  test('the technician adds both servers to the console', async () => {
    await addServer(page, 'Server A', serverA.url);
    await addServer(page, 'Server B', serverB.url);
  });

  test('Seed Backup Migration opens from the server node and lists every client; the target is another server', async () => {
    await treeLine(treeItem(page, 'Server A online')).click();
    await page.getByRole('main').getByRole('button', { name: 'Seed Backup Migration' }).click();
    await page.getByRole('heading', { level: 2, name: 'Seed Backup Migration' }).waitFor();
    const row = rowWith(picker(), CLIENT);
    await hasText(row, CUSTOMER);
    await hasText(row, 'Authorized');
    const start = page.getByRole('button', { name: 'Start Migration' });
    await isDisabled(start);
    expect(await start.getAttribute('title')).toBe('Choose the clients to move first');
    // The source is not offered as its own target.
    const targets = await page.getByRole('combobox', { name: 'Move to' }).locator('option').allInnerTexts();
    expect(targets.some((t) => t.startsWith('Server A'))).toBe(false);
    expect(targets.some((t) => t.startsWith('Server B'))).toBe(true);
    await screenshots('01-clients');
  });

  test('pick the client by keyboard, the target and the customer; the preview says what it needs', async () => {
    await page.getByRole('searchbox', { name: 'Filter Clients to Move' }).fill(CLIENT);
    const box = picker().getByRole('checkbox', { name: `Select ${CLIENT}` });
    await box.focus();
    await page.keyboard.press('Space');
    expect(await box.isChecked()).toBe(true);
    await page.getByRole('combobox', { name: 'Move to' }).selectOption({ label: `Server B — ${serverB.url}` });
    await expect.poll(() => page.getByRole('radio', { name: /same name as each client's customer/ }).isChecked()).toBe(true);
    const facts = page.getByLabel('What the migration moves');
    await hasText(facts, /Clients\s+1/);
    await hasText(facts, /MCALs needed on the target\s+1/);
    await hasText(facts, `${CUSTOMER} (new: created by the migration)`);
    await isDisabled(page.getByRole('button', { name: 'Start Migration' }), false);
    await page.getByRole('button', { name: 'Start Migration' }).scrollIntoViewIfNeeded();
    await screenshots('02-preview');
  });

  test('Start Migration: each client is followed to done, with no password typed', async () => {
    await page.getByRole('button', { name: 'Start Migration' }).click();
    await visible(progress());
    await hasText(progress(), /Migration finished — 1 of 1 clients moved/);
    await hasText(page.getByRole('table', { name: 'Clients Being Moved' }).getByRole('row').filter({ hasText: CLIENT }), 'Moved');
    await notice(page, 'Moving 1 client to Server B: done.');
    await screenshots('03-done');
  });

  test('the tree shows the client under server B, and server A lists it as moved', async () => {
    const b = treeItem(page, 'Server B online');
    await expand(b);
    await expect.poll(() => b.getAttribute('aria-busy')).not.toBe('true');
    await b.getByRole('treeitem').first().waitFor();
    // With reseller management the customer joins a reseller of the source's name; without, Customers.
    const reseller = treeItem(page, 'default', b);
    const parent = (await reseller.count()) > 0 ? reseller : b;
    if (parent === reseller) await expand(reseller);
    const customers = treeItem(page, 'Customers', parent);
    await expand(customers);
    const customer = treeItem(page, CUSTOMER, customers);
    await expand(customer);
    await visible(treeItem(page, CLIENT, customer));
    await screenshots('04-tree');

    await treeLine(treeItem(page, 'Server A online')).click();
    await page.getByRole('main').getByRole('button', { name: 'Seed Backup Migration' }).click();
    const row = rowWith(picker(), CLIENT);
    await hasText(row, `Moved to ${serverB.url}`);
    await isDisabled(row.getByRole('checkbox'));
    await screenshots('05-moved-on-source');
  });

  test('a target customer without a free MCAL: warned in the preview, refused for that client, which stays; the error says what to do', async () => {
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    const b = treeItem(page, 'Server B online');
    await treeLine(treeItem(page, 'Customers', b)).click();
    await page.getByRole('button', { name: 'Add New Customer' }).click();
    const create = page.getByRole('dialog', { name: 'Add New Customer' });
    await create.getByRole('textbox', { name: 'Customer Name' }).fill(FULL);
    await create.getByRole('textbox', { name: 'MCALs Allotted' }).fill('0');
    await create.getByRole('button', { name: 'Create Customer' }).click();
    await hidden(create);

    await treeLine(treeItem(page, 'Server A online')).click();
    await page.getByRole('main').getByRole('button', { name: 'Seed Backup Migration' }).click();
    await page.getByRole('searchbox', { name: 'Filter Clients to Move' }).fill(SPARE);
    await picker().getByRole('checkbox', { name: `Select ${SPARE}` }).check();
    await page.getByRole('combobox', { name: 'Move to' }).selectOption({ label: `Server B — ${serverB.url}` });
    await page.getByRole('radio', { name: 'One customer for all of them:' }).check();
    await page.getByRole('combobox', { name: 'Target customer name' }).fill(FULL);
    await visible(page.getByText(`${FULL} on the target has 0 free MCALs for 1 client`, { exact: false }));
    await page.getByRole('button', { name: 'Start Migration' }).click();
    await hasText(progress(), /Migration (failed|finished in part)/);
    const row = page.getByRole('table', { name: 'Clients Being Moved' }).getByRole('row').filter({ hasText: SPARE });
    await hasText(row, 'Failed');
    await hasText(row, 'MCAL_EXHAUSTED');
    await hasText(page.getByRole('list', { name: 'Clients that did not move' }), new RegExp(`${SPARE}: MCAL_EXHAUSTED: .+ Raise the MCAL allotment`));
    // A refusal is not an interruption: nothing to resume.
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    await screenshots('06-mcal-refused');
  });

  test('nothing went wrong in the page: no script errors, no CSP violations', () => {
    expect(session.problems).toEqual([]);
  });
});
