/**
 * The invoicing channels of the ConsoleService against the real backup server (its CLI on loopback,
 * plain http, its own data dir): plans and quotes, a customer's configuration and usage, and an invoice
 * from generation through the report, the PDF, Mark paid and a credit note; then what the offline cache
 * answers once the server is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvoicePlanInput } from '../../src-shared/api/invoicing.js';
import { BridgeError } from '../../src-shared/bridge.js';
import { ConsoleService } from '../../src-main/core/console-service.js';
import { CredentialVault, MemorySecretStore } from '../../src-main/core/vault.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';
import { writeUsageHistory } from '../support/usage-history.js';

const GiB = 2 ** 30;
/** API.md's sliding example: 12 GB over 5/9/∞ at 3/2/1 = 26. */
const STANDARD: InvoicePlanInput = {
  name: 'Standard',
  currency: 'EUR',
  pricePerMcal: '5',
  isDefault: true,
  storage: { method: 'sliding', slabs: [{ upToGb: 5, price: '3' }, { upToGb: 9, price: '2' }, { upToGb: null, price: '1' }] },
};

let server: RunningServer;
let consoleDir: string;
let service: ConsoleService;
let serverId: string;

beforeAll(async () => {
  server = await startServer();
  consoleDir = await tempDir('core-invoicing-');
  service = await ConsoleService.open({
    host: 'browser',
    dataDir: consoleDir,
    vault: new CredentialVault(new MemorySecretStore()),
    client: { timeoutMs: 5_000, retries: 0 },
    reconnect: { firstDelayMs: 60_000, maxDelayMs: 60_000 },
    log: () => undefined,
  });
  ({ id: serverId } = await service.invoke('servers.add', { name: 'Billing', url: server.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: null }));
});

afterAll(async () => {
  await service?.close();
  await server?.stop();
  await removeDir(server.dataDir);
  await removeDir(consoleDir);
});

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

/** The UTC calendar month before this one: a period that has ended, as generation requires. */
function lastMonth(): { periodStart: string; periodEnd: string; days: string[] } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  const days = Array.from({ length: last.getUTCDate() }, (_, i) => new Date(first.getTime() + i * 86_400_000).toISOString().slice(0, 10));
  return { periodStart: days[0]!, periodEnd: days.at(-1)!, days };
}

