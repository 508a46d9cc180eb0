import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test } from 'vitest';
import { BridgeError } from '../../../src-shared/bridge.js';
import CustomerReplicationPage from '../../../src-renderer/pages/CustomerReplicationPage.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { ServerJob } from '../../../src-renderer/state/server-job.svelte.js';
import { makeCustomer, makeJob, makeTarget, type FakeBridge } from './fake-bridge.js';
import { bodyRows, cellTexts, settle, startedApp } from './helpers.js';

const HOUR = 3600_000;

async function openPage(configure?: (b: FakeBridge) => void, customerId = 'c1') {
  const { bridge, app } = await startedApp(configure);
  app.jobs.pollMs = 5;
  const customer = bridge.customers.find((c) => c.id === customerId)!;
  render(CustomerReplicationPage, { props: { serverId: 'srv1', customer }, context: appContext(app) });
  await settle();
  return { bridge, app };
}

const radio = (name: string | RegExp) => screen.getByRole('radio', { name }) as HTMLInputElement;
const saveButton = () => screen.getByRole('button', { name: 'Save Replication Settings' }) as HTMLButtonElement;
const replicateNow = () => screen.getByRole('button', { name: 'Replicate Now' }) as HTMLButtonElement;

async function type(input: HTMLElement, value: string) {
  await fireEvent.input(input, { target: { value } });
}

/** Waits (in short real-time steps) until `check` holds. */
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** Adds a replication server the way a user does: check the address, compare the fingerprint, tick, add. */
async function addServer(url: string, password = 'replica-pw') {
  await type(screen.getByRole('textbox', { name: 'Replication server URL' }), url);
  await type(screen.getByRole('textbox', { name: 'Replication server user name' }), 'admin');
  await type(screen.getByLabelText('Replication server password'), password);
  await fireEvent.click(screen.getByRole('button', { name: 'Check Server' }));
  await settle();
}

afterEach(() => cleanup());

