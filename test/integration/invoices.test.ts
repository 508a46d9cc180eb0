/**
 * Invoices and credit notes (API.md, Invoicing) against one real server: amounts computed by hand from
 * usage samples written for past days, numbering under concurrent generation, the 400/409 rules,
 * immutability, credit notes, status changes, reseller isolation, invoices outliving their customer,
 * the list's filters and the PDF. Plan "Standard" (EUR): 10.00 per MCAL-month, storage uniform 0.10 per
 * GB-month, so 10 GB cost 1.00 a month. Samples are written only where a test bills.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Customer, Invoice, InvoicePlan, InvoiceSummary, List } from '../../src-shared/api/index.js';
import { expectError, ok } from '../support/api-assert.js';
import { TestClient } from '../support/api-client.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { writeUsageHistory, type UsageSample } from '../support/usage-history.js';

const GIB = 2 ** 30;
const DAY_MS = 86_400_000;
const STANDARD = { name: 'Standard', currency: 'EUR', pricePerMcal: '10', isDefault: true, storage: { method: 'uniform', slabs: [{ upToGb: null, price: '0.10' }] } };

const dayAfter = (day: string, n = 1) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const today = () => new Date().toISOString().slice(0, 10);

/** One sample a day from `from` through `to`, each day's usage from `usage`. */
function samples(from: string, to: string, usage: (day: string) => Omit<UsageSample, 'day'>): UsageSample[] {
  const days: UsageSample[] = [];
  for (let day = from; day <= to; day = dayAfter(day)) days.push({ day, ...usage(day) });
  return days;
}

let server: RunningServer;
let admin: TestClient;
let plan: InvoicePlan;

async function invoicedCustomer(name: string, taxPercent: number, api = admin, resellerId = 'default'): Promise<Customer> {
  const customer = ok(await api.post<Customer>(`/resellers/${resellerId}/customers`, { name }), 201);
  ok(await api.put(`/customers/${customer.id}/invoice-config`, { enabled: true, planId: null, taxPercent, cycle: 'monthly', billingDay: 1, billTo: `${name}\nMain Street 1` }));
  return customer;
}

const generate = (customer: Customer, periodStart: string, periodEnd: string, api = admin) => api.post<Invoice>(`/customers/${customer.id}/invoices`, { periodStart, periodEnd });
const invoiceCount = async () => ok(await admin.get<List<InvoiceSummary>>('/invoices?limit=1')).total;

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  ok(await admin.patch('/server', { name: 'Example Backup Ltd' }));
  plan = ok(await admin.post<InvoicePlan>('/invoice-plans', STANDARD), 201);
});

afterAll(async () => {
  await server?.stop();
  if (server) await removeDir(server.dataDir);
});

