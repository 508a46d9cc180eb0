/**
 * Replication end to end (issue 11), in Debian's Chromium against the browser host with demo data: a
 * customer with a real backup is replicated from the demo server to a SECOND real server (its own process
 * on 127.0.0.1:0, with TLS), configured through Edit Replication (the replica's certificate fingerprint
 * confirmed as in Add Server), replicated with Replicate Now while the progress is followed live, and
 * then seen from both sides: Replication Management on the source, the read-only replica on the second
 * server. Screenshots (light and dark) go to test-results/e2e-replication-*.png.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import https from 'node:https';
import { PinnedAgent } from '../../src-shared/pinned-tls.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../support/server-process.js';
import {
  addServer,
  customerRow,
  eachStep,
  expand,
  hasText,
  hidden,
  isDisabled,
  notice,
  openCustomers,
  rowNamed,
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

const CUSTOMER = 'E2E Replicated Clinic';
/**
 * Files below the chunker's minimum are a chunk each. A run sends packs of up to 8 MiB, so 32 MiB under
 * a 6 MiB/s limit take a few seconds in several packs: enough to watch the progress move.
 */
const FILES = 128;
const FILE_BYTES = 256 * 1024;
const LIMIT_KIBPS = 6 * 1024;

let host: WebHost;
let replica: RunningServer;
let session: Session;
let page: Page;
/** The demo server's own name (its `/server` name, not the console's "Demo Server"), as its replica knows it. */
let sourceName = '';
const temps = tempDirs();

const runPanel = () => page.getByRole('group', { name: 'Replication run' });

