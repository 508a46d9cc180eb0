import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test } from 'vitest';
import ReplicationManagementPage from '../../../src-renderer/pages/ReplicationManagementPage.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import ClientsView from '../../../src-renderer/views/ClientsView.svelte';
import ServerView from '../../../src-renderer/views/ServerView.svelte';
import { makeCustomer, type FakeBridge } from './fake-bridge.js';
import { bodyRows, cellTexts, settle, startedApp } from './helpers.js';

const cloud = (b: FakeBridge) => {
  b.info = { ...b.info, deployment: 'cloud', features: { replication: false, seedMigration: false } };
  b.servers = b.servers.map((s) => ({ ...s, info: b.info }));
};

async function openPage(configure?: (b: FakeBridge) => void) {
  const { bridge, app } = await startedApp(configure);
  render(ReplicationManagementPage, { props: { serverId: 'srv1' }, context: appContext(app) });
  await settle();
  return { bridge, app };
}

afterEach(() => cleanup());

describe('Replication Management (the server)', () => {
  test('is offered on the server node to an administrator of an on-premise server only', async () => {
    for (const [configure, shown] of [
      [() => undefined, true],
      [cloud, false],
      [(b: FakeBridge) => (b.servers = b.servers.map((s) => ({ ...s, role: 'reseller', resellerId: 'r1' }))), false],
    ] as const) {
      const { app } = await startedApp(configure);
      render(ServerView, { props: { serverId: 'srv1' }, context: appContext(app) });
      await settle();
      const button = screen.queryByRole('button', { name: 'Replication Management' });
      expect(button !== null).toBe(shown);
      if (button) {
        await fireEvent.click(button);
        expect(app.nav.page).toEqual({ kind: 'replication-management', serverId: 'srv1' });
      }
      cleanup();
    }
  });

  test('the global configuration: shown as the server holds it, checked, and saved whole', async () => {
    const { bridge, app } = await openPage();
    const enabled = screen.getByRole('checkbox', { name: 'Replicate customers that follow the global configuration' }) as HTMLInputElement;
    expect(enabled.checked).toBe(true);
    expect((screen.getByRole('textbox', { name: 'At (UTC)' }) as HTMLInputElement).value).toBe('01:00');
    const servers = screen.getByRole('table', { name: 'Replication servers' });
    expect(within(servers).getByText('https://replica.test:8443')).toBeTruthy();
    expect(within(servers).getByText(('EF:'.repeat(32)).slice(0, -1))).toBeTruthy();

    // Weekly needs a day; removing the last server while enabled is refused before anything is sent.
    await fireEvent.change(screen.getByRole('combobox', { name: 'Replicate' }), { target: { value: 'weekly' } });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Mon' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Thu' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove https://replica.test:8443 (admin)' }));
    const save = screen.getByRole('button', { name: 'Save Global Replication' });
    await fireEvent.click(save);
    await settle();
    expect(screen.getByText('Add at least one replication server, or turn replication off.')).toBeTruthy();
    expect(bridge.callsOf('replication.update')).toEqual([]);

    await fireEvent.click(enabled);
    await fireEvent.click(save);
    await settle();
    expect(bridge.callsOf('replication.update')).toEqual([
      { serverId: 'srv1', config: { enabled: false, frequency: { kind: 'weekly', at: '01:00', days: ['thu'] }, bandwidthLimitKBps: null, servers: [] } },
    ]);
    expect(app.notices.list.at(-1)?.text).toBe('Global replication saved: it is off, so customers that follow it are not replicated.');
  });

  test("every customer's replication, failed first, filterable, each row opening its Edit Replication", async () => {
    const { app } = await openPage();
    const table = screen.getByRole('table', { name: 'Replication of Customers' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.getAttribute('aria-label') ?? h.textContent?.trim());
    expect(headers).toEqual(['Customer', 'Mode', 'State', 'Servers', 'Last Run', 'Last Success', 'Lag', 'Last Error', 'Bytes Sent', 'Actions']);
    const rows = bodyRows(table);
    expect(cellTexts(rows[0]!).slice(0, 3)).toEqual(['Adatum', 'Own', 'Failed']);
    expect(cellTexts(rows[0]!)).toContain('UNAUTHENTICATED: the replication server refused the user name or password.');
    expect(cellTexts(rows[1]!).slice(0, 3)).toEqual(['Contoso', 'Global', 'Up to date']);
    expect(within(table).getByRole('columnheader', { name: 'State' }).getAttribute('aria-sort')).toBe('ascending');

    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter Replication of Customers' }), { target: { value: 'conto' } });
    expect(bodyRows(table).map((r) => cellTexts(r)[0])).toEqual(['Contoso']);
    await fireEvent.click(within(bodyRows(table)[0]!).getByRole('button', { name: 'Edit Replication' }));
    await settle();
    expect(app.nav.page).toMatchObject({ kind: 'customer-replication', serverId: 'srv1', customer: { id: 'c1', name: 'Contoso' }, fromManagement: true });
  });

  test('offline: read-only with the banner', async () => {
    await openPage((b) => (b.offlineAsOf = '2025-01-15T09:30:00.000Z'));
    expect(screen.getAllByText(/^offline — as of /).length).toBeGreaterThan(0);
    const save = screen.getByRole('button', { name: 'Save Global Replication' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(save.title).toMatch(/^Unavailable offline: this is cached data as of .+ Reconnect/);
    expect(screen.queryByRole('button', { name: /^Remove / })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Check Server' })).toBeNull();
    expect(screen.getByRole('table', { name: 'Replication of Customers' })).toBeTruthy();
  });

  test('a cloud server says it does not replicate, and asks nothing', async () => {
    const { bridge } = await openPage(cloud);
    expect(screen.getByText(/does not offer replication/)).toBeTruthy();
    expect(bridge.callsOf('replication.get')).toEqual([]);
    expect(bridge.callsOf('replication.overview')).toEqual([]);
  });
});

describe("the customer's page", () => {
  test('offers Edit Replication; a replica says whose copy it is and offers no change', async () => {
    const { bridge, app } = await startedApp((b) => b.customers.push(makeCustomer({ id: 'c9', name: 'Fabrikam', replicaOf: { serverId: 'hq', serverName: 'HQ Server' } })));
    render(ClientsView, { props: { serverId: 'srv1', customer: bridge.customers[0]! }, context: appContext(app) });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Edit Replication' }));
    expect(app.nav.page).toMatchObject({ kind: 'customer-replication', customer: { id: 'c1' } });
    cleanup();

    render(ClientsView, { props: { serverId: 'srv1', customer: bridge.customers.find((c) => c.id === 'c9')! }, context: appContext(app) });
    await settle();
    expect(screen.getByText(/^Read-only: Fabrikam is a replica of HQ Server/)).toBeTruthy();
    for (const name of ['Edit Replication', 'Add New Clients']) expect((screen.getByRole('button', { name: new RegExp(name) }) as HTMLButtonElement).disabled, name).toBe(true);
  });
});
