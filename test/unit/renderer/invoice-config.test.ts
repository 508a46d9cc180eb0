import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test } from 'vitest';
import type { InvoiceConfig, InvoicePlan, InvoicePlanInput, Quote } from '../../../src-shared/api/invoicing.js';
import { BridgeError } from '../../../src-shared/bridge.js';
import { formatAmount, taxAndTotal, taxHundredths } from '../../../src-renderer/lib/money.js';
import InvoiceConfigurationPage from '../../../src-renderer/pages/InvoiceConfigurationPage.svelte';
import InvoicePlansPage from '../../../src-renderer/pages/InvoicePlansPage.svelte';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import { QUOTE_DELAY_MS } from '../../../src-renderer/state/invoice-quote.svelte.js';
import CustomersView from '../../../src-renderer/views/CustomersView.svelte';
import ServerView from '../../../src-renderer/views/ServerView.svelte';
import { makeCustomer, type FakeBridge } from './fake-bridge.js';
import { settle, startedApp } from './helpers.js';

const GiB = 2 ** 30;

function makePlan(over: Partial<InvoicePlan> & { id: string; name: string }): InvoicePlan {
  return {
    currency: 'EUR',
    pricePerMcal: '5.00',
    isDefault: false,
    storage: { method: 'sliding', slabs: [{ upToGb: 100, price: '0.10' }, { upToGb: null, price: '0.05' }] },
    hasInvoices: false,
    ...over,
  };
}

const STANDARD = makePlan({ id: 'p1', name: 'Standard', isDefault: true });
const PREMIUM = makePlan({ id: 'p2', name: 'Premium', pricePerMcal: '8.00', hasInvoices: true });
const CONFIG: InvoiceConfig = { enabled: false, planId: null, taxPercent: 10, cycle: 'monthly', billingDay: 1, billTo: '', notes: '', enabledSince: null };
const customer = makeCustomer({ id: 'c1', name: 'Contoso', mcalsUsed: 3, spaceUsed: 250 * GiB });

/** A quote whose subtotal makes 10 % tax a half-even tie (1.025 → 1.02). */
const quoteOf = (planId: string): Quote => ({
  currency: 'EUR',
  lines: [
    { description: 'MCALs, one month', quantity: '3.0000', unitPrice: '3.00', amount: planId === 'p1' ? '9.00' : '24.00' },
    { description: 'Storage, one month (250.0000 GB)', quantity: '1.0000', unitPrice: '1.25', amount: '1.25' },
  ],
  subtotal: planId === 'p1' ? '10.25' : '25.25',
});

/** The invoicing channels over in-memory plans and one configuration. */
function invoicing(b: FakeBridge, plans: InvoicePlan[] = [STANDARD, PREMIUM]) {
  const state = { plans, config: CONFIG };
  b.answer('invoicing.plans', () => ({ data: { items: state.plans, total: state.plans.length }, asOf: b.offlineAsOf }));
  b.answer('invoicing.config.get', () => ({ data: state.config, asOf: b.offlineAsOf }));
  b.answer('invoicing.config.set', ({ config }) => (state.config = { billTo: '', notes: '', ...config, enabledSince: config.enabled ? '2026-12-06' : null }));
  b.answer('invoicing.quote', ({ id }) => quoteOf(id));
  b.answer('invoicing.plan.create', ({ plan }) => {
    const created = makePlan({ ...plan, id: `p${state.plans.length + 1}`, isDefault: plan.isDefault ?? false });
    state.plans = [...state.plans, created];
    return created;
  });
  b.answer('invoicing.plan.delete', ({ id }) => {
    throw new BridgeError('CONFLICT', `Invoice plan "${state.plans.find((p) => p.id === id)?.name}" is the plan of 3 customers: give them another plan first, then delete it.`, { customers: 3 });
  });
  return state;
}

/** Waits out the quote's debounce and lets the answer arrive. */
async function quoted() {
  await new Promise((resolve) => setTimeout(resolve, QUOTE_DELAY_MS + 50));
  await settle();
}

afterEach(() => cleanup());