describe('invoice arithmetic, by hand', () => {
  let midPeriod: Customer;
  let september: Invoice;

  it('pro-rates a client added mid-period (30-day September: 15 days of 1 MCAL, 15 of 2)', async () => {
    midPeriod = await invoicedCustomer('Mid Period', 20);
    writeUsageHistory(server.dataDir, midPeriod.id, samples('2026-09-01', '2026-09-30', (day) => ({ spaceUsed: 10 * GIB, mcalsUsed: day <= '2026-09-15' ? 1 : 2 })));
    september = ok(await generate(midPeriod, '2026-09-01', '2026-09-30'), 201);
    expect(september).toMatchObject({
      kind: 'invoice',
      creditFor: null,
      status: 'issued',
      customerId: midPeriod.id,
      customerName: 'Mid Period',
      periodStart: '2026-09-01',
      periodEnd: '2026-09-30',
      currency: 'EUR',
      seller: 'Example Backup Ltd',
      billTo: 'Mid Period\nMain Street 1',
      taxPercent: 20,
      lines: [
        // Σ MCALs = 15×1 + 15×2 = 45 MCAL-days = 45/30 = 1.5 MCAL-months × 10.00 = 15.00.
        { description: 'MCALs, September 2026', quantity: '1.5000', unitPrice: '10.00', amount: '15.00' },
        // 10 GB all month: 10 × 0.10 = 1.00 a month × 30/30.
        { description: 'Storage, September 2026 (average 10.0000 GB)', quantity: '1.0000', unitPrice: '1.00', amount: '1.00' },
      ],
      // 16.00 + 20% = 3.20.
      subtotal: '16.00',
      tax: '3.20',
      total: '19.20',
    });
    expect(september.number).toMatch(/^INV-\d{6}$/);
    expect(ok(await admin.get<Invoice>(`/invoices/${september.id}`))).toEqual(september);
  });

  it('splits a period at month boundaries: 29-day February 2024 and 31-day March, 4 lines; a half-even tie on tax', async () => {
    const customer = await invoicedCustomer('Month Lengths', 12.5);
    writeUsageHistory(server.dataDir, customer.id, [
      ...samples('2024-02-20', '2024-03-05', () => ({ spaceUsed: 10 * GIB, mcalsUsed: 1 })),
      ...samples('2026-02-01', '2026-02-14', () => ({ spaceUsed: 10 * GIB, mcalsUsed: 1 })),
    ]);
    const leap = ok(await generate(customer, '2024-02-20', '2024-03-05'), 201);
    expect(leap.lines).toEqual([
      // 10 of 29 days: 10/29 = 0.3448… MCAL-months × 10.00 = 3.4482… → 3.45; storage 1.00 × 10/29 = 0.3448… → 0.34.
      { description: 'MCALs, February 2024', quantity: '0.3448', unitPrice: '10.00', amount: '3.45' },
      { description: 'Storage, February 2024 (average 10.0000 GB)', quantity: '0.3448', unitPrice: '1.00', amount: '0.34' },
      // 5 of 31 days: 5/31 = 0.1612… × 10.00 = 1.6129… → 1.61; storage 1.00 × 5/31 = 0.1612… → 0.16.
      { description: 'MCALs, March 2024', quantity: '0.1613', unitPrice: '10.00', amount: '1.61' },
      { description: 'Storage, March 2024 (average 10.0000 GB)', quantity: '0.1613', unitPrice: '1.00', amount: '0.16' },
    ]);
    // 3.45 + 0.34 + 1.61 + 0.16 = 5.56; 12.5% of it is 0.695 exactly, a tie: to the even 0.70.
    expect(leap).toMatchObject({ subtotal: '5.56', tax: '0.70', total: '6.26', taxPercent: 12.5 });

    const february = ok(await generate(customer, '2026-02-01', '2026-02-14'), 201);
    // 14 of 28 days: half a month, 5.00 and 0.50; 12.5% of 5.50 = 0.6875 → 0.69.
    expect(february.lines.map((l) => [l.quantity, l.amount])).toEqual([
      ['0.5000', '5.00'],
      ['0.5000', '0.50'],
    ]);
    expect(february).toMatchObject({ subtotal: '5.50', tax: '0.69', total: '6.19' });
  });

  it('rounds a tie on a line and on tax to even (down where half-up would go up)', async () => {
    const customer = await invoicedCustomer('Ties', 2.5);
    writeUsageHistory(server.dataDir, customer.id, [{ day: '2026-09-05', spaceUsed: 1.5 * GIB, mcalsUsed: 3 }]);
    const invoice = ok(await generate(customer, '2026-09-05', '2026-09-05'), 201);
    expect(invoice).toMatchObject({
      lines: [
        // 3 MCAL-days of a 30-day month: 0.1 × 10.00 = 1.00.
        { description: 'MCALs, September 2026', quantity: '0.1000', unitPrice: '10.00', amount: '1.00' },
        // 1.5 GB × 0.10 = 0.15 a month; one day of 30 is 0.005 exactly, a tie: to the even 0.00.
        { description: 'Storage, September 2026 (average 1.5000 GB)', quantity: '0.0333', unitPrice: '0.15', amount: '0.00' },
      ],
      // 2.5% of 1.00 = 0.025, a tie: to the even 0.02.
      subtotal: '1.00',
      tax: '0.02',
      total: '1.02',
    });
  });

  it('bills a day without a sample as interpolated between its neighbours, not as the last size seen', async () => {
    const customer = await invoicedCustomer('Gap', 0);
    writeUsageHistory(server.dataDir, customer.id, [
      { day: '2026-10-01', spaceUsed: 10 * GIB, mcalsUsed: 1 },
      { day: '2026-10-03', spaceUsed: 20 * GIB, mcalsUsed: 2 },
    ]);
    // 2 October: 15 GB and 1.5 MCALs, rounded half-even to 2.
    expect(ok(await admin.get<List<UsageSample>>(`/customers/${customer.id}/usage?from=2026-10-01&to=2026-10-03`)).items[1]).toEqual({ day: '2026-10-02', spaceUsed: 15 * GIB, mcalsUsed: 2 });
    const invoice = ok(await generate(customer, '2026-10-01', '2026-10-03'), 201);
    expect(invoice.lines).toEqual([
      // 1 + 2 + 2 = 5 MCAL-days of 31: 0.1612… × 10.00 = 1.6129… → 1.61.
      { description: 'MCALs, October 2026', quantity: '0.1613', unitPrice: '10.00', amount: '1.61' },
      // (10 + 15 + 20) / 3 = 15 GB (13.3333 had the gap kept the last size): 1.50 a month × 3/31 = 0.1451… → 0.15.
      { description: 'Storage, October 2026 (average 15.0000 GB)', quantity: '0.0968', unitPrice: '1.50', amount: '0.15' },
    ]);
    expect(invoice).toMatchObject({ subtotal: '1.76', tax: '0.00', total: '1.76' });
  });

  describe('rules', () => {
    it('refuses a bad period with a 400 naming the field, writing nothing', async () => {
      const before = await invoiceCount();
      const cases: [string, string, string][] = [
        ['2026-09-10', '2026-09-09', 'periodEnd'],
        ['2026-09-01', today(), 'periodEnd'],
        ['2024-01-01', '2025-01-01', 'periodEnd'], // 367 days
        ['2026-02-30', '2026-03-01', 'periodStart'],
      ];
      for (const [start, end, field] of cases) {
        expect(expectError(await generate(midPeriod, start, end), 400, 'BAD_REQUEST').details?.field, `${start}..${end}`).toBe(field);
      }
      expect(await invoiceCount()).toBe(before);
      // 366 days is allowed (the whole leap year 2024).
      ok(await generate(await invoicedCustomer('Whole Year', 0), '2024-01-01', '2024-12-31'), 201);
    });

    it('refuses a customer with invoicing disabled, or never configured (409)', async () => {
      const off = ok(await admin.post<Customer>('/resellers/default/customers', { name: 'Invoicing Off' }), 201);
      expectError(await generate(off, '2026-09-01', '2026-09-30'), 409, 'CONFLICT', /disabled/);
      ok(await admin.put(`/customers/${off.id}/invoice-config`, { enabled: false, planId: plan.id, taxPercent: 0, cycle: 'monthly', billingDay: 1 }));
      expectError(await generate(off, '2026-09-01', '2026-09-30'), 409, 'CONFLICT', /disabled/);
    });

    it('refuses a period overlapping an issued invoice of the customer (409 naming it)', async () => {
      const error = expectError(await generate(midPeriod, '2026-09-30', '2026-10-05'), 409, 'CONFLICT', new RegExp(september.number));
      expect(error.details).toMatchObject({ field: 'periodStart', number: september.number });
      // The days right after it are free.
      ok(await generate(midPeriod, '2026-10-01', '2026-10-05'), 201);
    });
  });

  describe('credit notes and status', () => {
    it('a credit note negates every amount, keeps quantities and unit prices, and voids the original', async () => {
      const note = ok(await admin.post<Invoice>(`/invoices/${september.id}/credit-note`), 201);
      expect(note).toMatchObject({
        kind: 'credit-note',
        creditFor: september.id,
        status: 'issued',
        customerId: midPeriod.id,
        periodStart: '2026-09-01',
        periodEnd: '2026-09-30',
        lines: [
          { description: 'MCALs, September 2026', quantity: '1.5000', unitPrice: '10.00', amount: '-15.00' },
          { description: 'Storage, September 2026 (average 10.0000 GB)', quantity: '1.0000', unitPrice: '1.00', amount: '-1.00' },
        ],
        subtotal: '-16.00',
        tax: '-3.20',
        total: '-19.20',
      });
      expect(Number(note.number.slice(4))).toBeGreaterThan(Number(september.number.slice(4)));
      expect(ok(await admin.get<Invoice>(`/invoices/${september.id}`))).toEqual({ ...september, status: 'void' });

      expectError(await admin.post(`/invoices/${september.id}/credit-note`), 409, 'CONFLICT', /void/);
      expectError(await admin.post(`/invoices/${note.id}/credit-note`), 409, 'CONFLICT', /credit note/);
      expectError(await admin.patch(`/invoices/${september.id}`, { status: 'paid' }), 409, 'CONFLICT');
    });

    it('a voided period may be invoiced again; paid only from issued; a paid invoice can be credited', async () => {
      const again = ok(await generate(midPeriod, '2026-09-01', '2026-09-30'), 201);
      expect(again).toMatchObject({ subtotal: '16.00', tax: '3.20', total: '19.20', status: 'issued' });
      expect(ok(await admin.patch<Invoice>(`/invoices/${again.id}`, { status: 'paid' }))).toEqual({ ...again, status: 'paid' });
      const twice = expectError(await admin.patch(`/invoices/${again.id}`, { status: 'paid' }), 409, 'CONFLICT', /paid/);
      expect(twice.details).toMatchObject({ field: 'status' });
      expectError(await admin.patch(`/invoices/${again.id}`, { status: 'void' }), 400, 'BAD_REQUEST');
      // A paid invoice blocks its period too.
      expectError(await generate(midPeriod, '2026-09-15', '2026-09-15'), 409, 'CONFLICT');

      const refund = ok(await admin.post<Invoice>(`/invoices/${again.id}/credit-note`), 201);
      expect(refund.total).toBe('-19.20');
      expect(ok(await admin.get<Invoice>(`/invoices/${again.id}`)).status).toBe('void');

      const audit = ok(await admin.get<List<AuditEntry>>(`/audit-log?q=${again.number}`)).items.map((e) => e.action);
      expect(audit.sort()).toEqual(['invoice.issue', 'invoice.paid', 'invoice.void']);
    });

    it('is immutable: no PUT or DELETE, unchanged by renaming its plan, whose prices and existence it then holds', async () => {
      const before = ok(await admin.get<Invoice>(`/invoices/${september.id}`));
      expect((await admin.put(`/invoices/${september.id}`, { ...before, total: '0.00' })).status).toBe(404);
      expect((await admin.delete(`/invoices/${september.id}`)).status).toBe(404);
      ok(await admin.put(`/invoice-plans/${plan.id}`, { ...STANDARD, name: 'Standard 2026' }));
      expectError(await admin.put(`/invoice-plans/${plan.id}`, { ...STANDARD, name: 'Standard 2026', pricePerMcal: '11' }), 409, 'CONFLICT');
      expectError(await admin.delete(`/invoice-plans/${plan.id}`), 409, 'CONFLICT');
      expect(ok(await admin.get<Invoice>(`/invoices/${september.id}`))).toEqual(before);
    });
  });
});

