import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';
import type { Customer } from '../../../src-shared/api/customers.js';
import { BridgeError } from '../../../src-shared/bridge.js';
import CustomerFormDialog from '../../../src-renderer/dialogs/CustomerFormDialog.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { settle, startedApp } from './helpers.js';

const GiB = 2 ** 30;

async function open(customer: Customer | null = null) {
  const { bridge, app } = await startedApp();
  const onclose = vi.fn();
  const onsaved = vi.fn();
  render(CustomerFormDialog, { props: { serverId: 'srv1', resellerId: 'r1', customer, onclose, onsaved }, context: appContext(app) });
  await settle();
  return { bridge, app, onclose, onsaved, dialog: screen.getByRole('dialog') };
}

/** The error sentence a field points to with aria-describedby, if any. */
function errorOf(input: HTMLElement): string | null {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id.endsWith('-error'));
  return ids.length ? (document.getElementById(ids[0]!)?.textContent ?? null) : null;
}

async function type(input: HTMLElement, value: string) {
  await fireEvent.input(input, { target: { value } });
}

describe('Add New Customer / Edit Customer', () => {
  test('is an accessible dialog with every field of the contract', async () => {
    const { dialog } = await open();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(within(dialog).getByRole('heading', { name: 'Add New Customer' })).toBeTruthy();
    expect(dialog.getAttribute('aria-labelledby')).toBeTruthy();
    for (const label of ['Customer Name', 'Email', 'MCALs Allotted', 'Allotted Space']) expect(within(dialog).getByRole('textbox', { name: label })).toBeTruthy();
    expect(within(dialog).getByRole('combobox', { name: 'Unit of the allotted space' })).toBeTruthy();
    expect(within(dialog).getByRole('checkbox', { name: 'Auto authorization' })).toBeTruthy();
    expect((within(dialog).getByRole('checkbox', { name: 'Active' }) as HTMLInputElement).checked).toBe(true);
    // Focus starts in the first field.
    expect(document.activeElement).toBe(within(dialog).getByRole('textbox', { name: 'Customer Name' }));
  });

  test('validates as you type', async () => {
    const { dialog } = await open();
    const name = within(dialog).getByRole('textbox', { name: 'Customer Name' });
    const email = within(dialog).getByRole('textbox', { name: 'Email' });
    const mcals = within(dialog).getByRole('textbox', { name: 'MCALs Allotted' });
    const space = within(dialog).getByRole('textbox', { name: 'Allotted Space' });
    expect(errorOf(name)).toBeNull();

    await type(name, 'A');
    expect(errorOf(name)).toBeNull();
    await type(name, '   ');
    expect(errorOf(name)).toBe("Enter the customer's name.");
    expect(name.getAttribute('aria-invalid')).toBe('true');
    await type(name, 'x'.repeat(201));
    expect(errorOf(name)).toMatch(/at most 200 characters/);
    await type(name, 'Fabrikam');
    expect(errorOf(name)).toBeNull();
    expect(name.getAttribute('aria-invalid')).toBe('false');

    await type(email, 'not-an-address');
    expect(errorOf(email)).toMatch(/email address like name@example.com/);
    await type(email, 'ops@fabrikam.example');
    expect(errorOf(email)).toBeNull();

    await type(mcals, '2.5');
    expect(errorOf(mcals)).toMatch(/whole number/);
    await type(mcals, '20000000');
    expect(errorOf(mcals)).toMatch(/from 0 to 10,000,000/);
    await type(mcals, '');
    expect(errorOf(mcals)).toBeNull();

    await type(space, 'lots');
    expect(errorOf(space)).toMatch(/Enter a number/);
    await type(space, '1.5');
    expect(errorOf(space)).toBeNull();
  });

  test('creates with every field in bytes and nulls for "from pool" and "unlimited"', async () => {
    const { bridge, onsaved, onclose, dialog } = await open();
    await type(within(dialog).getByRole('textbox', { name: 'Customer Name' }), '  Fabrikam  ');
    await type(within(dialog).getByRole('textbox', { name: 'Allotted Space' }), '1.5');
    await fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Auto authorization' }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Create Customer' }));
    await settle();
    expect(bridge.callsOf('customers.create')).toEqual([
      {
        serverId: 'srv1',
        resellerId: 'r1',
        input: { name: 'Fabrikam', mcalsAllotted: null, spaceAllotted: 1.5 * GiB, autoAuthorization: true, active: true },
      },
    ]);
    expect(onsaved).toHaveBeenCalledOnce();
    expect(onclose).toHaveBeenCalledOnce();
  });

  test('shows a server error on the field it names (NAME_TAKEN) and keeps the dialog open', async () => {
    const { bridge, onclose, dialog } = await open();
    const name = within(dialog).getByRole('textbox', { name: 'Customer Name' });
    await type(name, 'contoso'); // taken, case-insensitively
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Create Customer' }));
    await settle();
    expect(bridge.callsOf('customers.create')).toHaveLength(1);
    expect(onclose).not.toHaveBeenCalled();
    expect(errorOf(name)).toBe('A customer named "contoso" already exists on this server; choose another name.');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(name);
    // Typing another name clears the server's complaint.
    await type(name, 'Contoso West');
    expect(errorOf(name)).toBeNull();
    // A server error that names no field is shown for the form.
    bridge.failNext.set('customers.create', new BridgeError('MCAL_EXHAUSTED', 'The server has no free MCAL left in its pool; raise the pool or free an MCAL.'));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Create Customer' }));
    await settle();
    expect(within(dialog).getByRole('alert').textContent).toMatch(/Creating the customer failed: The server has no free MCAL/);
  });

  test('puts a refusal under the field its details.field names (mcalsAllotted)', async () => {
    const { bridge, dialog } = await open();
    await type(within(dialog).getByRole('textbox', { name: 'Customer Name' }), 'Big');
    const mcals = within(dialog).getByRole('textbox', { name: 'MCALs Allotted' });
    await type(mcals, '90');
    bridge.failNext.set('customers.create', new BridgeError('CONFLICT', 'mcalsAllotted: only 77 MCALs can be allotted to this customer from the pool of 100.', { field: 'mcalsAllotted' }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Create Customer' }));
    await settle();
    expect(errorOf(mcals)).toBe('Only 77 MCALs can be allotted to this customer from the pool of 100.');
  });

  test('Edit Customer sends only what changed', async () => {
    const { bridge, app } = await startedApp();
    const customer = bridge.customers[0]!;
    render(CustomerFormDialog, { props: { serverId: 'srv1', resellerId: 'r1', customer, onclose: () => undefined }, context: appContext(app) });
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Edit Customer' });
    expect((within(dialog).getByRole('textbox', { name: 'Allotted Space' }) as HTMLInputElement).value).toBe('10');
    await type(within(dialog).getByRole('textbox', { name: 'MCALs Allotted' }), '');
    await fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Active' }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save Changes' }));
    await settle();
    expect(bridge.callsOf('customers.update')).toEqual([{ serverId: 'srv1', id: 'c1', patch: { mcalsAllotted: null, active: false } }]);
  });

  test('Escape closes the dialog; Tab stays inside it', async () => {
    const { onclose, dialog } = await open();
    const buttons = within(dialog).getAllByRole('button');
    const last = buttons[buttons.length - 1]!;
    last.focus();
    await fireEvent.keyDown(last, { key: 'Tab' });
    // Wrapped around to the first focusable element of the dialog.
    expect(dialog.contains(document.activeElement)).toBe(true);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledOnce();
  });
});