describe('Edit Replication (a customer)', () => {
  test('shows each replication server with its state, last success, lag and last error', async () => {
    const lastSuccess = new Date(Date.now() - 3 * HOUR - 5 * 60_000).toISOString();
    await openPage((b) =>
      b.replicationTargets.set('c1', [
        makeTarget({ url: 'https://replica-a.test:8443', lastSuccessAt: lastSuccess }),
        makeTarget({ url: 'https://replica-b.test:8443', state: 'failed', lastSuccessAt: null, lastError: 'The replica presents certificate AB…, expected CD….', retryAt: '2025-01-15T11:00:00.000Z' }),
      ]),
    );
    expect(screen.getByRole('heading', { level: 2, name: 'Edit Replication' })).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Replication Status' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.getAttribute('aria-label') ?? h.textContent?.trim());
    expect(headers).toEqual(['Replication Server', 'State', 'Last Run', 'Last Success', 'Lag', 'Last Error', 'Chunks Sent (last run)', 'Bytes Sent (last run)']);
    const [a, b] = bodyRows(table).map(cellTexts);
    expect(a).toContain('Up to date');
    expect(a).toContain('3 h 5 min');
    expect(a).toContain('3 MiB');
    expect(b!.some((t) => t.startsWith('Failed — retried at'))).toBe(true);
    expect(b).toContain('The replica presents certificate AB…, expected CD….');
    expect(b).toContain('—'); // no success yet: no lag
  });

  test('the mode follows the global configuration by default; Off is saved as the mode alone', async () => {
    const { bridge, app } = await openPage();
    expect(radio(/^Follow the global configuration/).checked).toBe(true);
    expect(screen.getByText(/now daily at 01:00 UTC to 1 replication server, unlimited/)).toBeTruthy();
    await fireEvent.click(radio(/^Off/));
    await fireEvent.click(saveButton());
    await settle();
    expect(bridge.callsOf('replication.updateCustomer')).toEqual([{ serverId: 'srv1', id: 'c1', config: { mode: 'off' } }]);
    expect(app.notices.list.at(-1)?.text).toBe('Replication settings of Contoso saved: replication is off (its replicas stay as they are).');
    // Off: nothing to replicate now, and the button says why.
    expect(replicateNow().disabled).toBe(true);
    expect(replicateNow().title).toBe('Replication is off for this customer: choose another mode and save first.');
  });

  test('its own configuration: checks the fields, adds a server only after its fingerprint is confirmed, and saves the password once', async () => {
    const { bridge } = await openPage();
    await fireEvent.click(radio(/^Its own configuration/));
    // Starts from the global frequency; with no server of its own it cannot be saved.
    expect((screen.getByRole('combobox', { name: 'Replicate' }) as HTMLSelectElement).value).toBe('daily');
    await fireEvent.click(saveButton());
    await settle();
    expect(screen.getAllByText('Add at least one replication server, or choose "Follow the global configuration" or "Off".').length).toBeGreaterThan(0);
    const at = screen.getByRole('textbox', { name: 'At (UTC)' });
    await type(at, '25:00');
    expect(at.getAttribute('aria-invalid')).toBe('true');
    await type(at, '03:30');
    await type(screen.getByRole('textbox', { name: 'Bandwidth limit (KiB/s)' }), '0');
    expect(screen.getByText(`Enter a whole number of KiB/s from 1 to ${(10_000_000).toLocaleString()}, or leave it empty for no limit.`)).toBeTruthy();
    await type(screen.getByRole('textbox', { name: 'Bandwidth limit (KiB/s)' }), '2048');

    // A path is not an address; then the certificate is shown and must be confirmed before adding.
    await addServer('https://dr.example.com:8443/api');
    expect(screen.getByText('Enter the server\'s address only, without a path: https://dr.example.com:8443')).toBeTruthy();
    expect(bridge.callsOf('servers.probe')).toEqual([]);
    await addServer('https://dr.example.com:8443');
    expect(bridge.callsOf('servers.probe')).toEqual([{ url: 'https://dr.example.com:8443' }]);
    expect(screen.getByLabelText('Certificate fingerprint of the replication server').textContent).toBe(('CD:'.repeat(32)).slice(0, -1));
    await fireEvent.click(screen.getByRole('button', { name: 'Add Replication Server' }));
    await settle();
    expect(screen.getByText('Compare the certificate fingerprint, then tick "I have compared the fingerprint and trust this server".')).toBeTruthy();
    await fireEvent.click(screen.getByRole('checkbox', { name: 'I have compared the fingerprint and trust this server' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Add Replication Server' }));
    await settle();
    const list = screen.getByRole('table', { name: 'Replication servers' });
    expect(within(list).getByText('https://dr.example.com:8443')).toBeTruthy();

    await fireEvent.click(saveButton());
    await settle();
    expect(bridge.callsOf('replication.updateCustomer')).toEqual([
      {
        serverId: 'srv1',
        id: 'c1',
        config: {
          mode: 'custom',
          frequency: { kind: 'daily', at: '03:30' },
          bandwidthLimitKBps: 2048,
          servers: [{ url: 'https://dr.example.com:8443', username: 'admin', fingerprint: 'cd'.repeat(32), password: 'replica-pw' }],
        },
      },
    ]);
    // Saved: the password is the server's now; the row says so and a second save sends none.
    expect(within(screen.getByRole('table', { name: 'Replication servers' })).getByLabelText('New password for https://dr.example.com:8443 (admin)')).toBeTruthy();
    await fireEvent.click(saveButton());
    await settle();
    const second = bridge.callsOf('replication.updateCustomer')[1] as { config: { servers: object[] } };
    expect(second.config.servers).toEqual([{ url: 'https://dr.example.com:8443', username: 'admin', fingerprint: 'cd'.repeat(32) }]);
  });

  test('a refusal naming a field lands on it', async () => {
    const { bridge } = await openPage((b) => b.customerReplication.set('c1', { mode: 'custom', frequency: { kind: 'hourly' }, bandwidthLimitKBps: null, servers: b.replication.servers }));
    bridge.failNext.set('replication.updateCustomer', new BridgeError('BAD_REQUEST', 'bandwidthLimitKBps: must be at most 10000000.', { field: 'bandwidthLimitKBps' }));
    await type(screen.getByRole('textbox', { name: 'Bandwidth limit (KiB/s)' }), '99');
    await fireEvent.click(saveButton());
    await settle();
    const input = screen.getByRole('textbox', { name: 'Bandwidth limit (KiB/s)' });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Must be at most 10000000.')).toBeTruthy();
  });

  test('a reseller may only follow the global configuration or turn it off', async () => {
    await openPage((b) => (b.servers = b.servers.map((s) => ({ ...s, role: 'reseller', resellerId: 'r1' }))));
    expect(radio(/^Its own configuration/).disabled).toBe(true);
    expect(radio(/^Off/).disabled).toBe(false);
    expect(screen.getByText(/Only a server administrator can give a customer its own replication configuration/)).toBeTruthy();
  });

  test('Replicate Now follows the run with chunks, bytes and rate, then shows the new state', async () => {
    const { bridge, app } = await openPage();
    await fireEvent.click(replicateNow());
    await settle();
    const [jobId] = [...bridge.jobs.keys()];
    expect(bridge.callsOf('replication.run')).toEqual([{ serverId: 'srv1', id: 'c1' }]);
    expect(replicateNow().disabled).toBe(true);
    bridge.jobs.set(jobId!, makeJob({ id: jobId!, progress: { done: 40, total: 100, bytes: 10 * 2 ** 20 } }));
    await until(() => /40 of 100 chunks, 10 MiB sent/.test(screen.getByRole('group', { name: 'Replication run' }).textContent ?? ''), 'the progress');
    expect((screen.getByRole('progressbar', { name: 'Chunks sent' }) as HTMLProgressElement).value).toBe(40);
    // The status line shows the same run.
    expect(app.jobs.running[`srv1:${jobId}`]).toMatchObject({ label: 'Replicating Contoso', done: 40, total: 100, status: 'running' });

    bridge.replicationTargets.set('c1', [makeTarget({ chunksSent: 100, bytesSent: 25 * 2 ** 20, lastSuccessAt: new Date().toISOString() })]);
    bridge.jobs.set(
      jobId!,
      makeJob({ id: jobId!, status: 'done', progress: { done: 100, total: 100, bytes: 25 * 2 ** 20 }, createdAt: '2025-01-15T10:00:00.000Z', finishedAt: '2025-01-15T10:00:10.000Z' }),
    );
    await until(() => /Replication finished/.test(screen.getByRole('group', { name: 'Replication run' }).textContent ?? ''), 'the end of the run');
    expect(screen.getByRole('group', { name: 'Replication run' }).textContent).toContain('100 of 100 chunks, 25 MiB sent, 2.5 MiB/s, in 10 s.');
    await until(() => cellTexts(bodyRows(screen.getByRole('table', { name: 'Replication Status' }))[0]!).includes('25 MiB'), 'the status reloaded');
    expect(app.notices.list.some((n) => n.text === 'Replicating Contoso: done.')).toBe(true);
    expect(replicateNow().disabled).toBe(false);
  });

  test('a run the server refuses says why; a failed run shows its error', async () => {
    const { bridge, app } = await openPage();
    bridge.failNext.set('replication.run', new BridgeError('CONFLICT', 'No replication server is configured for this customer.'));
    await fireEvent.click(replicateNow());
    await settle();
    expect(screen.getByText('Starting the replication of Contoso failed: No replication server is configured for this customer.')).toBeTruthy();
    await fireEvent.click(replicateNow());
    await settle();
    const [jobId] = [...bridge.jobs.keys()];
    bridge.jobs.set(jobId!, makeJob({ id: jobId!, status: 'failed', error: 'UNAUTHENTICATED: replica.test refused the user name or password.', finishedAt: '2025-01-15T10:00:01.000Z' }));
    await until(() => /Replication failed/.test(screen.getByRole('group', { name: 'Replication run' }).textContent ?? ''), 'the failure');
    expect(within(screen.getByRole('group', { name: 'Replication run' })).getByRole('alert').textContent).toBe('UNAUTHENTICATED: replica.test refused the user name or password.');
    expect(app.notices.list.at(-1)).toMatchObject({ kind: 'error', text: 'Replicating Contoso failed: UNAUTHENTICATED: replica.test refused the user name or password.' });
  });

  test('a run in progress when the page opens is followed at once', async () => {
    await openPage((b) => {
      b.jobs.set('rj7', makeJob({ id: 'rj7', progress: { done: 3, total: 9, bytes: 4096 } }));
      b.replicationTargets.set('c1', [makeTarget({ state: 'running', jobId: 'rj7' })]);
    });
    await until(() => screen.queryByRole('group', { name: 'Replication run' }) !== null, 'the run');
    await until(() => /3 of 9 chunks, 4 KiB sent/.test(screen.getByRole('group', { name: 'Replication run' }).textContent ?? ''), 'its progress');
  });

  test('offline: read-only from the cache with the banner, nothing can be started or saved', async () => {
    await openPage((b) => (b.offlineAsOf = '2025-01-15T09:30:00.000Z'));
    expect(screen.getAllByText(/^offline — as of /).length).toBeGreaterThan(0);
    expect(saveButton().disabled).toBe(true);
    expect(saveButton().title).toMatch(/^Unavailable offline: this is cached data as of /);
    // Inside a disabled fieldset (jsdom leaves the property alone, the :disabled state is what counts).
    expect(radio(/^Off/).matches(':disabled')).toBe(true);
    expect(replicateNow().disabled).toBe(true);
    expect(screen.getByRole('table', { name: 'Replication Status' })).toBeTruthy();
  });

  test('a replica customer is shown as such and offers no change', async () => {
    await openPage((b) => b.customers.push(makeCustomer({ id: 'c9', name: 'Fabrikam', replicaOf: { serverId: 'hq', serverName: 'HQ Server' } })), 'c9');
    expect(screen.getAllByText(/Read-only: Fabrikam is a replica of HQ Server/).length).toBeGreaterThan(0);
    expect(saveButton().disabled).toBe(true);
    expect(replicateNow().disabled).toBe(true);
  });
});

describe('a followed server job', () => {
  test('measures its rate over the last seconds while it runs, and over the whole run once done', async () => {
    const { bridge } = await startedApp();
    const answers = [0, 1, 3, 4].map((mib, i) => makeJob({ id: 'j1', status: i === 3 ? 'done' : 'running', progress: { done: i, total: 3, bytes: mib * 2 ** 20 } }));
    answers[3] = { ...answers[3]!, createdAt: '2025-01-15T10:00:00.000Z', finishedAt: '2025-01-15T10:00:08.000Z' };
    bridge.answer('jobs.get', () => answers.shift()!);
    let clock = 0;
    const rates: (number | null)[] = [];
    const job = new ServerJob(bridge, 'srv1', 'j1', 'Replicating Contoso', {
      intervalMs: 1,
      now: () => (clock += 1000),
      onupdate: () => queueMicrotask(() => rates.push(job.rate)),
    });
    expect(await job.follow()).toMatchObject({ status: 'done' });
    await settle();
    // 1 MiB in the first second, 3 MiB over two, then 4 MiB over the 8 s the server says the run took.
    expect(rates).toEqual([null, 2 ** 20, 1.5 * 2 ** 20, 0.5 * 2 ** 20]);
  });
});
