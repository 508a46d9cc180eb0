import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import CustomersView from '../../../src-renderer/views/CustomersView.svelte';
import { makeCustomer } from './fake-bridge.js';
import { bodyRows, settle, startedApp } from './helpers.js';

async function renderCustomers(configure?: Parameters<typeof startedApp>[0]) {
  const { bridge, app } = await startedApp(configure);
  render(CustomersView, { props: { serverId: 'srv1', resellerId: 'r1', resellerName: 'Northwind IT' }, context: appContext(app) });
  await settle();
  return { bridge, app, table: screen.getByRole('table', { name: 'List Of Customers' }) };
}

function rowOf(table: HTMLElement, name: string): HTMLElement {
  const row = bodyRows(table).find((r) => within(r).queryByRole('button', { name }) !== null);
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

describe('List Of Customers', () => {
  test('has exactly the contract headers', async () => {
    const { table } = await renderCustomers();
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.getAttribute('aria-label') ?? h.textContent?.trim());
    expect(headers).toEqual(['Customer Name', 'MCALs Allotted', 'Total MCALs used till date', 'Allotted Space', 'Used Space', 'Actions']);
    // Also as computed accessible names.
    for (const name of headers) expect(within(table).getByRole('columnheader', { name })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Add New Customer' })).toBeTruthy();
  });

  test('each row has exactly the named actions, by state, with matching tooltips; later features are not shown', async () => {
    const { table } = await renderCustomers();
    const contoso = rowOf(table, 'Contoso'); // auto authorization off, active
    const adatum = rowOf(table, 'Adatum'); // auto authorization on, inactive
    const actionNames = (row: HTMLElement) =>
      within(row.querySelector<HTMLElement>('.row-actions')!)
        .getAllByRole('button')
        .map((b) => b.getAttribute('aria-label'));
    expect(actionNames(contoso)).toEqual([
      'Enable Auto Authorization',
      'Deactivate',
      'Edit Customer',
      'Add New Clients',
      'Edit Replication',
      'Invoice Configuration',
      'Invoice Report',
      'Proceed to Delete Customer',
      'Deleted Client/Backup Report',
    ]);
    expect(actionNames(adatum)).toEqual([
      'Disable Auto Authorization',
      'Activate',
      'Edit Customer',
      'Add New Clients',
      'Edit Replication',
      'Invoice Configuration',
      'Invoice Report',
      'Proceed to Delete Customer',
      'Deleted Client/Backup Report',
    ]);
    for (const b of within(contoso).getAllByRole('button').filter((x) => x.getAttribute('aria-label'))) {
      expect(b.getAttribute('title')).toBe(b.getAttribute('aria-label'));
    }
    for (const hidden of ['Seed Backup Migration']) {
      expect(screen.queryByRole('button', { name: hidden })).toBeNull();
      expect(screen.queryByText(hidden)).toBeNull();
    }
  });

  test('sizes are binary and human readable, with usage against the allotment', async () => {
    const { table } = await renderCustomers();
    const contoso = rowOf(table, 'Contoso');
    const text = contoso.textContent ?? '';
    expect(text).toContain('10 GiB');
    expect(text).toContain('2 GiB of 10 GiB');
    expect(text).toContain('1 of 5');
    const adatum = rowOf(table, 'Adatum');
    expect(adatum.textContent).toContain('From pool');
    expect(adatum.textContent).toContain('Unlimited');
  });

  test('toggles auto authorization and activation through the bridge and shows the new state', async () => {
    const { bridge, table } = await renderCustomers();
    await fireEvent.click(within(rowOf(table, 'Contoso')).getByRole('button', { name: 'Enable Auto Authorization' }));
    await settle();
    expect(bridge.callsOf('customers.update')).toEqual([{ serverId: 'srv1', id: 'c1', patch: { autoAuthorization: true } }]);
    expect(within(rowOf(table, 'Contoso')).getByRole('button', { name: 'Disable Auto Authorization' })).toBeTruthy();
    await fireEvent.click(within(rowOf(table, 'Adatum')).getByRole('button', { name: 'Activate' }));
    await settle();
    expect(bridge.callsOf('customers.update')[1]).toEqual({ serverId: 'srv1', id: 'c2', patch: { active: true } });
    expect(within(rowOf(table, 'Adatum')).getByRole('button', { name: 'Deactivate' })).toBeTruthy();
  });

  test('offline: the banner says "offline — as of", change actions are disabled with the reason in their tooltip', async () => {
    const { table } = await renderCustomers((b) => {
      b.offlineAsOf = '2025-01-15T09:30:00.000Z';
    });
    expect(screen.getAllByText(/^offline — as of /).length).toBeGreaterThan(0);
    const row = rowOf(table, 'Contoso');
    for (const name of ['Enable Auto Authorization', 'Deactivate', 'Edit Customer', 'Add New Clients', 'Proceed to Delete Customer']) {
      const button = within(row).getByRole('button', { name }) as HTMLButtonElement;
      expect(button.disabled).toBe(true);
      expect(button.title).toMatch(new RegExp(`^${name} — Unavailable offline: this is cached data as of .+ Reconnect`));
    }
    // Reading the deleted report stays possible from the cache.
    expect((within(row).getByRole('button', { name: 'Deleted Client/Backup Report' }) as HTMLButtonElement).disabled).toBe(false);
    const add = screen.getByRole('button', { name: 'Add New Customer' }) as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    expect(add.title).toMatch(/^Unavailable offline/);
  });

  test('a cloud server offers no Edit Replication', async () => {
    const { table } = await renderCustomers((b) => {
      b.info = { ...b.info, deployment: 'cloud', features: { replication: false, seedMigration: false } };
      b.servers = b.servers.map((s) => ({ ...s, info: b.info }));
    });
    expect(within(rowOf(table, 'Contoso')).queryByRole('button', { name: 'Edit Replication' })).toBeNull();
    expect(screen.queryByText('Edit Replication')).toBeNull();
  });

  test('Edit Replication opens the customer\'s replication page; a replica is shown as such and only its deletion is offered', async () => {
    const { app, table } = await renderCustomers((b) => {
      b.customers.push(makeCustomer({ id: 'c9', name: 'Fabrikam', replicaOf: { serverId: 'hq', serverName: 'HQ Server' } }));
    });
    await fireEvent.click(within(rowOf(table, 'Contoso')).getByRole('button', { name: 'Edit Replication' }));
    expect(app.nav.page).toMatchObject({ kind: 'customer-replication', serverId: 'srv1', customer: { id: 'c1' } });

    const replica = rowOf(table, 'Fabrikam');
    // "Replica" on screen; whose, for screen readers and in the tooltip.
    const tag = replica.querySelector<HTMLElement>('.tag.replica')!;
    expect(tag.textContent).toBe('Replica of HQ Server');
    expect(tag.title).toMatch(/^Read-only: Fabrikam is a replica of HQ Server\./);
    for (const name of ['Enable Auto Authorization', 'Deactivate', 'Edit Customer', 'Add New Clients', 'Edit Replication']) {
      const button = within(replica).getByRole('button', { name }) as HTMLButtonElement;
      expect(button.disabled, name).toBe(true);
      expect(button.title).toBe(`${name} — Read-only: Fabrikam is a replica of HQ Server. Make changes on HQ Server; they reach this copy with its next replication run.`);
    }
    // An administrator of the replica may delete the copy (API.md: the only change a replica allows).
    expect((within(replica).getByRole('button', { name: 'Proceed to Delete Customer' }) as HTMLButtonElement).disabled).toBe(false);
  });

  test('bulk: selecting customers offers bulk actions with a preview of exactly what changes, then reports per row', async () => {
    const { bridge, app } = await renderCustomers();
    expect(screen.queryByRole('button', { name: 'Activate Selected' })).toBeNull();
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Select Contoso' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Select Adatum' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Deactivate Selected' }));
    expect(app.nav.dialog?.kind).toBe('bulk-customers');
    expect(app.nav.dialog?.kind === 'bulk-customers' && app.nav.dialog.customers.map((c) => c.name).sort()).toEqual(['Adatum', 'Contoso']);
    expect(bridge.callsOf('customers.update')).toEqual([]);
  });
});