describe('money display', () => {
  test('amounts in their currency, exact from the decimal string; tax half-even in minor units', () => {
    expect(formatAmount('1234.50', 'EUR')).toBe(new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(1234.5));
    // Beyond a double's precision the cents survive.
    expect(formatAmount('90071992547409.93', 'USD')).toContain('90,071,992,547,409.93');
    expect(formatAmount('1200', 'JPY')).toContain('1,200');
    expect(taxHundredths('7.25')).toBe(725);
    expect(taxHundredths('100')).toBe(10_000);
    for (const bad of ['100.01', '7.255', '-1', 'x', '']) expect(taxHundredths(bad), bad).toBeNull();
    expect(taxAndTotal('10.25', 1000, 'EUR')).toEqual({ tax: '1.02', total: '11.27' });
    expect(taxAndTotal('10.35', 1000, 'EUR')).toEqual({ tax: '1.04', total: '11.39' });
    expect(taxAndTotal('-10.25', 1000, 'EUR')).toEqual({ tax: '-1.02', total: '-11.27' });
    expect(taxAndTotal('105', 1000, 'JPY')).toEqual({ tax: '10', total: '115' });
  });
});

describe('Invoice Configuration (a customer)', () => {
  test('is a customer action', async () => {
    const { app } = await startedApp((b) => (b.customers = [customer]));
    render(CustomersView, { props: { serverId: 'srv1', resellerId: 'r1', resellerName: 'Reseller' }, context: appContext(app) });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Invoice Configuration' }));
    expect(app.nav.page).toEqual({ kind: 'invoice-config', serverId: 'srv1', customer });
  });

  test("a live example of this month's usage on the chosen plan, with the typed tax; saved whole", async () => {
    let state: ReturnType<typeof invoicing> | undefined;
    const { bridge, app } = await startedApp((b) => (state = invoicing(b)));
    render(InvoiceConfigurationPage, { props: { serverId: 'srv1', customer }, context: appContext(app) });
    await settle();
    const plan = screen.getByRole('combobox', { name: 'Plan' }) as HTMLSelectElement;
    expect([...plan.options].map((o) => o.text)).toEqual(['Server default (Standard)', 'Standard (EUR)', 'Premium (EUR)']);
    await quoted();
    // Today's usage of the customer row, priced by the default plan.
    expect(bridge.callsOf('invoicing.quote')).toEqual([{ serverId: 'srv1', id: 'p1', mcals: 3, storageBytes: 250 * GiB }]);
    const eur = (amount: string) => formatAmount(amount, 'EUR');
    expect(screen.getByRole('heading', { name: `This month's usage would cost ${eur('11.27')}` })).toBeTruthy();
    const example = screen.getByRole('table', { name: /One month of Standard at 3 MCALs/ });
    expect(within(example).getByRole('row', { name: `Tax 10% ${eur('1.02')}` })).toBeTruthy();

    // The tax is worked out here, at once, from the subtotal: no new quote.
    await fireEvent.input(screen.getByRole('textbox', { name: 'Tax (%)' }), { target: { value: '20' } });
    expect(screen.getByRole('heading', { name: `This month's usage would cost ${eur('12.30')}` })).toBeTruthy();
    await fireEvent.change(plan, { target: { value: 'p2' } });
    await quoted();
    expect(bridge.callsOf('invoicing.quote').at(-1)).toEqual({ serverId: 'srv1', id: 'p2', mcals: 3, storageBytes: 250 * GiB });
    expect(screen.getByRole('heading', { name: `This month's usage would cost ${eur('30.30')}` })).toBeTruthy();

    // Weekly bills on a weekday; the month's day 20 does not exist there, so the first is taken.
    const day = screen.getByRole('combobox', { name: 'Billing day' }) as HTMLSelectElement;
    await fireEvent.change(day, { target: { value: '20' } });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Cycle' }), { target: { value: 'quarterly' } });
    expect(day.selectedOptions[0]?.text).toBe('20th of January, April, July, October');
    await fireEvent.change(screen.getByRole('combobox', { name: 'Cycle' }), { target: { value: 'weekly' } });
    expect([...day.options].map((o) => o.text).slice(0, 2)).toEqual(['Monday', 'Tuesday']);
    expect(day.value).toBe('1');
    await fireEvent.change(day, { target: { value: '5' } });

    await fireEvent.click(screen.getByRole('switch', { name: 'Invoicing enabled' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Bill to' }), { target: { value: 'Contoso Ltd\n1 Main Street' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save Invoice Configuration' }));
    await settle();
    expect(bridge.callsOf('invoicing.config.set')).toEqual([
      { serverId: 'srv1', customerId: 'c1', config: { enabled: true, planId: 'p2', taxPercent: 20, cycle: 'weekly', billingDay: 5, billTo: 'Contoso Ltd\n1 Main Street', notes: '' } },
    ]);
    expect(state?.config.enabledSince).toBe('2026-12-06');
    expect(app.notices.list.at(-1)?.text).toBe('Invoicing of Contoso saved: weekly on Premium.');
  });

  test('a bad tax is refused before sending; a refusal naming a field marks that input; no default plan says what to do', async () => {
    const { bridge, app } = await startedApp((b) => invoicing(b, [{ ...STANDARD, isDefault: false }]));
    render(InvoiceConfigurationPage, { props: { serverId: 'srv1', customer }, context: appContext(app) });
    await settle();
    expect(screen.getByText('No plan is the server default: pick a plan to see what this month would cost.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('switch', { name: 'Invoicing enabled' }));
    const tax = screen.getByRole('textbox', { name: 'Tax (%)' });
    await fireEvent.input(tax, { target: { value: '7.255' } });
    const save = screen.getByRole('button', { name: 'Save Invoice Configuration' });
    await fireEvent.click(save);
    await settle();
    expect(screen.getByText('Enter a percent from 0 to 100 with at most 2 decimals, such as 19 or 7.25.')).toBeTruthy();
    expect(screen.getByText('No plan is the server default: pick a plan, or make one the default under Invoice Plans.')).toBeTruthy();
    expect(bridge.callsOf('invoicing.config.set')).toEqual([]);

    await fireEvent.input(tax, { target: { value: '7.25' } });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Plan' }), { target: { value: 'p1' } });
    bridge.failNext.set('invoicing.config.set', new BridgeError('BAD_REQUEST', 'billTo: must not contain control characters.', { field: 'billTo' }));
    await fireEvent.click(save);
    await settle();
    const billTo = screen.getByRole('textbox', { name: 'Bill to' });
    expect(billTo.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Must not contain control characters.')).toBeTruthy();
  });
});

describe('Invoice Plans (the server)', () => {
  test('is offered on the server node', async () => {
    const { app } = await startedApp();
    render(ServerView, { props: { serverId: 'srv1' }, context: appContext(app) });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Invoice Plans' }));
    expect(app.nav.page).toEqual({ kind: 'invoice-plans', serverId: 'srv1' });
  });

  test('a reseller reads the plans and changes none; offline, a configuration is read-only', async () => {
    const { app } = await startedApp((b) => {
      invoicing(b);
      b.servers = b.servers.map((s) => ({ ...s, role: 'reseller', resellerId: 'r1' }));
    });
    render(InvoicePlansPage, { props: { serverId: 'srv1' }, context: appContext(app) });
    await settle();
    expect(screen.getByRole('table', { name: 'Invoice Plans' })).toBeTruthy();
    for (const name of ['New Plan', 'Edit Plan Standard', 'Copy Plan Standard', 'Delete Plan Standard']) {
      const button = screen.getByRole('button', { name }) as HTMLButtonElement;
      expect(button.disabled, name).toBe(true);
      expect(button.title, name).toContain('Only a server administrator can change invoice plans.');
    }
    cleanup();

    const offline = await startedApp((b) => {
      invoicing(b);
      b.offlineAsOf = '2026-12-01T08:00:00.000Z';
    });
    render(InvoiceConfigurationPage, { props: { serverId: 'srv1', customer }, context: appContext(offline.app) });
    await settle();
    expect(screen.getByText(/cannot be changed until the server can be reached/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save Invoice Configuration' }) as HTMLButtonElement).disabled).toBe(true);
  });

  test('create: slabs checked as the server checks them, then saved and tried on an example', async () => {
    const { bridge, app } = await startedApp((b) => invoicing(b));
    render(InvoicePlansPage, { props: { serverId: 'srv1' }, context: appContext(app) });
    await settle();
    expect(screen.getByRole('table', { name: 'Invoice Plans' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'New Plan' }));
    await fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'Basic' } });
    await fireEvent.input(screen.getByRole('combobox', { name: 'Currency' }), { target: { value: 'JPY' } });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Price per MCAL per month' }), { target: { value: '500.5' } });
    await fireEvent.click(screen.getByRole('radio', { name: /Per slab/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Add Slab' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Add Slab' }));
    const slabs = screen.getByRole('table', { name: 'Storage slabs' });
    expect(within(slabs).getByText('and above')).toBeTruthy();
    await fireEvent.input(screen.getByRole('textbox', { name: 'Slab 1 up to GB' }), { target: { value: '50' } });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Slab 2 up to GB' }), { target: { value: '50' } });
    for (const [i, price] of [[1, '100'], [2, '180'], [3, '300']] as const) {
      await fireEvent.input(screen.getByRole('textbox', { name: `Slab ${i} price per month` }), { target: { value: price } });
    }
    const create = screen.getByRole('button', { name: 'Create Plan' });
    await fireEvent.click(create);
    await settle();
    expect(screen.getByText('JPY has no decimals: enter a whole amount.')).toBeTruthy();
    expect(screen.getByText('Slabs ascend: enter more than the 50 GB of the slab before.')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Slab 2 up to GB' }).getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('invoicing.plan.create')).toEqual([]);

    await fireEvent.input(screen.getByRole('textbox', { name: 'Price per MCAL per month' }), { target: { value: '500' } });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Slab 2 up to GB' }), { target: { value: '500' } });
    await fireEvent.click(create);
    await settle();
    const plan: InvoicePlanInput = {
      name: 'Basic',
      currency: 'JPY',
      pricePerMcal: '500',
      isDefault: false,
      storage: { method: 'per-slab', slabs: [{ upToGb: 50, price: '100' }, { upToGb: 500, price: '180' }, { upToGb: null, price: '300' }] },
    };
    expect(bridge.callsOf('invoicing.plan.create')).toEqual([{ serverId: 'srv1', plan }]);
    // Saved: the form now edits it, and the example quotes it.
    expect(screen.getByRole('heading', { name: 'Edit Invoice Plan Basic' })).toBeTruthy();
    await quoted();
    expect(bridge.callsOf('invoicing.quote')).toEqual([{ serverId: 'srv1', id: 'p3', mcals: 10, storageBytes: 250 * GiB }]);
    expect(screen.getByRole('table', { name: 'One month of Basic at 10 MCALs and 250 GB (as saved)' })).toBeTruthy();
  });

  test('copy starts from the plan; a plan with invoices is kept; a refused delete says why', async () => {
    const { bridge, app } = await startedApp((b) => invoicing(b));
    render(InvoicePlansPage, { props: { serverId: 'srv1' }, context: appContext(app) });
    await settle();
    expect((screen.getByRole('button', { name: 'Delete Plan Premium' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete Plan Standard' }));
    const dialog = screen.getByRole('dialog');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Delete Plan' }));
    await settle();
    expect(within(dialog).getByRole('alert').textContent).toBe(
      'Deleting plan Standard failed: Invoice plan "Standard" is the plan of 3 customers: give them another plan first, then delete it.',
    );
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await fireEvent.click(screen.getByRole('button', { name: 'Copy Plan Premium' }));
    expect((screen.getByRole('textbox', { name: 'Name' }) as HTMLInputElement).value).toBe('Copy of Premium');
    expect(screen.getByRole('textbox', { name: 'Price per MCAL per month' }).matches(':disabled')).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Edit Plan Premium' }));
    expect(screen.getByText(/Invoices were issued on this plan/)).toBeTruthy();
    // Prices sit in a disabled fieldset: only the name and the default flag can change.
    expect(screen.getByRole('textbox', { name: 'Price per MCAL per month' }).matches(':disabled')).toBe(true);
    expect(screen.getByRole('textbox', { name: 'Name' }).matches(':disabled')).toBe(false);
    expect(bridge.callsOf('invoicing.plan.delete')).toEqual([{ serverId: 'srv1', id: 'p1' }]);
  });
});
