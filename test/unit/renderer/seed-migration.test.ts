import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test } from 'vitest';
import type { SeedMigration, SeedMigrationClient } from '../../../src-shared/api/seed-migration.js';
import type { ServerView } from '../../../src-shared/bridge.js';
import { mcalWarnings, nextStep, resumable, seedPreview, targetCustomerNames, targetProblem } from '../../../src-renderer/lib/seed-migration.js';
import SeedMigrationPage from '../../../src-renderer/pages/SeedMigrationPage.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { makeClient, makeJob, type FakeBridge } from './fake-bridge.js';
import { bodyRows, settle, startedApp } from './helpers.js';

const GiB = 2 ** 30;
const T0 = '2025-01-15T10:00:00.000Z';

const seedClient = (over: Partial<SeedMigrationClient> & { clientId: string; name: string }): SeedMigrationClient => ({ state: 'queued', bytesCopied: 0, bytesTotal: 0, error: null, ...over });
const migration = (status: SeedMigration['status'], clients: SeedMigrationClient[]): SeedMigration => ({
  id: 'm1',
  jobId: 'j1',
  status,
  target: { url: 'https://target.test:8443', fingerprint: 'cd'.repeat(32) },
  targetCustomerName: null,
  createdAt: T0,
  clients,
});

function targetServer(b: FakeBridge, over: Partial<ServerView> = {}): ServerView {
  return { ...b.servers[0]!, id: 'srv2', name: 'Target server', url: 'https://target.test:8443', fingerprint: 'cd'.repeat(32), ...over };
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

afterEach(() => cleanup());

describe('seed migration in words and figures', () => {
  test('a preview counts the MCALs only non-trial clients need', () => {
    const clients = [makeClient({ id: 'a', name: 'A', spaceUsed: GiB }), makeClient({ id: 'b', name: 'B', trial: true, customerId: null, spaceUsed: 2 * GiB })];
    expect(seedPreview(clients)).toEqual({ clients: 2, bytes: 3 * GiB, mcals: 1, trials: 1 });
  });

  test('MCAL warnings: an allotment has what is left of it, a new or unallotted customer the pool', () => {
    const chosen = [makeClient({ id: 'a', name: 'A', customerId: 'c1' }), makeClient({ id: 'b', name: 'B', customerId: 'c1' }), makeClient({ id: 'c', name: 'C', customerId: 'c2' })];
    const names = new Map([['c1', 'Contoso'], ['c2', 'Adatum']]);
    const needs = targetCustomerNames(chosen, (c) => names.get(c.customerId ?? '') ?? null, null);
    expect([...needs]).toEqual([['Contoso', 2], ['Adatum', 1]]);
    const warnings = mcalWarnings(needs, [{ name: 'contoso', mcalsAllotted: 3, mcalsUsed: 2 }], 0);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^Contoso on the target has 1 free MCAL for 2 clients/);
    expect(mcalWarnings(targetCustomerNames(chosen, () => null, 'All'), [], 10)).toEqual([]);
  });

  test('a target is another server, online, on-premise, signed in as its administrator', () => {
    const base = { id: 'srv2', name: 'B', url: 'https://b', username: 'admin', fingerprint: null, state: 'online', problem: null, role: 'admin', resellerId: null } as const;
    const info = { id: 'x', name: 'B', version: '1', deployment: 'on-premise', resellerManagement: false, mcalPool: { total: 1, allotted: 0, used: 0 }, features: { replication: true, seedMigration: true } } as const;
    expect(targetProblem({ ...base, info }, 'srv1')).toBeNull();
    expect(targetProblem({ ...base, info }, 'srv2')).toMatch(/on it/);
    expect(targetProblem({ ...base, info, state: 'offline' }, 'srv1')).toBe('offline');
    expect(targetProblem({ ...base, info: { ...info, deployment: 'cloud' } }, 'srv1')).toMatch(/cloud/);
    expect(targetProblem({ ...base, info, role: 'reseller' }, 'srv1')).toMatch(/reseller/);
  });

  test('Resume is offered after an interruption, not after refusals only; each failure says what to do', () => {
    const refused = seedClient({ clientId: 'a', name: 'A', state: 'failed', error: 'MCAL_EXHAUSTED: Contoso has no free MCAL.' });
    const cut = seedClient({ clientId: 'b', name: 'B', state: 'failed', error: 'OFFLINE: the target could not be reached.' });
    expect(resumable(migration('partial', [seedClient({ clientId: 'm', name: 'M', state: 'moved' }), refused]))).toBe(false);
    expect(resumable(migration('failed', [refused, cut]))).toBe(true);
    expect(resumable(migration('failed', [seedClient({ clientId: 'q', name: 'Q' })]))).toBe(true);
    expect(resumable(migration('running', [cut]))).toBe(false);
    expect(nextStep(refused)).toMatch(/Raise the MCAL allotment/);
    expect(nextStep(cut)).toMatch(/Choose Resume/);
    expect(nextStep(seedClient({ clientId: 'm', name: 'M', state: 'moved' }))).toBeNull();
  });
});