/** A JSON request to the second server over its TLS, pinned to the fingerprint it printed. */
function replicaApi<T>(method: string, apiPath: string, body?: unknown, token?: string): Promise<T> {
  const agent = new PinnedAgent((presented) => (presented === replica.fingerprint ? null : new Error(`unexpected certificate ${presented}`)));
  return new Promise<T>((resolve, reject) => {
    const req = https.request(`${replica.api}${apiPath}`, { method, agent, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        agent.destroy();
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${apiPath}: ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text) as T);
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  let started: { host: WebHost; session: Session };
  [replica, started] = await Promise.all([startServer({ http: false }), startConsole(['--demo'])]);
  ({ host, session } = started);
  page = session.page;
}, 240_000);

eachStep(() => session);

afterAll(async () => {
  await session?.browser.close();
  await host?.stop();
  await replica?.stop();
  await temps.removeAll();
  if (replica?.dataDir) await rm(replica.dataDir, { recursive: true, force: true });
});

describe('replication, end to end', () => {
  test('a customer of the demo server backs up real files', async () => {
    await openCustomers(page, /^Demo Server /, 'Northwind IT');
    await page.getByRole('button', { name: 'Add New Customer' }).click();
    const create = page.getByRole('dialog', { name: 'Add New Customer' });
    await create.getByRole('textbox', { name: 'Customer Name' }).fill(CUSTOMER);
    await create.getByRole('button', { name: 'Create Customer' }).click();
    await hidden(create);

    const row = await customerRow(page, CUSTOMER);
    await row.getByRole('button', { name: 'Add New Clients' }).click();
    const add = page.getByRole('dialog', { name: 'Add New Clients' });
    await add.getByRole('textbox', { name: 'Client Name' }).fill('clinic-pc');
    await add.getByRole('button', { name: 'Add Client' }).click();
    const commandBox = add.getByRole('textbox', { name: 'Run this on the machine to register it:' });
    await visible(commandBox);
    const command = await commandBox.inputValue();
    await add.getByRole('button', { name: 'Done' }).click();

    const state = await temps.make('bc-e2e-repl-agent-');
    const source = await temps.make('bc-e2e-repl-data-');
    await mkdir(path.join(source, 'records'));
    for (let i = 0; i < FILES; i++) await writeFile(path.join(source, 'records', `patient-${i}.bin`), randomBytes(FILE_BYTES));
    await runAgent(command.replace('./backup-agent-state', state));
    await runAgent(`npm run agent -- schedule add --name Records --source ${source} --every daily@02:00 --state-dir ${state}`);
    await runAgent(`npm run agent -- backup --schedule Records --state-dir ${state}`);
  });

  test('Edit Replication: its own configuration to a second server, its fingerprint compared and trusted', async () => {
    const row = await customerRow(page, CUSTOMER);
    await row.getByRole('button', { name: 'Edit Replication' }).click();
    await page.getByRole('heading', { level: 2, name: 'Edit Replication' }).waitFor();
    // Nothing replicated yet: the table says why it is empty.
    await visible(page.getByText(/Nothing is replicated for this customer yet/));

    await page.getByRole('radio', { name: /^Its own configuration/ }).check();
    await page.getByRole('combobox', { name: 'Replicate' }).selectOption('daily');
    await page.getByRole('textbox', { name: 'At (UTC)' }).fill('03:30');
    // Slow enough to watch the run move.
    await page.getByRole('textbox', { name: 'Bandwidth limit (KiB/s)' }).fill(String(LIMIT_KIBPS));

    await page.getByRole('textbox', { name: 'Replication server URL' }).fill(replica.url);
    await page.getByRole('textbox', { name: 'Replication server user name' }).fill('admin');
    await page.getByLabel('Replication server password').fill(ADMIN_PASSWORD);
    // The keyboard way: Enter in the add form checks the address first (it adds nothing before the fingerprint is trusted).
    await page.getByLabel('Replication server password').press('Enter');
    const shown = page.getByLabel('Certificate fingerprint of the replication server');
    await expect.poll(() => shown.innerText()).toBe(replica.fingerprint.toUpperCase().match(/.{2}/g)!.join(':'));
    await page.getByRole('button', { name: 'Add Replication Server' }).click();
    await visible(page.getByText('Compare the certificate fingerprint, then tick "I have compared the fingerprint and trust this server".'));
    await screenshot(page, 'replication-01-fingerprint');
    await page.getByRole('checkbox', { name: 'I have compared the fingerprint and trust this server' }).check();
    await page.getByRole('button', { name: 'Add Replication Server' }).click();
    const servers = page.getByRole('table', { name: 'Replication servers' });
    await visible(servers.getByRole('cell', { name: replica.url, exact: true }));

    await page.getByRole('button', { name: 'Save Replication Settings' }).click();
    await notice(page, `Replication settings of ${CUSTOMER} saved: it has its own configuration.`);
    // Saved: the password stays on the server, the row offers to replace it.
    await visible(servers.getByLabel(`New password for ${replica.url} (admin)`));
    await screenshot(page, 'replication-02-configured');
  });

  test('Replicate Now: the run is followed live (chunks, bytes, rate) until done, and each replica shows its state', async () => {
    await page.getByRole('button', { name: 'Replicate Now' }).click();
    await visible(runPanel());
    // Under the bandwidth limit the run takes seconds: catch it moving.
    await hasText(runPanel(), /Replicating — [1-9]\d* of \d+ chunks, .+ sent, .+\/s\./);
    await isDisabled(page.getByRole('button', { name: 'Replicate Now' }));
    await screenshot(page, 'replication-03-running');

    await hasText(runPanel(), /Replication finished — (\d+) of \1 chunks/);
    const text = await runPanel().innerText();
    const [, chunks] = /(\d+) of \1 chunks/.exec(text)!;
    expect(Number(chunks)).toBeGreaterThanOrEqual(FILES);
    await notice(page, `Replicating ${CUSTOMER}: done.`);

    const targets = page.getByRole('table', { name: 'Replication Status' });
    const target = targets.getByRole('row').filter({ hasText: replica.url });
    await hasText(target, 'Up to date');
    await hasText(target, /\b\d+ s\b/); // the lag since the last success
    await isDisabled(page.getByRole('button', { name: 'Replicate Now' }), false);
    await screenshot(page, 'replication-04-done');

    // The second server really holds the copy, marked as a replica of the demo server (by the server's own name).
    const { token } = await replicaApi<{ token: string }>('POST', '/session', { username: 'admin', password: ADMIN_PASSWORD });
    const resellers = await replicaApi<{ items: { id: string }[] }>('GET', '/resellers?limit=1000', undefined, token);
    const copies: { name: string; replicaOf: { serverName: string } | null; spaceUsed: number }[] = [];
    for (const r of resellers.items) copies.push(...(await replicaApi<{ items: typeof copies }>('GET', `/resellers/${r.id}/customers?limit=1000`, undefined, token)).items);
    const copy = copies.find((c) => c.name === CUSTOMER);
    expect(copy?.replicaOf?.serverName).toBeTruthy();
    sourceName = copy!.replicaOf!.serverName;
    expect(copy!.spaceUsed).toBeGreaterThanOrEqual(FILES * FILE_BYTES);
  });

  test('Replication Management on the server node: the global form and every customer, failed first', async () => {
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await treeLine(treeItem(page, /^Demo Server online$/)).click();
    await page.getByRole('main').getByRole('button', { name: 'Replication Management' }).click();
    await page.getByRole('heading', { level: 2, name: 'Replication Management' }).waitFor();
    await visible(page.getByRole('checkbox', { name: 'Replicate customers that follow the global configuration' }));
    const table = page.getByRole('table', { name: 'Replication of Customers' });
    expect(await table.getByRole('columnheader', { name: 'State' }).getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('searchbox', { name: 'Filter Replication of Customers' }).fill(CUSTOMER);
    const row = rowNamed(table, CUSTOMER);
    await hasText(row, 'Own');
    await hasText(row, 'Up to date');
    await screenshot(page, 'replication-05-management');
    await page.getByRole('button', { name: 'Save Global Replication' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'replication-05-management-form');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'replication-06-management-dark');

    // Back to the customer's page from its row: dark as well.
    await row.getByRole('button', { name: 'Edit Replication' }).click();
    await page.getByRole('heading', { level: 2, name: 'Edit Replication' }).waitFor();
    await hasText(page.getByRole('table', { name: 'Replication Status' }), 'Up to date');
    await screenshot(page, 'replication-07-customer-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Replication Management' }).waitFor();
    await page.getByRole('button', { name: 'Back', exact: true }).click();
  });

  test('the second server, added to the console, shows the copy as a replica and offers no change to it', async () => {
    await addServer(page, 'Replica Server', replica.url);

    const server = treeItem(page, /^Replica Server online$/);
    await expand(server);
    await expect.poll(() => server.getAttribute('aria-busy')).not.toBe('true');
    await server.getByRole('treeitem').first().waitFor();
    // With reseller management the copy sits under a reseller of the source's name; without, under Customers.
    const reseller = server.getByRole('treeitem', { name: 'Northwind IT', exact: true });
    await openCustomers(page, /^Replica Server /, (await reseller.count()) > 0 ? 'Northwind IT' : null);
    const row = await customerRow(page, CUSTOMER);
    await visible(row.getByText(`Replica of ${sourceName}`, { exact: true }));
    for (const name of ['Edit Customer', 'Add New Clients', 'Edit Replication']) {
      const button = row.getByRole('button', { name, exact: true });
      await isDisabled(button);
      expect(await button.getAttribute('title')).toBe(
        `${name} — Read-only: ${CUSTOMER} is a replica of ${sourceName}. Make changes on ${sourceName}; they reach this copy with its next replication run.`,
      );
    }
    await screenshot(page, 'replication-08-replica');
  });

  test('a refused password fails the run with the error and what to do next, on the page and in its replica row', async () => {
    await openCustomers(page, /^Demo Server /, 'Northwind IT');
    const row = await customerRow(page, CUSTOMER);
    await row.getByRole('button', { name: 'Edit Replication' }).click();
    await page.getByRole('heading', { level: 2, name: 'Edit Replication' }).waitFor();
    await page.getByLabel(`New password for ${replica.url} (admin)`).fill('not-the-password');
    await page.getByRole('button', { name: 'Save Replication Settings' }).click();
    await notice(page, `Replication settings of ${CUSTOMER} saved: it has its own configuration.`);
    await page.getByRole('button', { name: 'Replicate Now' }).click();
    await hasText(runPanel(), 'Replication failed');
    await hasText(runPanel().getByRole('alert'), /UNAUTHENTICATED|password/i);
    await visible(runPanel().getByText('Check the replication servers (address, user name and password, certificate) and that they are running, then choose Replicate Now.'));
    const target = page.getByRole('table', { name: 'Replication Status' }).getByRole('row').filter({ hasText: replica.url });
    await hasText(target, 'Failed');
    await screenshot(page, 'replication-09-failed');
  });

  test('nothing went wrong in the page: no script errors, no CSP violations', () => {
    // The refused run of the last step is a 409 only if the server refuses to start it; none is expected.
    expect(session.problems).toEqual([]);
  });
});
