/**
 * Retention end to end (issue 14), in Debian's Chromium against the browser host with demo data: a new
 * customer's machine backs up three versions of a file with the real agent; the schedule page lists them
 * as versions, previews an own policy of keep last 1 before saving it, and once the next backup's prune
 * ran, its Deleted Reports say what retention removed; the server node shows the default policy.
 * Screenshots (light and dark) go to test-results/e2e-retention-*.png.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { customerRow, eachStep, expand, hasCount, hasText, hidden, notice, openCustomers, runAgent, screenshot, startConsole, tempDirs, treeItem, treeLine, visible, type Session, type WebHost } from './support.js';

const CUSTOMER = 'E2E Retention Bakery';
const CLIENT = 'bakery-pc';
const SCHEDULE = 'Recipes';

let host: WebHost;
let session: Session;
let page: Page;
const temps = tempDirs();
let state = '';
let source = '';

/** Both themes of what is on screen now. */
async function screenshots(name: string) {
  await screenshot(page, `retention-${name}`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `retention-${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** One more version: the file changed, then backed up. */
async function backup() {
  await writeFile(path.join(source, 'recipes.bin'), randomBytes(512 * 1024));
  await runAgent(`npm run agent -- backup --schedule ${SCHEDULE} --state-dir ${state}`);
}

beforeAll(async () => {
  ({ host, session } = await startConsole(['--demo']));
  page = session.page;
}, 240_000);

eachStep(() => session);

afterAll(async () => {
  await session?.browser.close();
  await host?.stop();
  await temps.removeAll();
});

describe('retention, end to end', () => {
  test('a customer of the demo server backs up three versions', async () => {
    await openCustomers(page, /^Demo Server /, 'Northwind IT');
    await page.getByRole('button', { name: 'Add New Customer' }).click();
    const create = page.getByRole('dialog', { name: 'Add New Customer' });
    await create.getByRole('textbox', { name: 'Customer Name' }).fill(CUSTOMER);
    await create.getByRole('button', { name: 'Create Customer' }).click();
    await hidden(create);

    const row = await customerRow(page, CUSTOMER);
    await row.getByRole('button', { name: 'Add New Clients' }).click();
    const add = page.getByRole('dialog', { name: 'Add New Clients' });
    await add.getByRole('textbox', { name: 'Client Name' }).fill(CLIENT);
    await add.getByRole('button', { name: 'Add Client' }).click();
    const commandBox = add.getByRole('textbox', { name: 'Run this on the machine to register it:' });
    await visible(commandBox);
    const command = await commandBox.inputValue();
    await add.getByRole('button', { name: 'Done' }).click();

    state = await temps.make('bc-e2e-retention-agent-');
    source = await temps.make('bc-e2e-retention-data-');
    await runAgent(command.replace('./backup-agent-state', state));
    await runAgent(`npm run agent -- schedule add --name ${SCHEDULE} --source ${source} --every daily@02:00 --state-dir ${state}`);
    for (let i = 0; i < 3; i++) await backup();
  });

  test('the schedule page: its versions, then an own policy previewed before it is saved', async () => {
    const server = treeItem(page, /^Demo Server /);
    const customers = treeItem(page, 'Customers', treeItem(page, 'Northwind IT', server));
    await expand(customers);
    const customer = treeItem(page, CUSTOMER, customers);
    await expand(customer);
    const client = treeItem(page, CLIENT, customer);
    await expand(client);
    await treeLine(treeItem(page, SCHEDULE, client)).click();

    await page.getByRole('tab', { name: 'Versions' }).click();
    const versions = page.getByRole('table', { name: `Versions of ${SCHEDULE}` });
    await hasCount(versions.getByRole('row'), 4);
    await screenshots('01-versions');

    await page.getByRole('tab', { name: 'Retention' }).click();
    // Inheriting the demo's default (keep everything): nothing would be pruned.
    await visible(page.getByText('Keeps all 3 backups; nothing is pruned.'));
    await page.getByRole('radio', { name: 'Own policy' }).check();
    await page.getByRole('textbox', { name: 'Keep last' }).fill('1.5');
    await visible(page.getByText('Enter valid numbers to see what this policy would keep.'));
    await page.getByRole('textbox', { name: 'Keep last' }).fill('1');
    await hasText(page.getByRole('status').filter({ hasText: /^Keeps / }), /^Keeps 1 of 3 backups, frees about \d/);
    await screenshots('02-policy');
    await page.getByRole('button', { name: 'Save Retention' }).click();
    await notice(page, `Retention of ${SCHEDULE} saved: it keeps 1 latest. It takes effect at the next prune.`);
  });

  test('the next backup prunes: the versions shrink and the deleted report says why', async () => {
    await backup();
    await page.getByRole('tab', { name: 'Versions' }).click();
    const versions = page.getByRole('table', { name: `Versions of ${SCHEDULE}` });
    await hasCount(versions.getByRole('row'), 2);
    await page.getByRole('tab', { name: 'Deleted Reports' }).click();
    const deleted = page.getByRole('table', { name: 'Deleted Reports' });
    await hasCount(deleted.getByRole('row'), 4);
    await hasText(deleted.getByRole('row').nth(1), /Retention policy/);
    await screenshots('03-deleted');
  });

  test('the default policy on the server node', async () => {
    await treeLine(treeItem(page, /^Demo Server /)).click();
    const section = page.getByRole('region', { name: 'Default Retention' });
    await visible(section.getByRole('textbox', { name: 'Daily' }));
    await screenshots('04-default');
  });
});