describe('Seed Backup Migration page', () => {
  async function openPage(configure?: (b: FakeBridge) => void) {
    const { bridge, app } = await startedApp((b) => {
      b.servers = [...b.servers, targetServer(b)];
      b.clients = [...b.clients, makeClient({ id: 'k9', name: 'Gone-PC', customerId: 'c1', status: 'moved', movedTo: { url: 'https://elsewhere.test:8443' } })];
      // Each answer a new object, as across the real bridge: the page reads the migration again at each.
      b.answer('jobs.get', ({ id }) => ({ ...b.jobs.get(id)! }));
      b.answer('seedMigration.clients', () => ({ data: { items: b.clients, total: b.clients.length }, asOf: null }));
      configure?.(b);
    });
    app.jobs.pollMs = 5;
    render(SeedMigrationPage, { props: { serverId: 'srv1' }, context: appContext(app) });
    await settle();
    return { bridge, app };
  }
  const table = () => screen.getByRole('table', { name: 'Clients to Move' });
  const check = (name: string) => within(table()).getByRole('checkbox', { name: `Select ${name}` }) as HTMLInputElement;
  const startButton = () => screen.getByRole('button', { name: 'Start Migration' }) as HTMLButtonElement;

  test('lists every client with its customer; a moved one cannot be chosen; the preview follows the choice', async () => {
    await openPage();
    expect(bodyRows(table()).length).toBe(4);
    expect(within(table()).getByText('Moved to https://elsewhere.test:8443')).toBeTruthy();
    expect(check('Gone-PC').disabled).toBe(true);
    expect(startButton().disabled).toBe(true);
    expect(startButton().title).toBe('Choose the clients to move first');

    await fireEvent.click(screen.getByRole('checkbox', { name: 'Select all shown' }));
    expect(check('Gone-PC').checked).toBe(false);
    const facts = screen.getByLabelText('What the migration moves');
    expect(facts.textContent).toMatch(/Clients\s*3 \(1 trial\)/);
    expect(facts.textContent).toMatch(/MCALs needed on the target\s*2/);
    expect(startButton().title).toBe('Choose the target server first');
  });

  test('starts with the target server and customer chosen, follows each client to done, and refreshes both servers', async () => {
    const { bridge } = await openPage((b) => {
      b.jobs.set('j1', makeJob({ id: 'j1', kind: 'seed-migration' as never, status: 'running' }));
      b.answer('seedMigration.start', () => ({ id: 'm1', jobId: 'j1' }));
      let reads = 0;
      b.answer('seedMigration.get', () => {
        reads++;
        if (reads < 3) return migration('running', [seedClient({ clientId: 'k1', name: 'Laptop-1', state: 'copying', bytesCopied: GiB / 2, bytesTotal: GiB })]);
        b.jobs.set('j1', makeJob({ id: 'j1', status: 'done' }));
        return migration('done', [seedClient({ clientId: 'k1', name: 'Laptop-1', state: 'moved', bytesCopied: GiB, bytesTotal: GiB })]);
      });
    });
    await fireEvent.click(check('Laptop-1'));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Move to' }), { target: { value: 'srv2' } });
    await fireEvent.click(screen.getByRole('radio', { name: 'One customer for all of them:' }));
    await fireEvent.input(screen.getByRole('combobox', { name: 'Target customer name' }), { target: { value: '  Contoso East ' } });
    await settle();
    expect(startButton().disabled).toBe(false);
    await fireEvent.submit(startButton().closest('form')!);
    await settle();
    expect(bridge.callsOf('seedMigration.start')).toEqual([{ serverId: 'srv1', clientIds: ['k1'], targetServerId: 'srv2', targetCustomerName: 'Contoso East' }]);

    const progress = await screen.findByRole('group', { name: 'Seed migration progress' });
    await until(() => /Migration finished/.test(progress.textContent ?? ''), 'the migration to finish');
    expect(within(screen.getByRole('table', { name: 'Clients Being Moved' })).getByText('Moved')).toBeTruthy();
    expect(progress.textContent).toMatch(/1 of 1 clients moved/);
    await until(() => bridge.callsOf('server.info').some((a) => (a as { serverId: string }).serverId === 'srv2'), 'the target to be read again');
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
  });

  test('an interrupted migration offers Resume, which signs in to the target afresh', async () => {
    const { bridge } = await openPage((b) => {
      b.jobs.set('j1', makeJob({ id: 'j1', status: 'failed', error: 'OFFLINE: the target could not be reached.' }));
      b.jobs.set('j2', makeJob({ id: 'j2', status: 'running' }));
      b.answer('seedMigration.start', () => ({ id: 'm1', jobId: 'j1' }));
      b.answer('seedMigration.get', () => migration('failed', [seedClient({ clientId: 'k1', name: 'Laptop-1', state: 'failed', error: 'OFFLINE: the target could not be reached.' })]));
      b.answer('seedMigration.resume', () => ({ id: 'm1', jobId: 'j2' }));
    });
    await fireEvent.click(check('Laptop-1'));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Move to' }), { target: { value: 'srv2' } });
    await fireEvent.submit(startButton().closest('form')!);
    const resume = (await screen.findByRole('button', { name: 'Resume' })) as HTMLButtonElement;
    expect(screen.getByRole('list', { name: 'Clients that did not move' }).textContent).toMatch(/Laptop-1: OFFLINE: .+ Choose Resume to continue/);
    await fireEvent.click(resume);
    await settle();
    expect(bridge.callsOf('seedMigration.resume')).toEqual([{ serverId: 'srv1', id: 'm1', targetServerId: 'srv2' }]);
    expect(bridge.callsOf('seedMigration.start')[0]).not.toHaveProperty('targetCustomerName');
  });

  test('a server without the feature shows why and asks nothing', async () => {
    const { bridge } = await openPage((b) => {
      b.info = { ...b.info, features: { replication: false, seedMigration: false } };
      b.servers = b.servers.map((s) => ({ ...s, info: b.info }));
    });
    expect(screen.getByText(/does not offer seed backup migration/)).toBeTruthy();
    expect(bridge.callsOf('seedMigration.clients')).toEqual([]);
  });
});
