import type { List } from '../../src-shared/api/common.js';
import type { InvoicePlan, InvoicePlanInput, Quote, QuoteInput, StorageMethod } from '../../src-shared/api/invoicing.js';
import { formatMoney, isCurrency, minorDigits, parseMoney } from '../../src-shared/money.js';
import type { Principal } from '../auth.js';
import { badRequest, conflict, fieldConflict, nameTaken, notFound } from '../errors.js';
import { assertAdmin } from '../resellers.js';
import { nameKey, newId, nowIso } from '../store.js';
import type { InvoicingDeps } from './index.js';
import { quoteLines, totals, wireLine, type PricedPlan, type PricedSlab } from './pricing.js';

/** An `invoice_plans` row (migration 7): prices in minor units, `slabs` JSON of `PricedSlab`s with numbers. */
export interface PlanRow {
  id: string;
  name: string;
  name_key: string;
  currency: string;
  price_per_mcal: number;
  storage_method: string;
  slabs: string;
  is_default: number;
  created_at: string;
}

/** The row plus whether invoices were issued on it, as the list and `get` read it. */
type ListedPlanRow = PlanRow & { has_invoices: number };

const SELECT_PLANS = 'SELECT p.*, EXISTS (SELECT 1 FROM invoices i WHERE i.plan_id = p.id) AS has_invoices FROM invoice_plans p';

const storedSlabs = (row: PlanRow) => JSON.parse(row.slabs) as { upToGb: number | null; price: number }[];

const toPlan = (row: ListedPlanRow): InvoicePlan => ({
  id: row.id,
  name: row.name,
  currency: row.currency,
  pricePerMcal: formatMoney(BigInt(row.price_per_mcal), row.currency),
  isDefault: row.is_default === 1,
  storage: {
    method: row.storage_method as StorageMethod,
    slabs: storedSlabs(row).map((s) => ({ upToGb: s.upToGb, price: formatMoney(BigInt(s.price), row.currency) })),
  },
  hasInvoices: row.has_invoices === 1,
});

/** A plan input checked against its currency, its prices in minor units. */
type ValidPlan = PricedPlan & { name: string };

/** Prices of a validated input fit a 9-digit whole part, so they are safe as SQLite integers and JSON numbers. */
const storedPrice = (minor: bigint) => Number(minor);

/**
 * Invoice plans (API.md): admins manage them, admins and resellers read and quote them. A plan invoices
 * were issued on keeps its prices (only `name` and `isDefault` change): the invoice shows them, and a copy
 * of the plan is how prices change.
 */
export class InvoicePlans {
  constructor(private readonly deps: InvoicingDeps) {}

  /** Every session reads plans (resellers pick them for their customers): few, by name. */
  list(): List<InvoicePlan> {
    const items = this.deps.store.all<ListedPlanRow>(`${SELECT_PLANS} ORDER BY p.name_key, p.id`).map(toPlan);
    return { items, total: items.length };
  }

  get(id: string): InvoicePlan {
    return toPlan(this.listedRow(id));
  }

