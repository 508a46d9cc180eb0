/**
 * Daily usage samples (API.md, `GET /customers/:id/usage`) against one real server: the maintenance run
 * samples today, past days come from `writeUsageHistory` (a test cannot wait for days to pass), and a day
 * without a sample is interpolated between its neighbours, rounded half-even. Tests run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientCreated, Customer, MaintenanceSummary, Reseller, UsageDay, UsageList } from '../../src-shared/api/index.js';
import { TestClient } from '../support/api-client.js';
import { expectError, ok } from '../support/api-assert.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { writeUsageHistory } from '../support/usage-history.js';

const DAY_MS = 86_400_000;
const RESELLER_PASSWORD = 'usage-reseller-password';

let server: RunningServer;
let admin: TestClient;
let reseller: TestClient;
let resellerId: string;
let sampled: Customer;
let other: Customer;

/** The UTC day `n` days from today. */
const day = (n: number) => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);
const usage = async (client: TestClient, customerId: string, query = '') => ok(await client.get<UsageList>(`/customers/${customerId}/usage${query}`));
const maintenance = async () => ok(await admin.post<MaintenanceSummary>('/maintenance/run'));
const newCustomer = async (name: string, owner = 'default') => ok(await admin.post<Customer>(`/resellers/${owner}/customers`, { name }), 201);

async function authorizedClient(customerId: string, name: string): Promise<void> {
  const { client } = ok(await admin.post<ClientCreated>(`/customers/${customerId}/clients`, { name }), 201);
  ok(await admin.post(`/clients/${client.id}/authorize`));
}

beforeAll(async () => {
  server = await startServer({ args: ['--maintenance-interval', '0'] });
  admin = await new TestClient(server.api).login();
  resellerId = ok(await admin.post<Reseller>('/resellers', { name: 'Usage Reseller', password: RESELLER_PASSWORD }), 201).id;
  reseller = await new TestClient(server.api).login('Usage Reseller', RESELLER_PASSWORD);
  sampled = await newCustomer('Sampled Customer', resellerId);
  other = await newCustomer('Not The Reseller’s Customer');
  await authorizedClient(sampled.id, 'PC-1');
  await authorizedClient(sampled.id, 'PC-2');
});

afterAll(async () => {
  await server?.stop();
  if (server) await removeDir(server.dataDir);
});

describe('the usage-samples task', () => {
  it("writes today's sample of every customer at each maintenance run, rewriting only what moved", async () => {
    expect((await maintenance()).usageSamplesTaken).toBe(2);
    expect((await usage(admin, sampled.id, `?from=${day(0)}&to=${day(0)}`)).items).toEqual([{ day: day(0), spaceUsed: 0, mcalsUsed: 2 }]);
    // Nothing changed: nothing rewritten.
    expect((await maintenance()).usageSamplesTaken).toBe(0);
    await authorizedClient(sampled.id, 'PC-3');
    // The day's last write is its end-of-day value.
    expect((await maintenance()).usageSamplesTaken).toBe(1);
    expect((await usage(admin, sampled.id, `?from=${day(0)}&to=${day(0)}`)).items[0]).toMatchObject({ mcalsUsed: 3 });
  });

  it('never rewrites a past day', async () => {
    writeUsageHistory(server.dataDir, sampled.id, [{ day: day(-1), spaceUsed: 123, mcalsUsed: 1 }]);
    await authorizedClient(sampled.id, 'PC-4');
    expect((await maintenance()).usageSamplesTaken).toBe(1);
    expect((await usage(admin, sampled.id, `?from=${day(-1)}&to=${day(0)}`)).items).toEqual([
      { day: day(-1), spaceUsed: 123, mcalsUsed: 1 },
      { day: day(0), spaceUsed: 0, mcalsUsed: 4 },
    ]);
  });
});