describe('numbers', () => {
  it('20 concurrent generations get 20 consecutive numbers, none twice', async () => {
    const busy = await invoicedCustomer('Busy', 0);
    const days = Array.from({ length: 20 }, (_, i) => dayAfter('2026-11-01', i));
    const issued = await Promise.all(days.map((day) => generate(busy, day, day)));
    const seqs = issued.map((res) => Number(ok(res, 201).number.slice(4))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => seqs[0]! + i));
  });

  it('every number of the server so far is INV-000001 on, none skipped (refusals took none)', async () => {
    const all = ok(await admin.get<List<InvoiceSummary>>('/invoices?limit=1000&sort=number')).items;
    expect(all.map((i) => i.number)).toEqual(all.map((_, i) => `INV-${String(i + 1).padStart(6, '0')}`));
  });
});

describe('lists', () => {
  it('filters by status, issue day and text, and sorts', async () => {
    const all = ok(await admin.get<List<InvoiceSummary>>('/invoices?limit=1000'));
    // The newest first.
    expect(all.items.map((i) => i.number)).toEqual(all.items.map((i) => i.number).sort().reverse());
    const voids = ok(await admin.get<List<InvoiceSummary>>('/invoices?status=void&limit=1000'));
    expect(voids.total).toBe(2);
    expect(voids.items.every((i) => i.status === 'void' && i.customerName === 'Mid Period')).toBe(true);
    expect(ok(await admin.get<List<InvoiceSummary>>(`/invoices?from=${today()}&to=${today()}&limit=1`)).total).toBe(all.total);
    expect(ok(await admin.get<List<InvoiceSummary>>(`/invoices?from=${dayAfter(today())}`)).total).toBe(0);
    expect(ok(await admin.get<List<InvoiceSummary>>(`/invoices?to=${dayAfter(today(), -1)}`)).total).toBe(0);
    expect(ok(await admin.get<List<InvoiceSummary>>('/invoices?q=ties')).items.map((i) => i.customerName)).toEqual(['Ties']);
    const byTotal = ok(await admin.get<List<InvoiceSummary>>('/invoices?sort=total&limit=2')).items.map((i) => i.total);
    expect(byTotal).toEqual(['-19.20', '-19.20']);
    expectError(await admin.get('/invoices?sort=seller'), 400, 'BAD_REQUEST');
    expectError(await admin.get('/invoices?status=draft'), 400, 'BAD_REQUEST');
  });

  it('GET /customers/:id/invoices lists that customer only', async () => {
    const ties = ok(await admin.get<List<Customer>>('/resellers/default/customers?q=Ties')).items[0]!;
    const listed = ok(await admin.get<List<InvoiceSummary>>(`/customers/${ties.id}/invoices`));
    expect(listed).toMatchObject({ total: 1, items: [{ customerName: 'Ties', total: '1.02', kind: 'invoice', status: 'issued' }] });
    expectError(await admin.get('/customers/cus_nobody/invoices'), 404, 'NOT_FOUND');
  });
});

