import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';
import { BridgeError } from '../../../src-shared/bridge.js';
import BulkCustomersDialog from '../../../src-renderer/dialogs/BulkCustomersDialog.svelte';
import DeleteScheduleDialog from '../../../src-renderer/dialogs/DeleteScheduleDialog.svelte';
import SchedulesView from '../../../src-renderer/views/SchedulesView.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { settle, startedApp } from './helpers.js';

describe('bulk customer actions', () => {
  test('preview lists exactly what changes; the run reports each row', async () => {
    const { bridge, app } = await startedApp();
    bridge.customers.push({ ...bridge.customers[0]!, id: 'c3', name: 'Litware', active: true });
    const ondone = vi.fn();
    const onclose = vi.fn();
    render(BulkCustomersDialog, {
      props: { serverId: 'srv1', action: 'deactivate', customers: [...bridge.customers], ondone, onclose },
      context: appContext(app),
    });
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Deactivate 3 Customers' });
    const preview = within(dialog).getByRole('table', { name: 'What will change' });
    const rows = within(preview)
      .getAllByRole('row')
      .slice(1)
      .map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent));
    expect(rows).toEqual([
      ['Contoso', 'Active → Inactive (its backups are refused)'],
      ['Adatum', 'no change (already so)'],
      ['Litware', 'Active → Inactive (its backups are refused)'],
    ]);
    expect(bridge.callsOf('customers.update')).toEqual([]);

    // One of them fails on the server: its row says why; the others are done.
    const original = bridge.invoke.bind(bridge);
    vi.spyOn(bridge, 'invoke').mockImplementation(async (channel, arg) => {
      if (channel === 'customers.update' && (arg as { id: string }).id === 'c3') throw new BridgeError('FORBIDDEN', 'Not your customer.');
      return original(channel, arg);
    });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Deactivate 2 Customers' }));
    await settle(10);
    const results = within(preview)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.querySelectorAll('td')[2]?.textContent);
    expect(results[0]).toBe('ok');
    expect(results[1]).toBe('skipped');
    expect(results[2]).toMatch(/^Not your customer\. Your account is not allowed/);
    expect(within(dialog).getByText(/1 changed, 1 failed/)).toBeTruthy();
    expect(bridge.customers.find((c) => c.id === 'c1')?.active).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(ondone).toHaveBeenCalledOnce();
    expect(onclose).toHaveBeenCalledOnce();
  });

  test('bulk delete shows each deletion preview and needs DELETE typed', async () => {
    const { bridge, app } = await startedApp();
    render(BulkCustomersDialog, {
      props: { serverId: 'srv1', action: 'delete', customers: [...bridge.customers], ondone: () => undefined, onclose: () => undefined },
      context: appContext(app),
    });
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Delete 2 Customers' });
    expect(within(dialog).getAllByText(/^Deleted: 2 clients, 1 schedule, 3 GiB of backup data$/)).toHaveLength(1);
    const confirm = within(dialog).getByRole('button', { name: 'Delete 2 Customers' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await fireEvent.input(within(dialog).getByRole('textbox', { name: 'Type DELETE to confirm' }), { target: { value: 'DELETE' } });
    expect(confirm.disabled).toBe(false);
    await fireEvent.click(confirm);
    await settle(10);
    expect(bridge.customers).toEqual([]);
  });
});

describe('deleting a schedule', () => {
  test('the schedules table opens a confirmation that names the data, needs DELETE typed, and deletes it', async () => {
    const { bridge, app } = await startedApp();
    const customer = bridge.customers[0]!;
    const client = bridge.clients.find((c) => c.id === 'k1')!;
    render(SchedulesView, { props: { serverId: 'srv1', customer, client }, context: appContext(app) });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Delete Schedule' }));
    expect(app.nav.dialog).toMatchObject({ kind: 'delete-schedule', schedule: { id: 's1' } });

    const ondone = vi.fn();
    render(DeleteScheduleDialog, { props: { serverId: 'srv1', client, schedule: bridge.schedules[0]!, ondone, onclose: () => undefined }, context: appContext(app) });
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Delete Schedule Documents' });
    expect(within(dialog).getByText('Deleted with 1 GiB of backup data')).toBeTruthy();
    const confirm = within(dialog).getByRole('button', { name: 'Delete Schedule' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await fireEvent.input(within(dialog).getByRole('textbox', { name: 'Type DELETE to confirm' }), { target: { value: 'DELETE' } });
    await fireEvent.click(confirm);
    await settle(10);
    expect(bridge.callsOf('schedules.delete')).toEqual([{ serverId: 'srv1', id: 's1' }]);
    expect(bridge.schedules).toEqual([]);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(ondone).toHaveBeenCalledOnce();
  });
});