describe('invoicing channels', () => {
  let planId = '';
  let customerId = '';
  let invoiceId = '';

  it('plans: created, listed, checked by the server naming the field, quoted', async () => {
    const plan = await service.invoke('invoicing.plan.create', { serverId, plan: STANDARD });
    planId = plan.id;
    expect(plan).toMatchObject({ name: 'Standard', currency: 'EUR', pricePerMcal: '5.00', isDefault: true, hasInvoices: false });
    expect(plan.storage.slabs.map((s) => s.price)).toEqual(['3.00', '2.00', '1.00']);
    const listed = await service.invoke('invoicing.plans', { serverId });
    expect(listed.asOf).toBeNull();
    expect(listed.data.items.map((p) => p.name)).toEqual(['Standard']);

    const tooFine = { ...STANDARD, name: 'Fine', isDefault: false, storage: { ...STANDARD.storage, slabs: [{ upToGb: 5, price: '3' }, { upToGb: null, price: '0.005' }] } };
    const refused = await failure(service.invoke('invoicing.plan.create', { serverId, plan: tooFine }));
    expect(refused).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'storage.slabs[1].price' } });

    const quote = await service.invoke('invoicing.quote', { serverId, id: planId, mcals: 2, storageBytes: 12 * GiB });
    expect(quote.currency).toBe('EUR');
    expect(quote.lines.map((l) => l.amount)).toEqual(['10.00', '26.00']);
    expect(quote.subtotal).toBe('36.00');
  });

  it("a customer's configuration and usage", async () => {
    const reseller = (await service.invoke('resellers.list', { serverId })).data.items[0]!;
    ({ id: customerId } = await service.invoke('customers.create', { serverId, resellerId: reseller.id, input: { name: 'Invoice Co' } }));
    const fresh = await service.invoke('invoicing.config.get', { serverId, customerId });
    expect(fresh).toMatchObject({ asOf: null, data: { enabled: false, planId: null } });

    const config = await service.invoke('invoicing.config.set', {
      serverId,
      customerId,
      config: { enabled: true, planId: null, taxPercent: 20, cycle: 'monthly', billingDay: 1, billTo: 'Invoice Co\n1 Main Street' },
    });
    expect(config).toMatchObject({ enabled: true, taxPercent: 20, billTo: 'Invoice Co\n1 Main Street', notes: '' });
    const badTax = await failure(service.invoke('invoicing.config.set', { serverId, customerId, config: { enabled: true, planId: null, taxPercent: 7.255, cycle: 'monthly', billingDay: 1 } }));
    expect(badTax).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'taxPercent' } });

    const { periodStart, periodEnd, days } = lastMonth();
    writeUsageHistory(server.dataDir, customerId, days.map((day) => ({ day, spaceUsed: 12 * GiB, mcalsUsed: 2 })));
    const usage = await service.invoke('invoicing.usage', { serverId, customerId, from: periodStart, to: periodEnd });
    expect(usage.data.items).toHaveLength(days.length);
    expect(usage.data.items[0]).toEqual({ day: periodStart, spaceUsed: 12 * GiB, mcalsUsed: 2 });
  });

  it('an invoice: generated, listed, read, its PDF, marked paid, credited', async () => {
    const { periodStart, periodEnd } = lastMonth();
    const invoice = await service.invoke('invoicing.generate', { serverId, customerId, periodStart, periodEnd });
    invoiceId = invoice.id;
    expect(invoice).toMatchObject({ kind: 'invoice', status: 'issued', customerName: 'Invoice Co', periodStart, periodEnd, currency: 'EUR' });
    expect(invoice.number).toMatch(/\d$/);

    const mine = await service.invoke('invoicing.invoices', { serverId, customerId, query: {} });
    expect(mine.data.items.map((i) => i.id)).toEqual([invoiceId]);
    const all = await service.invoke('invoicing.invoices', { serverId, query: { status: 'issued' } });
    expect(all.data.items.map((i) => i.id)).toContain(invoiceId);
    expect(await service.invoke('invoicing.invoice', { serverId, id: invoiceId })).toEqual(invoice);

    const pdf = await service.invoke('invoicing.pdf', { serverId, id: invoiceId });
    expect(pdf.filename).toMatch(/\.pdf$/);
    expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await failure(service.invoke('invoicing.pdf', { serverId, id: 'inv_missing' }))).code).toBe('NOT_FOUND');

    const paid = await service.invoke('invoicing.markPaid', { serverId, id: invoiceId });
    expect(paid.status).toBe('paid');
    expect((await failure(service.invoke('invoicing.markPaid', { serverId, id: invoiceId }))).code).toBe('CONFLICT');
    const credit = await service.invoke('invoicing.creditNote', { serverId, id: invoiceId });
    expect(credit).toMatchObject({ kind: 'credit-note', creditFor: invoiceId, total: `-${invoice.total}` });
    expect((await service.invoke('invoicing.invoice', { serverId, id: invoiceId })).status).toBe('void');
  });

  it('a plan with invoices keeps its prices and is not deleted', async () => {
    const repriced = await failure(service.invoke('invoicing.plan.update', { serverId, id: planId, plan: { ...STANDARD, pricePerMcal: '6' } }));
    expect(repriced).toMatchObject({ code: 'CONFLICT', details: { field: 'pricePerMcal' } });
    expect((await service.invoke('invoicing.plan.update', { serverId, id: planId, plan: { ...STANDARD, name: 'Standard 2026' } })).name).toBe('Standard 2026');
    expect((await failure(service.invoke('invoicing.plan.delete', { serverId, id: planId }))).code).toBe('CONFLICT');
  });

  it('offline: the report from the cache (filtered only by the exact query seen), no PDF, no change', async () => {
    // The report seen once more, live, with the credit note: the cache keeps that whole list.
    expect((await service.invoke('invoicing.invoices', { serverId, customerId, query: {} })).data.items.map((i) => i.kind)).toEqual(['credit-note', 'invoice']);
    await server.stop();
    // Sorted another way offline: answered from the whole cached list.
    const whole = await service.invoke('invoicing.invoices', { serverId, customerId, query: { sort: 'number' } });
    expect(whole.asOf).not.toBeNull();
    expect(whole.data.items.map((i) => i.kind)).toEqual(['invoice', 'credit-note']);
    // "issued" was last seen listing the invoice; a status never asked for live has nothing cached.
    expect((await service.invoke('invoicing.invoices', { serverId, query: { status: 'issued' } })).asOf).not.toBeNull();
    expect((await failure(service.invoke('invoicing.invoices', { serverId, query: { status: 'paid' } }))).code).toBe('OFFLINE');
    // The configuration as last read (a save is not a read: like every feature, the cache holds what was fetched).
    expect(await service.invoke('invoicing.config.get', { serverId, customerId })).toMatchObject({ asOf: expect.any(String), data: { enabled: false } });
    expect((await failure(service.invoke('invoicing.pdf', { serverId, id: invoiceId }))).code).toBe('OFFLINE');
    expect((await failure(service.invoke('invoicing.markPaid', { serverId, id: invoiceId }))).code).toBe('OFFLINE');
  });
});
