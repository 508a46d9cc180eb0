/**
 * Invoice plans, quotes and each customer's invoice configuration (API.md, Invoicing) against one real
 * server. Amounts are computed by hand in the comments; GB = 2^30 bytes. The tests run in order: the
 * first ones need a server without a default plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Customer, List, Reseller } from '../../src-shared/api/index.js';
import type { InvoiceConfig, InvoicePlan, InvoicePlanInput, Quote } from '../../src-shared/api/invoicing.js';
import { TestClient } from '../support/api-client.js';
import { expectError, ok } from '../support/api-assert.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';

const GB = 2 ** 30;
const RESELLER_PASSWORD = 'plans-reseller-password';

let server: RunningServer;
let admin: TestClient;
let reseller: TestClient;
let customer: Customer;
let otherCustomer: Customer;

/** 5 / 9 / unbounded GB at 3 / 2 / 1 EUR: API.md's example slabs. */
const eurPlan = (name: string, method: InvoicePlanInput['storage']['method'] = 'sliding', extra: Partial<InvoicePlanInput> = {}): InvoicePlanInput => ({
  name,
  currency: 'EUR',
  pricePerMcal: '4.5',
  storage: {
    method,
    slabs: [
      { upToGb: 5, price: '3' },
      { upToGb: 9, price: '2' },
      { upToGb: null, price: '1' },
    ],
  },
  ...extra,
});

const plans = async () => ok(await admin.get<List<InvoicePlan>>('/invoice-plans'));
const createPlan = async (input: InvoicePlanInput) => ok(await admin.post<InvoicePlan>('/invoice-plans', input), 201);
const quote = async (client: TestClient, id: string, mcals: number, storageBytes: number) => ok(await client.post<Quote>(`/invoice-plans/${id}/quote`, { mcals, storageBytes }));
const configOf = async (id: string) => ok(await admin.get<InvoiceConfig>(`/customers/${id}/invoice-config`));
const config = (extra: Partial<InvoiceConfig> = {}) => ({ enabled: true, planId: null, taxPercent: 19, cycle: 'monthly', billingDay: 1, ...extra });

/** A 400 naming `field`, and the plan list as it was. */
async function expectRefusedField(body: InvoicePlanInput, field: string, message?: RegExp): Promise<void> {
  const before = await plans();
  const error = expectError(await admin.post('/invoice-plans', body), 400, 'BAD_REQUEST', message);
  expect(error.details?.['field']).toBe(field);
  expect(await plans()).toEqual(before);
}

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  const own = ok(await admin.post<Reseller>('/resellers', { name: 'Plans Reseller', password: RESELLER_PASSWORD }), 201);
  reseller = await new TestClient(server.api).login('Plans Reseller', RESELLER_PASSWORD);
  customer = ok(await admin.post<Customer>(`/resellers/${own.id}/customers`, { name: 'Billed Customer' }), 201);
  otherCustomer = ok(await admin.post<Customer>('/resellers/default/customers', { name: "Another Reseller's Customer" }), 201);
});

afterAll(async () => {
  await server?.stop();
  if (server) await removeDir(server.dataDir);
});

describe('invoice configuration without a default plan', () => {
  it('reads as disabled defaults until saved, and refuses enabling on "the default plan" when there is none', async () => {
    expect(await configOf(customer.id)).toEqual({ enabled: false, planId: null, taxPercent: 0, cycle: 'monthly', billingDay: 1, billTo: '', notes: '', enabledSince: null });
    const error = expectError(await admin.put(`/customers/${customer.id}/invoice-config`, config()), 400, 'BAD_REQUEST', /default/);
    expect(error.details?.['field']).toBe('planId');
    expect((await configOf(customer.id)).enabled).toBe(false);
  });
});