describe('GET /customers/:id/usage', () => {
  it('reads every day: samples, half-even interpolation between them, 0 before the first, the last after it', async () => {
    // Created after the last maintenance run: no sample of today, so the days after -6 read as -6.
    const history = await newCustomer('History Customer', resellerId);
    writeUsageHistory(server.dataDir, history.id, [
      { day: day(-10), spaceUsed: 0, mcalsUsed: 1 },
      { day: day(-6), spaceUsed: 10, mcalsUsed: 2 },
      { day: day(-20), spaceUsed: 2 ** 52, mcalsUsed: 7 },
      { day: day(-17), spaceUsed: 2 ** 52 + 2, mcalsUsed: 7 },
    ]);
    const items = (await usage(admin, history.id, `?from=${day(-22)}&to=${day(0)}`)).items;
    expect(items.map((d) => d.day)).toEqual(Array.from({ length: 23 }, (_, i) => day(i - 22)));
    const at = (n: number): Omit<UsageDay, 'day'> => {
      const { day: _, ...rest } = items.find((d) => d.day === day(n))!;
      return rest;
    };
    expect(at(-22)).toEqual({ spaceUsed: 0, mcalsUsed: 0 }); // before the first sample
    expect(at(-21)).toEqual({ spaceUsed: 0, mcalsUsed: 0 });
    // Exact beyond a double's integer step: 2^52 + 2 × 1/3 = 2^52 + 0.67 → 2^52 + 1; + 2 × 2/3 = 2^52 + 1.33 → 2^52 + 1.
    expect(at(-19)).toEqual({ spaceUsed: 2 ** 52 + 1, mcalsUsed: 7 });
    expect(at(-18)).toEqual({ spaceUsed: 2 ** 52 + 1, mcalsUsed: 7 });
    // From 2^52 + 2 on -17 down to 0 on -10, over 7 days: -16 is 2^52 + 2 − (2^52 + 2)/7.
    expect(at(-16).spaceUsed).toBe(Number(((2n ** 52n + 2n) * 6n + 3n) / 7n));
    // -10 → -6, 0 → 10 bytes and 1 → 2 MCALs over 4 days: 2.5 → 2, 5, 7.5 → 8; 1.25 → 1, 1.5 → 2, 1.75 → 2.
    expect([-10, -9, -8, -7, -6].map(at)).toEqual([
      { spaceUsed: 0, mcalsUsed: 1 },
      { spaceUsed: 2, mcalsUsed: 1 },
      { spaceUsed: 5, mcalsUsed: 2 },
      { spaceUsed: 8, mcalsUsed: 2 },
      { spaceUsed: 10, mcalsUsed: 2 },
    ]);
    expect([-5, -1, 0].map(at)).toEqual([0, 0, 0].map(() => ({ spaceUsed: 10, mcalsUsed: 2 }))); // after the last sample
  });

  it('covers the 30 days through today by default, and at most 731 days', async () => {
    const { items, total } = await usage(admin, sampled.id);
    expect(total).toBe(30);
    expect([items[0]!.day, items.at(-1)!.day]).toEqual([day(-29), day(0)]);
    expect((await usage(admin, sampled.id, `?to=${day(-100)}`)).items[0]!.day).toBe(day(-129));
    expect((await usage(admin, sampled.id, `?from=${day(-730)}&to=${day(0)}`)).total).toBe(731);
  });

  it('refuses a bad range with 400 naming the field', async () => {
    const cases: [string, string][] = [
      [`?from=${day(0)}&to=${day(-1)}`, 'from'],
      [`?from=${day(-731)}&to=${day(0)}`, 'to'],
      ['?from=2026-02-30', 'from'],
      ['?to=2026-13-01', 'to'],
      ['?from=yesterday', 'from'],
      ['?since=2026-01-01', 'since'],
    ];
    for (const [query, field] of cases) {
      const error = expectError(await admin.get(`/customers/${sampled.id}/usage${query}`), 400, 'BAD_REQUEST');
      expect(error.details?.['field'], query).toBe(field);
    }
  });

  it("shows a reseller its own customers' usage only", async () => {
    expect(await usage(reseller, sampled.id)).toEqual(await usage(admin, sampled.id));
    expectError(await reseller.get(`/customers/${other.id}/usage`), 404, 'NOT_FOUND');
    expectError(await admin.get('/customers/cus_missing/usage'), 404, 'NOT_FOUND');
  });
});
