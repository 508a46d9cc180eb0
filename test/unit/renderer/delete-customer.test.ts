import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import DeleteCustomerPage from '../../../src-renderer/pages/DeleteCustomerPage.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { settle, startedApp } from './helpers.js';

describe('Delete Customer page', () => {
  test('shows the deletion preview and deletes only after the exact name is typed', async () => {
    const { bridge, app } = await startedApp();
    const customer = bridge.customers[0]!;
    app.nav.openPage({ kind: 'delete-customer', serverId: 'srv1', customer });
    render(DeleteCustomerPage, { props: { serverId: 'srv1', customer }, context: appContext(app) });
    await settle();
    expect(screen.getByRole('heading', { name: 'Delete Customer' })).toBeTruthy();
    const preview = screen.getByRole('list', { name: 'What will be deleted' });
    expect(preview.textContent).toContain('2 clients');
    expect(preview.textContent).toContain('1 backup schedule');
    expect(preview.textContent).toContain('3 GiB of backup data');

    const button = screen.getByRole('button', { name: 'Delete Customer' }) as HTMLButtonElement;
    const input = screen.getByRole('textbox', { name: "Type the customer's name to confirm" });
    expect(button.disabled).toBe(true);
    await fireEvent.input(input, { target: { value: 'contoso' } }); // wrong case
    expect(button.disabled).toBe(true);
    expect(screen.getByText(/That is not the customer's name/)).toBeTruthy();
    await fireEvent.input(input, { target: { value: 'Contos' } });
    expect(button.disabled).toBe(true);
    // Pressing Enter in the field does nothing while the name does not match.
    await fireEvent.submit(input.closest('form')!);
    await settle();
    expect(bridge.callsOf('customers.delete')).toEqual([]);

    await fireEvent.input(input, { target: { value: 'Contoso' } });
    expect(button.disabled).toBe(false);
    await fireEvent.click(button);
    await settle();
    expect(bridge.callsOf('customers.delete')).toEqual([{ serverId: 'srv1', id: 'c1' }]);
    expect(bridge.customers.map((c) => c.name)).toEqual(['Adatum']);
    expect(app.nav.page).toBeNull();
  });

  test('a refusal (backup running) is shown and nothing is left half done', async () => {
    const { bridge, app } = await startedApp();
    const { BridgeError } = await import('../../../src-shared/bridge.js');
    bridge.failNext.set('customers.delete', new BridgeError('CONFLICT', 'Customer "Contoso" has a backup running; wait for it to finish, then delete the customer.'));
    const customer = bridge.customers[0]!;
    render(DeleteCustomerPage, { props: { serverId: 'srv1', customer }, context: appContext(app) });
    await settle();
    await fireEvent.input(screen.getByRole('textbox', { name: "Type the customer's name to confirm" }), { target: { value: 'Contoso' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Delete Customer' }));
    await settle();
    expect(screen.getByRole('alert').textContent).toMatch(/Deleting Contoso failed: .*backup running; wait for it to finish/);
    expect(bridge.customers).toHaveLength(2);
  });
});