describe('invoice plans', () => {
  it('creates, reads, lists by name, updates and deletes a plan, each audited', async () => {
    const created = await createPlan(eurPlan('  Zeta Sliding  '));
    // Prices come back with exactly EUR's 2 decimals.
    expect(created).toMatchObject({ name: 'Zeta Sliding', currency: 'EUR', pricePerMcal: '4.50', isDefault: false, hasInvoices: false });
    expect(created.storage).toEqual({ method: 'sliding', slabs: [{ upToGb: 5, price: '3.00' }, { upToGb: 9, price: '2.00' }, { upToGb: null, price: '1.00' }] });
    expect(ok(await admin.get(`/invoice-plans/${created.id}`))).toEqual(created);
    const alpha = await createPlan({ name: 'Alpha Yen', currency: 'JPY', pricePerMcal: '1200', storage: { method: 'uniform', slabs: [{ upToGb: null, price: '10' }] } });
    expect(alpha.pricePerMcal).toBe('1200');
    expect((await plans()).items.map((p) => p.name)).toEqual(['Alpha Yen', 'Zeta Sliding']);
    expect((await plans()).total).toBe(2);

    const updated = ok(await admin.put<InvoicePlan>(`/invoice-plans/${created.id}`, eurPlan('Zeta Sliding', 'sliding', { pricePerMcal: '5.25' })));
    expect(updated.pricePerMcal).toBe('5.25');
    expect((await admin.delete(`/invoice-plans/${alpha.id}`)).status).toBe(204);
    expectError(await admin.get(`/invoice-plans/${alpha.id}`), 404, 'NOT_FOUND');
    expectError(await admin.put(`/invoice-plans/${alpha.id}`, eurPlan('Gone')), 404, 'NOT_FOUND');

    const actions = ok(await admin.get<List<AuditEntry>>('/audit-log?limit=20&q=invoice-plan')).items.map((e) => `${e.action} ${e.objectName}`);
    expect(actions).toEqual(expect.arrayContaining(['invoice-plan.create Zeta Sliding', 'invoice-plan.update Zeta Sliding', 'invoice-plan.delete Alpha Yen']));
    expect((await admin.delete(`/invoice-plans/${created.id}`)).status).toBe(204);
  });

  it('refuses a bad plan with 400 naming the field, writing nothing', async () => {
    await expectRefusedField(eurPlan('Bad', 'sliding', { currency: 'XYZ' }), 'currency', /XYZ/);
    await expectRefusedField(eurPlan('Bad', 'sliding', { pricePerMcal: '1.234' }), 'pricePerMcal', /more decimals than EUR's 2/);
    const slabs = (list: { upToGb: number | null; price: string }[]) => eurPlan('Bad', 'uniform', { storage: { method: 'uniform', slabs: list } });
    await expectRefusedField(slabs([{ upToGb: 5, price: '3' }, { upToGb: 9, price: '2' }, { upToGb: null, price: '0.001' }]), 'storage.slabs[2].price', /more decimals than EUR's 2/);
    await expectRefusedField(slabs([{ upToGb: 5, price: '3' }, { upToGb: 5, price: '2' }, { upToGb: null, price: '1' }]), 'storage.slabs[1].upToGb', /ascend/);
    await expectRefusedField(slabs([{ upToGb: 9, price: '3' }, { upToGb: 5, price: '2' }, { upToGb: null, price: '1' }]), 'storage.slabs[1].upToGb', /ascend/);
    await expectRefusedField(slabs([{ upToGb: 5, price: '3' }, { upToGb: 9, price: '2' }]), 'storage.slabs[1].upToGb', /null/);
    await expectRefusedField(slabs([{ upToGb: 5, price: '3' }, { upToGb: null, price: '2' }, { upToGb: null, price: '1' }]), 'storage.slabs[1].upToGb', /only the last/);
    // JPY has no minor digits, KWD three.
    await expectRefusedField({ ...eurPlan('Bad'), currency: 'JPY', pricePerMcal: '12.5' }, 'pricePerMcal', /JPY's 0/);
    expect((await createPlan({ ...eurPlan('Dinar'), currency: 'KWD', pricePerMcal: '1.125' })).pricePerMcal).toBe('1.125');
    // The schema itself: a negative price.
    expectError(await admin.post('/invoice-plans', eurPlan('Bad', 'sliding', { pricePerMcal: '-1' })), 400, 'BAD_REQUEST');
  });

  it('keeps names unique case-insensitively (409 NAME_TAKEN naming name), on create and on rename', async () => {
    const a = await createPlan(eurPlan('Unique Name'));
    const b = await createPlan(eurPlan('Other Name'));
    expect(expectError(await admin.post('/invoice-plans', eurPlan(' unique NAME ')), 409, 'NAME_TAKEN').details?.['field']).toBe('name');
    expect(expectError(await admin.put(`/invoice-plans/${b.id}`, eurPlan('UNIQUE name')), 409, 'NAME_TAKEN').details?.['field']).toBe('name');
    // Renaming a plan to its own name in other case is no clash.
    expect(ok(await admin.put<InvoicePlan>(`/invoice-plans/${a.id}`, eurPlan('UNIQUE NAME'))).name).toBe('UNIQUE NAME');
  });

  it('has at most one default: setting it moves it, omitting isDefault on PUT keeps it', async () => {
    const first = await createPlan(eurPlan('Default One', 'sliding', { isDefault: true }));
    const second = await createPlan(eurPlan('Default Two', 'sliding', { isDefault: true }));
    const defaults = async () => (await plans()).items.filter((p) => p.isDefault).map((p) => p.name);
    expect(await defaults()).toEqual(['Default Two']);
    ok(await admin.put(`/invoice-plans/${first.id}`, eurPlan('Default One', 'sliding', { isDefault: true })));
    expect(await defaults()).toEqual(['Default One']);
    ok(await admin.put(`/invoice-plans/${first.id}`, eurPlan('Default One Renamed')));
    expect(await defaults()).toEqual(['Default One Renamed']);
    expect(ok(await admin.get<InvoicePlan>(`/invoice-plans/${second.id}`)).isDefault).toBe(false);
  });

  it('lets a reseller read and quote plans, never change them (403, nothing written)', async () => {
    const plan = (await plans()).items[0]!;
    expect(ok(await reseller.get<List<InvoicePlan>>('/invoice-plans'))).toEqual(await plans());
    expect(ok(await reseller.get(`/invoice-plans/${plan.id}`))).toEqual(plan);
    expect((await quote(reseller, plan.id, 1, 0)).currency).toBe(plan.currency);
    expectError(await reseller.post('/invoice-plans', eurPlan('Reseller Plan')), 403, 'FORBIDDEN');
    expectError(await reseller.put(`/invoice-plans/${plan.id}`, eurPlan('Taken Over')), 403, 'FORBIDDEN');
    expectError(await reseller.delete(`/invoice-plans/${plan.id}`), 403, 'FORBIDDEN');
    expect(ok(await admin.get(`/invoice-plans/${plan.id}`))).toEqual(plan);
    expect((await plans()).items.some((p) => p.name === 'Reseller Plan')).toBe(false);
  });
});

describe('quotes: one full month, no tax', () => {
  it('sliding: API.md\'s 12 GB over 5/9/∞ at 3/2/1 = 5×3 + 4×2 + 3×1 = 26', async () => {
    const plan = await createPlan(eurPlan('Quote Sliding'));
    // MCALs: 3 × 4.50 = 13.50; storage 26.00; subtotal 39.50.
    expect(await quote(admin, plan.id, 3, 12 * GB)).toEqual({
      currency: 'EUR',
      lines: [
        { description: 'MCALs', quantity: '3.0000', unitPrice: '4.50', amount: '13.50' },
        { description: 'Storage (12.0000 GB)', quantity: '1.0000', unitPrice: '26.00', amount: '26.00' },
      ],
      subtotal: '39.50',
    });
    // 4 GB lies in the first slab: 4 × 3 = 12.00; no MCALs.
    expect((await quote(admin, plan.id, 0, 4 * GB)).lines[1]).toMatchObject({ amount: '12.00' });
  });

  it('uniform: the volume × the rate of its slab; exactly 5 GB is in the slab up to 5', async () => {
    const plan = await createPlan(eurPlan('Quote Uniform', 'uniform'));
    expect((await quote(admin, plan.id, 0, 5 * GB)).lines[1]!.amount).toBe('15.00'); // 5 × 3
    expect((await quote(admin, plan.id, 0, 5 * GB + 1)).lines[1]!.amount).toBe('10.00'); // just past 5 GB: × 2
    expect((await quote(admin, plan.id, 2, 12 * GB)).subtotal).toBe('21.00'); // 2 × 4.50 + 12 × 1
  });

  it('per-slab: the slab\'s fixed amount', async () => {
    const fixed = { method: 'per-slab' as const, slabs: [{ upToGb: 5, price: '10' }, { upToGb: 9, price: '20' }, { upToGb: null, price: '30' }] };
    const plan = await createPlan({ ...eurPlan('Quote Per Slab'), storage: fixed });
    expect((await quote(admin, plan.id, 0, 5 * GB)).lines[1]!.amount).toBe('10.00');
    expect((await quote(admin, plan.id, 0, 7 * GB)).lines[1]!.amount).toBe('20.00');
    expect((await quote(admin, plan.id, 1, 100 * GB)).subtotal).toBe('34.50'); // 4.50 + 30
  });

  it('rounds each line once, half-even, and formats the currency\'s digits', async () => {
    const cents = await createPlan({ name: 'Quote Cents', currency: 'EUR', pricePerMcal: '0', storage: { method: 'uniform', slabs: [{ upToGb: null, price: '0.05' }] } });
    // 2.5 GB × 0.05 = 0.125 → 0.12 (tie to even); 3.5 GB × 0.05 = 0.175 → 0.18.
    expect((await quote(admin, cents.id, 0, 2.5 * GB)).lines[1]).toMatchObject({ description: 'Storage (2.5000 GB)', unitPrice: '0.12', amount: '0.12' });
    expect((await quote(admin, cents.id, 0, 3.5 * GB)).lines[1]!.amount).toBe('0.18');
    const yen = await createPlan({ name: 'Quote Yen', currency: 'JPY', pricePerMcal: '1200', storage: { method: 'uniform', slabs: [{ upToGb: null, price: '10' }] } });
    // 2 × 1200 + 1.5 GB × 10 = 2400 + 15 = 2415, no decimals.
    expect(await quote(admin, yen.id, 2, 1.5 * GB)).toMatchObject({ currency: 'JPY', subtotal: '2415' });
    expectError(await admin.post('/invoice-plans/pln_unknown/quote', { mcals: 1, storageBytes: 0 }), 404, 'NOT_FOUND');
  });
});

describe('invoice configuration', () => {
  it('stores the configuration, trimmed, with enabledSince set on enabling and kept after', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const saved = ok(await admin.put<InvoiceConfig>(`/customers/${customer.id}/invoice-config`, config({ taxPercent: 7.25, billTo: '  Billed Customer\nMain Street 1  ', notes: ' Net 30 ' })));
    expect(saved).toEqual({ enabled: true, planId: null, taxPercent: 7.25, cycle: 'monthly', billingDay: 1, billTo: 'Billed Customer\nMain Street 1', notes: 'Net 30', enabledSince: today });
    expect(await configOf(customer.id)).toEqual(saved);
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).invoicing.enabled).toBe(true);
    const off = ok(await admin.put<InvoiceConfig>(`/customers/${customer.id}/invoice-config`, config({ enabled: false, cycle: 'weekly', billingDay: 7 })));
    expect(off).toMatchObject({ enabled: false, cycle: 'weekly', billingDay: 7, billTo: '', enabledSince: today });
    expect(ok(await admin.get<Customer>(`/customers/${customer.id}`)).invoicing.enabled).toBe(false);
    const audit = ok(await admin.get<List<AuditEntry>>('/audit-log?limit=5&q=invoice-config')).items;
    expect(audit[0]).toMatchObject({ action: 'customer.invoice-config.update', objectId: customer.id, after: off });
  });

  it('refuses a bad configuration with 400 naming the field, writing nothing', async () => {
    const before = await configOf(customer.id);
    const cases: [Record<string, unknown>, string][] = [
      [config({ taxPercent: 19.999 }), 'taxPercent'],
      [config({ taxPercent: 100.5 }), 'taxPercent'],
      [config({ cycle: 'weekly', billingDay: 8 }), 'billingDay'],
      [config({ cycle: 'quarterly', billingDay: 29 }), 'billingDay'],
      [config({ planId: 'pln_nothing' }), 'planId'],
      [{ ...config(), billTo: 'bell\u0007' }, 'billTo'],
    ];
    for (const [body, field] of cases) {
      const error = expectError(await admin.put(`/customers/${customer.id}/invoice-config`, body), 400, 'BAD_REQUEST');
      expect(error.details?.['field'], JSON.stringify(body)).toBe(field);
    }
    expect(await configOf(customer.id)).toEqual(before);
  });

  it("lets the customer's reseller read and change it; another reseller's customer is not found", async () => {
    ok(await reseller.put(`/customers/${customer.id}/invoice-config`, config({ taxPercent: 0 })));
    expect((await configOf(customer.id)).taxPercent).toBe(0);
    expectError(await reseller.get(`/customers/${otherCustomer.id}/invoice-config`), 404, 'NOT_FOUND');
    expectError(await reseller.put(`/customers/${otherCustomer.id}/invoice-config`, config()), 404, 'NOT_FOUND');
    expect((await configOf(otherCustomer.id)).enabled).toBe(false);
  });

  it('keeps a plan customers use, and the default they bill on, from being deleted (409)', async () => {
    const named = await createPlan(eurPlan('Named By A Customer'));
    ok(await admin.put(`/customers/${otherCustomer.id}/invoice-config`, config({ enabled: false, planId: named.id })));
    const error = expectError(await admin.delete(`/invoice-plans/${named.id}`), 409, 'CONFLICT', /1 customer/);
    expect(error.details?.['customers']).toBe(1);

    // `customer` is enabled on the default plan (planId null): the default can move, not go.
    const current = (await plans()).items.find((p) => p.isDefault)!;
    expectError(await admin.delete(`/invoice-plans/${current.id}`), 409, 'CONFLICT', /default/);
    const unset = expectError(await admin.put(`/invoice-plans/${current.id}`, { ...eurPlan(current.name), isDefault: false }), 409, 'CONFLICT');
    expect(unset.details?.['field']).toBe('isDefault');
    ok(await admin.put(`/invoice-plans/${named.id}`, eurPlan('Named By A Customer', 'sliding', { isDefault: true })));
    expect((await admin.delete(`/invoice-plans/${current.id}`)).status).toBe(204);
  });
});