describe('resellers and deleted customers', () => {
  let reseller: TestClient;
  let own: Customer;
  let mine: Invoice;

  beforeAll(async () => {
    const { id } = ok(await admin.post<{ id: string }>('/resellers', { name: 'Invoice Reseller', password: 'invoice-reseller-password' }), 201);
    reseller = await new TestClient(server.api).login('Invoice Reseller', 'invoice-reseller-password');
    own = await invoicedCustomer('Reseller Customer', 0, reseller, id);
    mine = ok(await generate(own, '2026-09-01', '2026-09-30', reseller), 201);
  });

  it("a reseller sees and changes only its own customers' invoices; another's do not exist for it", async () => {
    expect(ok(await reseller.get<List<InvoiceSummary>>('/invoices')).items.map((i) => i.id)).toEqual([mine.id]);
    expect(ok(await admin.get<Invoice>(`/invoices/${mine.id}`))).toEqual(mine);
    const others = ok(await admin.get<List<InvoiceSummary>>('/invoices?q=ties')).items[0]!;
    const before = ok(await admin.get<Invoice>(`/invoices/${others.id}`));
    expectError(await reseller.get(`/invoices/${others.id}`), 404, 'NOT_FOUND');
    expectError(await reseller.get(`/invoices/${others.id}/pdf`), 404, 'NOT_FOUND');
    expectError(await reseller.patch(`/invoices/${others.id}`, { status: 'paid' }), 404, 'NOT_FOUND');
    expectError(await reseller.post(`/invoices/${others.id}/credit-note`), 404, 'NOT_FOUND');
    expectError(await reseller.get(`/customers/${others.customerId}/invoices`), 404, 'NOT_FOUND');
    expectError(await reseller.post(`/customers/${others.customerId}/invoices`, { periodStart: '2026-08-01', periodEnd: '2026-08-31' }), 404, 'NOT_FOUND');
    expect(ok(await admin.get<Invoice>(`/invoices/${others.id}`))).toEqual(before);
  });

  it('deleting the customer keeps its invoices, with its name', async () => {
    expect((await admin.delete(`/customers/${own.id}`)).status).toBe(204);
    expectError(await admin.get(`/customers/${own.id}`), 404, 'NOT_FOUND');
    expect(ok(await admin.get<Invoice>(`/invoices/${mine.id}`))).toEqual(mine);
    expect(ok(await reseller.get<List<InvoiceSummary>>(`/customers/${own.id}/invoices`)).items).toEqual([expect.objectContaining({ id: mine.id, customerName: 'Reseller Customer' })]);
    expect(ok(await reseller.get<Invoice>(`/invoices/${mine.id}`)).customerName).toBe('Reseller Customer');
    // And its invoices can still be credited.
    expect(ok(await reseller.post<Invoice>(`/invoices/${mine.id}/credit-note`), 201).customerName).toBe('Reseller Customer');
  });
});

describe('GET /invoices/:id/pdf', () => {
  it('answers a PDF attachment named after the number', async () => {
    const invoice = ok(await admin.get<List<InvoiceSummary>>('/invoices?q=ties')).items[0]!;
    const res = await fetch(`${server.api}/invoices/${invoice.id}/pdf`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${invoice.number}.pdf"`);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
