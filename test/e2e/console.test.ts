/**
 * The console end to end, in Debian's Chromium against the browser host with demo data, driven by role
 * and accessible name. One browser session walks through the list in order; each step saves a
 * screenshot under test-results/ (e2e-*.png).
 */
import { hostname } from 'node:os';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type RunningServer } from '../support/server-process.js';
import {
  addServer,
  customerRow,
  customersTable,
  eachStep,
  focusedItem,
  hasAttr,
  hasCount,
  hasText,
  hasValue,
  hidden,
  isDisabled,
  notice,
  openCustomers,
  rowNamed,
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

const CUSTOMER = 'E2E Dental Practice';
const RENAMED = 'E2E Dental Group';
const DEMO = /^Demo Server /;

let host: WebHost;
let session: Session;
let page: Page;
let cloud: RunningServer | null = null;
const temps = tempDirs();

/** ArrowRight on the focused tree item, waiting until its children are loaded. */
async function expandFocused(): Promise<void> {
  await page.keyboard.press('ArrowRight');
  await expect
    .poll(() => page.evaluate(() => [document.activeElement?.getAttribute('aria-expanded'), document.activeElement?.getAttribute('aria-busy')].join()), { timeout: 20_000 })
    .toBe('true,false');
}

beforeAll(async () => {
  ({ host, session } = await startConsole(['--demo']));
  page = session.page;
}, 180_000);

eachStep(() => session);

afterAll(async () => {
  await session?.browser.close();
  await host?.stop();
  await cloud?.kill().catch(() => undefined);
  await temps.removeAll();
});

describe('console, end to end', () => {
  test('the server node shows its info and the List of Resellers', async () => {
    await expect.poll(() => treeItem(page, /^Demo Server online$/).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('table', { name: 'List of Resellers' }).getByRole('row', { name: /Northwind IT/ }).waitFor();
    expect(await page.getByText('On-premise').count()).toBeGreaterThan(0);
    await screenshot(page, '01-server');
  });

  test('walks the tree by keyboard to a schedule and its three reports', async () => {
    const server = treeItem(page, /^Demo Server online$/);
    await server.focus();
    await page.keyboard.press('End'); // last reseller, Northwind IT
    await focusedItem(page).toBe('Northwind IT');
    await expandFocused();
    await page.keyboard.press('ArrowRight'); // Customers
    await focusedItem(page).toBe('Customers');
    await page.keyboard.press('Enter');
    await customersTable(page).getByRole('row').nth(1).waitFor();
    await expandFocused();
    await page.keyboard.press('ArrowRight'); // first customer
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'List Of Clients' }).getByRole('row').nth(1).waitFor();
    await expandFocused();
    await page.keyboard.press('ArrowRight'); // first client
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'List Of Backup Schedules' }).getByRole('row').nth(1).waitFor();
    await screenshot(page, '02-schedules');
    await expandFocused();
    await page.keyboard.press('ArrowRight'); // first schedule
    await page.keyboard.press('Enter');
    await page.getByRole('tablist', { name: /^Reports of / }).waitFor();
    await expandFocused();
    await page.keyboard.press('ArrowRight'); // Backup Report
    await focusedItem(page).toBe('Backup Report');
    await page.keyboard.press('Enter');
    const backups = page.getByRole('table', { name: 'Backup Report' });
    await backups.getByRole('row').nth(1).waitFor();
    expect(Number(await backups.getAttribute('aria-rowcount'))).toBeGreaterThan(10);
    await screenshot(page, '02-backup-report');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Restore Report' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await focusedItem(page).toBe('Deleted Reports');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Deleted Reports' }).waitFor();
    await screenshot(page, '03-deleted-reports');
  });

  test('the customers table has the contract headers and row actions', async () => {
    await openCustomers(page, DEMO, 'Northwind IT');
    const headers = await customersTable(page).getByRole('columnheader').evaluateAll((hs) => hs.map((h) => h.getAttribute('aria-label')));
    expect(headers).toEqual(['Customer Name', 'MCALs Allotted', 'Total MCALs used till date', 'Allotted Space', 'Used Space', 'Actions']);
    const first = customersTable(page).getByRole('row').nth(1);
    for (const name of ['Edit Customer', 'Add New Clients', 'Edit Replication', 'Invoice Configuration', 'Invoice Report', 'Proceed to Delete Customer', 'Deleted Client/Backup Report']) {
      await visible(first.getByRole('button', { name, exact: true }));
    }
    await visible(first.getByRole('button', { name: /^(Enable|Disable) Auto Authorization$/ }));
    await visible(first.getByRole('button', { name: /^(Activate|Deactivate)$/ }));
    // Not customer actions (Seed Backup Migration is the server's: its node and the server tools).
    for (const hidden of ['Seed Backup Migration']) expect(await customersTable(page).getByText(hidden).count()).toBe(0);
    await screenshot(page, '04-customers');
  });

  test('adds a customer (server errors land on the field), edits it, toggles auto authorization, deactivates and activates it', async () => {
    await openCustomers(page, DEMO, 'Northwind IT');
    // A taken name: the server's NAME_TAKEN shows under the name field.
    const taken = (await customersTable(page).getByRole('row').nth(1).getByRole('button').first().textContent())!.trim();
    await page.getByRole('button', { name: 'Add New Customer' }).click();
    let dialog = page.getByRole('dialog', { name: 'Add New Customer' });
    await dialog.getByRole('textbox', { name: 'Customer Name' }).fill(taken);
    await dialog.getByRole('button', { name: 'Create Customer' }).click();
    await visible(dialog.getByText(/already exists/));
    await hasAttr(dialog.getByRole('textbox', { name: 'Customer Name' }), 'aria-invalid', 'true');
    await screenshot(page, '05-add-customer-name-taken');

    await dialog.getByRole('textbox', { name: 'Customer Name' }).fill(CUSTOMER);
    await dialog.getByRole('textbox', { name: 'Email' }).fill('it@e2e-dental.example');
    await dialog.getByRole('textbox', { name: 'MCALs Allotted' }).fill('3');
    await dialog.getByRole('textbox', { name: 'Allotted Space' }).fill('500');
    await dialog.getByRole('button', { name: 'Create Customer' }).click();
    await hidden(dialog);
    let row = await customerRow(page, CUSTOMER);
    await hasText(row, '500 GiB');
    await hasText(row, '0 of 3');

    await row.getByRole('button', { name: 'Edit Customer' }).click();
    dialog = page.getByRole('dialog', { name: 'Edit Customer' });
    await hasValue(dialog.getByRole('textbox', { name: 'Customer Name' }), CUSTOMER);
    await dialog.getByRole('textbox', { name: 'MCALs Allotted' }).fill('4');
    await dialog.getByRole('button', { name: 'Save Changes' }).click();
    await hidden(dialog);
    await hasText(row, '0 of 4');

    await row.getByRole('button', { name: 'Enable Auto Authorization' }).click();
    await visible(row.getByRole('button', { name: 'Disable Auto Authorization' }));
    await row.getByRole('button', { name: 'Disable Auto Authorization' }).click();
    await visible(row.getByRole('button', { name: 'Enable Auto Authorization' }));

    await row.getByRole('button', { name: 'Deactivate', exact: true }).click();
    await visible(row.getByRole('button', { name: 'Activate', exact: true }));
    await visible(row.getByText('Inactive'));
    await screenshot(page, '06-customer-deactivated');
    await row.getByRole('button', { name: 'Activate', exact: true }).click();
    await visible(row.getByRole('button', { name: 'Deactivate', exact: true }));
    row = await customerRow(page, CUSTOMER);
    expect(await row.getByText('Inactive').count()).toBe(0);
  });

  test('adds a client and registers it with the agent command shown; a machine that joins by customer name is authorized by hand', async () => {
    const row = await customerRow(page, CUSTOMER);
    await row.getByRole('button', { name: 'Add New Clients' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add New Clients' });
    await dialog.getByRole('textbox', { name: 'Client Name' }).fill('e2e-laptop');
    await dialog.getByRole('button', { name: 'Add Client' }).click();
    const commandBox = dialog.getByRole('textbox', { name: 'Run this on the machine to register it:' });
    await visible(commandBox);
    await visible(dialog.getByRole('button', { name: 'Copy' }));
    await screenshot(page, '07-add-client-key');
    const command = await commandBox.inputValue();
    const m = /^npm run agent -- register --server (https:\/\/127\.0\.0\.1:\d+) --key \S+ --name e2e-laptop --fingerprint ([0-9a-f]{64}) --state-dir \.\/backup-agent-state$/.exec(command);
    expect(m, command).not.toBeNull();
    await dialog.getByRole('button', { name: 'Done' }).click();

    // Run exactly that command, with the agent's state in a temp dir rather than in the repository.
    await runAgent(command.replace('./backup-agent-state', await temps.make('bc-e2e-agent-')), 90_000);
    // The same agent CLI joining by customer name: the customer has no auto authorization, so it waits.
    await runAgent(`npm run agent -- register --server ${m![1]} --customer '${CUSTOMER}' --name e2e-desktop --fingerprint ${m![2]} --state-dir ${await temps.make('bc-e2e-agent-')}`, 90_000);

    await row.getByRole('button', { name: CUSTOMER, exact: true }).click(); // opens the customer's node
    const clients = page.getByRole('table', { name: 'List Of Clients' });
    // Registered with the key an administrator issued: authorized at once (an MCAL was free).
    await hasText(rowWith(clients, 'e2e-laptop'), 'Authorized');
    await hasText(rowWith(clients, 'e2e-laptop'), hostname());
    const pending = rowWith(clients, 'e2e-desktop');
    await hasText(pending, 'Pending authorization');
    await screenshot(page, '08-clients-pending');
    await pending.getByRole('button', { name: 'Authorize', exact: true }).click();
    await hasText(pending, 'Authorized');
    await hasCount(pending.getByRole('button', { name: 'Authorize', exact: true }), 0);
    await hasText(page.locator('.facts'), '2 of 4 used');
    await screenshot(page, '09-clients-authorized');
  });

  test('migrates a trial client to the paid customer, seeing its MCALs and space first', async () => {
    await page.getByRole('button', { name: 'Client Migration' }).click();
    await page.getByRole('heading', { name: 'Client Migration' }).waitFor();
    await page.getByRole('radio', { name: 'A trial client to a paid customer' }).check();
    const trialSelect = page.getByRole('combobox', { name: 'Trial client' });
    await expect.poll(() => trialSelect.locator('option').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    const options = await trialSelect.locator('option').allTextContents();
    const trial = options.find((o) => /^TRIAL-/.test(o));
    expect(trial, options.join(' | ')).toBeTruthy();
    const trialName = trial!.split(' — ')[0]!;
    await trialSelect.selectOption({ label: trial! });
    await page.getByRole('searchbox', { name: 'Find target customer' }).fill(CUSTOMER);
    const target = page.getByRole('listbox', { name: 'Target customer' });
    await hasCount(target.locator('option'), 1);
    await target.selectOption({ index: 0 });
    const facts = page.getByRole('definition');
    await hasText(facts.first(), '2 of 4 allotted used (2 free)');
    await hasText(facts.nth(1), 'of 500 GiB used');
    await screenshot(page, '10-client-migration');
    await page.getByRole('button', { name: 'Migrate Client' }).click();
    await notice(page, `${trialName} now belongs to ${CUSTOMER}.`);
  });

  test('changes the trial settings', async () => {
    await page.getByRole('button', { name: 'Trial Client Settings' }).click();
    const days = page.getByRole('textbox', { name: 'Trial days' });
    await expect.poll(() => days.inputValue()).not.toBe('');
    await days.fill('0');
    await visible(page.getByText('Enter a number from 1 to 3650.'));
    await days.fill('21');
    await page.getByRole('textbox', { name: 'Delete data after (days)' }).fill('10');
    await page.getByRole('button', { name: 'Save Trial Settings' }).click();
    await notice(page, /Trial settings saved: .* for 21 days, data deleted 10 days after expiry/);
    await screenshot(page, '11-trial-settings');
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('button', { name: 'Trial Client Settings' }).click();
    await hasValue(page.getByRole('textbox', { name: 'Trial days' }), '21');
    await page.getByRole('button', { name: 'Back', exact: true }).click();
  });

  test('bulk: disables auto authorization for two customers after a preview, reporting each row', async () => {
    await openCustomers(page, DEMO, 'Contoso Managed Services');
    await page.getByRole('searchbox', { name: 'Filter List Of Customers' }).fill('');
    const targets: string[] = [];
    for (const row of await customersTable(page).getByRole('row').all()) {
      if (targets.length === 2) break;
      if ((await row.getByRole('button', { name: 'Disable Auto Authorization' }).count()) === 1) {
        targets.push((await row.getByRole('button').first().textContent())!.trim());
        await row.getByRole('checkbox').check();
      }
    }
    expect(targets).toHaveLength(2);
    await page.getByRole('button', { name: 'Disable Auto Authorization for Selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable Auto Authorization for 2 Customers' });
    const preview = dialog.getByRole('table', { name: 'What will change' });
    for (const t of targets) await hasText(rowNamed(preview, t), 'Auto authorization: On → Off');
    await screenshot(page, '12-bulk-preview');
    await dialog.getByRole('button', { name: 'Disable Auto Authorization for 2 Customers' }).click();
    await visible(dialog.getByText('2 changed.'));
    for (const t of targets) await hasText(rowNamed(preview, t), /\bok$/);
    await screenshot(page, '13-bulk-done');
    await dialog.getByRole('button', { name: 'Done' }).click();
    for (const t of targets) await visible((await customerRow(page, t)).getByRole('button', { name: 'Enable Auto Authorization' }));
  });

  test('deletes the customer after typing its name, and its deleted report records it', async () => {
    await openCustomers(page, DEMO, 'Northwind IT');
    const row = await customerRow(page, CUSTOMER);
    await row.getByRole('button', { name: 'Edit Customer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Customer' });
    await dialog.getByRole('textbox', { name: 'Customer Name' }).fill(RENAMED);
    await dialog.getByRole('button', { name: 'Save Changes' }).click();
    await hidden(dialog);
    const renamed = await customerRow(page, RENAMED);
    await renamed.getByRole('button', { name: 'Proceed to Delete Customer' }).click();
    await page.getByRole('heading', { name: 'Delete Customer' }).waitFor();
    // e2e-laptop, e2e-desktop and the migrated trial client.
    await hasText(page.getByRole('list', { name: 'What will be deleted' }), '3 clients');
    const confirm = page.getByRole('button', { name: 'Delete Customer' });
    await isDisabled(confirm);
    await page.getByRole('textbox', { name: "Type the customer's name to confirm" }).fill(CUSTOMER);
    await isDisabled(confirm);
    await page.getByRole('textbox', { name: "Type the customer's name to confirm" }).fill(RENAMED);
    await screenshot(page, '14-delete-customer');
    await confirm.click();
    await notice(page, `Customer ${RENAMED} and its backup data were deleted.`);
    await page.getByRole('searchbox', { name: 'Filter List Of Customers' }).fill(RENAMED);
    await hasCount(customersTable(page).getByRole('row'), 1); // the header only
  });

  test('the Audit Log on the server node shows who changed what', async () => {
    await treeLine(treeItem(page, /^Demo Server online$/)).click();
    await page.getByRole('button', { name: 'Audit Log' }).click();
    const log = page.getByRole('table', { name: 'Audit Log' });
    await page.getByRole('searchbox', { name: 'Filter Audit Log' }).fill(RENAMED);
    await hasText(log.getByRole('row').nth(1), 'admin');
    await screenshot(page, '15-audit-log');
    await page.getByRole('button', { name: 'Back', exact: true }).click();
  });

  test('a cloud server (added with its fingerprint) hides the two features; stopped, it shows cached data offline', async () => {
    cloud = await startServer({ http: false, args: ['--demo', '--cloud'] });
    const { fingerprint } = cloud;
    await addServer(page, 'Cloud Server', cloud.url, async (dialog) => {
      const shown = dialog.getByLabel('Certificate fingerprint');
      await expect.poll(() => shown.innerText()).toBe(fingerprint.toUpperCase().match(/.{2}/g)!.join(':'));
      await screenshot(page, '16-add-server-fingerprint');
    });
    await treeLine(treeItem(page, /^Cloud Server online$/)).click();
    await visible(page.getByText('Cloud', { exact: true }));
    expect(await page.getByRole('button', { name: 'Replication Management' }).count()).toBe(0);

    await openCustomers(page, /^Cloud Server /, 'Northwind IT');
    const body = await page.locator('body').innerText();
    expect(body).not.toContain('Edit Replication');
    expect(await customersTable(page).getByRole('button', { name: 'Edit Replication' }).count()).toBe(0);
    expect(body).not.toContain('Seed Backup Migration');
    await screenshot(page, '17-cloud-customers');

    await cloud.kill();
    cloud = null;
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText(/^offline — as of /).first().waitFor({ timeout: 30_000 });
    await treeItem(page, /^Cloud Server offline$/).waitFor({ timeout: 30_000 });
    const add = page.getByRole('button', { name: 'Add New Customer' });
    await isDisabled(add);
    expect(await add.getAttribute('title')).toMatch(/^Unavailable offline: this is cached data as of /);
    const edit = customersTable(page).getByRole('row').nth(1).getByRole('button', { name: 'Edit Customer' });
    await isDisabled(edit);
    expect(await edit.getAttribute('title')).toMatch(/^Edit Customer — Unavailable offline/);
    await screenshot(page, '18-offline-cached');
  });

  test('dark theme follows the OS', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await openCustomers(page, DEMO, 'Fabrikam Cloud');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(15, 18, 22)');
    await screenshot(page, '19-customers-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('nothing went wrong in the page: no script errors, no CSP violations', () => {
    // Failed requests the tests caused on purpose (NAME_TAKEN is a 409) are the only console errors allowed.
    const unexpected = session.problems.filter((p) => !/status of 409|status of 503|status of 502/.test(p));
    expect(unexpected).toEqual([]);
  });
});