  create(principal: Principal, input: InvoicePlanInput): InvoicePlan {
    assertAdmin(principal);
    const plan = validate(input);
    return this.deps.store.write(() => {
      this.assertNameFree(plan.name, null);
      const id = newId('pln');
      if (input.isDefault) this.clearDefault();
      this.deps.store.run(
        `INSERT INTO invoice_plans (id, name, name_key, currency, price_per_mcal, storage_method, slabs, is_default, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        plan.name,
        nameKey(plan.name),
        plan.currency,
        storedPrice(plan.pricePerMcal),
        plan.method,
        slabsJson(plan),
        input.isDefault ? 1 : 0,
        nowIso(),
      );
      const after = this.get(id);
      this.deps.audit.record(principal, { action: 'invoice-plan.create', objectType: 'invoice-plan', objectId: id, objectName: after.name, resellerId: null, after });
      return after;
    });
  }

  /** PUT: the whole plan; `isDefault` omitted keeps the plan's current flag. */
  update(principal: Principal, id: string, input: InvoicePlanInput): InvoicePlan {
    assertAdmin(principal);
    const plan = validate(input);
    return this.deps.store.write(() => {
      const row = this.listedRow(id);
      const before = toPlan(row);
      if (row.has_invoices === 1) assertPricesKept(row, plan);
      if (nameKey(plan.name) !== row.name_key) this.assertNameFree(plan.name, id);
      const isDefault = input.isDefault ?? row.is_default === 1;
      if (!isDefault && row.is_default === 1) this.assertDefaultUnneeded(row, 'isDefault');
      if (isDefault) this.clearDefault();
      this.deps.store.run(
        `UPDATE invoice_plans SET name = ?, name_key = ?, currency = ?, price_per_mcal = ?, storage_method = ?, slabs = ?, is_default = ? WHERE id = ?`,
        plan.name,
        nameKey(plan.name),
        plan.currency,
        storedPrice(plan.pricePerMcal),
        plan.method,
        slabsJson(plan),
        isDefault ? 1 : 0,
        id,
      );
      const after = this.get(id);
      this.deps.audit.record(principal, { action: 'invoice-plan.update', objectType: 'invoice-plan', objectId: id, objectName: after.name, resellerId: null, before, after });
      return after;
    });
  }

  remove(principal: Principal, id: string): void {
    assertAdmin(principal);
    this.deps.store.write(() => {
      const row = this.listedRow(id);
      if (row.has_invoices === 1) {
        throw conflict(`Invoice plan "${row.name}" has issued invoices, which show its prices: it cannot be deleted. Rename it, or copy it to change prices.`);
      }
      const users = this.deps.store.get<{ n: number }>('SELECT count(*) AS n FROM invoice_configs WHERE plan_id = ?', id)!.n;
      if (users > 0) {
        throw conflict(`Invoice plan "${row.name}" is the plan of ${users} customer${users === 1 ? '' : 's'}: give ${users === 1 ? 'it' : 'them'} another plan first, then delete it.`, { customers: users });
      }
      if (row.is_default === 1) this.assertDefaultUnneeded(row, null);
      this.deps.store.run('DELETE FROM invoice_plans WHERE id = ?', id);
      this.deps.audit.record(principal, { action: 'invoice-plan.delete', objectType: 'invoice-plan', objectId: id, objectName: row.name, resellerId: null, before: toPlan(row) });
    });
  }

  /** POST /invoice-plans/:id/quote: one full month at this usage, no tax. */
  quote(id: string, input: QuoteInput): Quote {
    const plan = priced(this.listedRow(id));
    const lines = quoteLines(plan, input.mcals, input.storageBytes);
    return {
      currency: plan.currency,
      lines: lines.map((l) => wireLine(l, plan.currency)),
      subtotal: formatMoney(totals(lines.map((l) => l.amount), 0).subtotal, plan.currency),
    };
  }

  /** The plan's prices as invoice arithmetic takes them (see `priced`). */
  priced(row: PlanRow): PricedPlan {
    return priced(row);
  }

  pricedById(id: string): PricedPlan | null {
    const row = this.deps.store.get<PlanRow>('SELECT * FROM invoice_plans WHERE id = ?', id);
    return row ? priced(row) : null;
  }

  /** The plan customers with `planId: null` are invoiced on, if one is marked default. */
  defaultPlan(): PlanRow | null {
    return this.deps.store.get<PlanRow>('SELECT * FROM invoice_plans WHERE is_default = 1') ?? null;
  }

  /** Whether a plan with this id exists (a configuration may name only those). */
  exists(id: string): boolean {
    return this.deps.store.get('SELECT 1 FROM invoice_plans WHERE id = ?', id) !== undefined;
  }

  private listedRow(id: string): ListedPlanRow {
    const row = this.deps.store.get<ListedPlanRow>(`${SELECT_PLANS} WHERE p.id = ?`, id);
    if (!row) throw notFound('Invoice plan');
    return row;
  }

  private assertNameFree(name: string, except: string | null): void {
    if (this.deps.store.get('SELECT 1 FROM invoice_plans WHERE name_key = ? AND id IS NOT ?', nameKey(name), except)) {
      throw nameTaken(`name: an invoice plan named "${name}" already exists; choose another name.`);
    }
  }

  /** At most one plan is the default (a unique index holds it): setting one clears the others first. */
  private clearDefault(): void {
    this.deps.store.run('UPDATE invoice_plans SET is_default = 0 WHERE is_default = 1');
  }

  /** Customers invoiced on "the default plan" must keep having one: the default goes only by moving it. */
  private assertDefaultUnneeded(row: PlanRow, field: string | null): void {
    const users = this.deps.store.get<{ n: number }>('SELECT count(*) AS n FROM invoice_configs WHERE enabled = 1 AND plan_id IS NULL')!.n;
    if (users === 0) return;
    const message = `Invoice plan "${row.name}" is the default plan ${users} customer${users === 1 ? '' : 's'} with invoicing enabled ${users === 1 ? 'is' : 'are'} invoiced on: make another plan the default first.`;
    throw field ? fieldConflict(field, message, { customers: users }) : conflict(message, { customers: users });
  }
}

/** A plan row's prices as bigint minor units. */
function priced(row: PlanRow): PricedPlan {
  return {
    currency: row.currency,
    pricePerMcal: BigInt(row.price_per_mcal),
    method: row.storage_method as StorageMethod,
    slabs: storedSlabs(row).map((s) => ({ upToGb: s.upToGb, price: BigInt(s.price) })),
  };
}

const slabsJson = (plan: ValidPlan) => JSON.stringify(plan.slabs.map((s) => ({ upToGb: s.upToGb, price: storedPrice(s.price) })));

/** The checks API.md sets beyond the schema, each a 400 naming its field; the prices in minor units. */
function validate(input: InvoicePlanInput): ValidPlan {
  const { currency } = input;
  if (!isCurrency(currency)) throw badRequest('currency', `currency: "${currency}" is not an ISO 4217 currency code this server knows.`);
  const price = (text: string, field: string): bigint => {
    const minor = parseMoney(text, currency);
    if (minor === null) {
      const digits = minorDigits(currency);
      throw badRequest(field, `${field}: "${text}" has more decimals than ${currency}'s ${digits}.`);
    }
    return minor;
  };
  const pricePerMcal = price(input.pricePerMcal, 'pricePerMcal');
  const { slabs } = input.storage;
  const priced: PricedSlab[] = slabs.map((slab, i) => {
    const field = `storage.slabs[${i}].upToGb`;
    const last = i === slabs.length - 1;
    const previous = i > 0 ? slabs[i - 1]!.upToGb : 0;
    if (last && slab.upToGb !== null) throw badRequest(field, `${field}: the last slab is unbounded: its upToGb must be null.`);
    if (!last && slab.upToGb === null) throw badRequest(field, `${field}: only the last slab is unbounded (null); give this one an upper bound.`);
    if (slab.upToGb !== null && previous !== null && slab.upToGb <= previous) {
      throw badRequest(field, `${field}: slabs ascend strictly: ${slab.upToGb} GB must be more than the ${previous} GB before it.`);
    }
    return { upToGb: slab.upToGb, price: price(slab.price, `storage.slabs[${i}].price`) };
  });
  return { name: input.name.trim(), currency, pricePerMcal, method: input.storage.method, slabs: priced };
}

/** On a plan with invoices only `name` and `isDefault` may change: 409 naming the first other field that would. */
function assertPricesKept(row: PlanRow, plan: ValidPlan): void {
  const was = priced(row);
  const slabField = (i: number) => {
    const a = was.slabs[i];
    const b = plan.slabs[i];
    if (!a || !b) return 'storage.slabs';
    if (a.upToGb !== b.upToGb) return `storage.slabs[${i}].upToGb`;
    return a.price !== b.price ? `storage.slabs[${i}].price` : null;
  };
  const changed =
    (was.currency !== plan.currency && 'currency') ||
    (was.pricePerMcal !== plan.pricePerMcal && 'pricePerMcal') ||
    (was.method !== plan.method && 'storage.method') ||
    Array.from({ length: Math.max(was.slabs.length, plan.slabs.length) }, (_, i) => slabField(i)).find((f) => f !== null);
  if (changed) {
    throw fieldConflict(changed, `${changed}: invoice plan "${row.name}" has issued invoices, which show its prices, so only its name and isDefault can change. Copy the plan to change prices, and give customers the copy.`);
  }
}
