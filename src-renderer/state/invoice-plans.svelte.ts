import { MAX_SLABS, type InvoicePlan, type InvoicePlanInput, type StorageMethod } from '../../src-shared/api/invoicing.js';
import { isCurrency, minorDigits, parseMoney } from '../../src-shared/money.js';
import { formatAmount } from '../lib/money.js';
import { nameError } from '../lib/validate.js';
import { FormState } from './form.svelte.js';

/** The currencies the form offers first; any other ISO 4217 code may be typed. */
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK'] as const;

/** Each way of pricing storage, in one line (API.md, Invoicing). */
export const METHODS: readonly { method: StorageMethod; label: string; explanation: string }[] = [
  { method: 'uniform', label: 'Uniform', explanation: 'Every GB is billed at the rate of the slab the whole volume falls in.' },
  { method: 'per-slab', label: 'Per slab', explanation: 'A fixed amount per month for the slab the volume falls in, whatever the GBs within it.' },
  { method: 'sliding', label: 'Sliding', explanation: "Each slab's GBs at that slab's rate, like income tax brackets: 12 GB over 5/9/∞ at 3/2/1 = 5×3 + 4×2 + 3×1." },
];

/** A slab field as the server names it in `details.field`. */
type SlabField = `storage.slabs[${number}].upToGb` | `storage.slabs[${number}].price`;
export type PlanField = 'name' | 'currency' | 'pricePerMcal' | 'storage.method' | 'storage.slabs' | 'isDefault' | SlabField;

export const upToField = (i: number): SlabField => `storage.slabs[${i}].upToGb`;
export const priceField = (i: number): SlabField => `storage.slabs[${i}].price`;

const PLAN_FIELDS: readonly PlanField[] = [
  'name',
  'currency',
  'pricePerMcal',
  'storage.method',
  'storage.slabs',
  'isDefault',
  ...Array.from({ length: MAX_SLABS }, (_, i) => [upToField(i), priceField(i)]).flat(),
];

/** One slab row as typed: the last row's bound is unused ("and above"). */
export interface SlabRow {
  key: number;
  upToGb: string;
  price: string;
}

/** The most whole GB a bound may be (the schema's SlabBound). */
const MAX_BOUND = 1_000_000_000;

/** What is wrong with a typed price in `currency` (the request's Price: up to 9 whole digits), or null. */
export function priceError(text: string, currency: string): string | null {
  const t = text.trim();
  if (t === '') return 'Enter a price (0 for free).';
  if (!/^\d{1,9}(\.\d+)?$/.test(t)) return 'Enter an amount such as 12.50: digits and a decimal point, no currency sign or minus.';
  if (isCurrency(currency) && parseMoney(t, currency) === null) {
    const digits = minorDigits(currency);
    return digits === 0 ? `${currency} has no decimals: enter a whole amount.` : `${currency} has ${digits} decimals: enter at most ${digits}.`;
  }
  return null;
}

/** The plan's slabs in words: "≤ 100 GB: €0.10 · above: €0.05". */
export function slabSummary(plan: InvoicePlan): string {
  const { slabs } = plan.storage;
  return slabs
    .map((s, i) => {
      const price = formatAmount(s.price, plan.currency);
      if (s.upToGb !== null) return `≤ ${s.upToGb.toLocaleString()} GB: ${price}`;
      return slabs.length === 1 ? `any volume: ${price}` : `above ${slabs[i - 1]?.upToGb?.toLocaleString() ?? 0} GB: ${price}`;
    })
    .join(' · ');
}

/**
 * The editable state of one invoice plan (new, copied or edited): its fields as typed, checked as the
 * server checks them (API.md: slabs ascend strictly, the last is unbounded, prices with at most the
 * currency's minor digits), and the server's refusals pinned to the input `details.field` names.
 */
export class PlanDraft {
  name = $state('');
  currency = $state('EUR');
  pricePerMcal = $state('');
  method = $state<StorageMethod>('uniform');
  slabs = $state<SlabRow[]>([]);
  isDefault = $state(false);
  /** The plan being edited (null: a new plan, or a copy). */
  editing = $state.raw<InvoicePlan | null>(null);
  readonly form: FormState<PlanField>;
  #nextKey = 0;

  constructor() {
    this.form = new FormState(PLAN_FIELDS, { values: () => this.#values(), checks: () => this.#checks() });
    this.fill(null);
  }

  /** Invoices were issued on the edited plan: only its name and default flag can change. */
  get pricesLocked(): boolean {
    return this.editing?.hasInvoices ?? false;
  }

  /** Starts from `plan` (to edit, or as a copy named "Copy of …"), or from an empty plan. */
  fill(plan: InvoicePlan | null, copy = false): void {
    this.editing = copy ? null : plan;
    this.name = plan ? (copy ? `Copy of ${plan.name}` : plan.name) : '';
    this.currency = plan?.currency ?? 'EUR';
    this.pricePerMcal = plan?.pricePerMcal ?? '';
    this.method = plan?.storage.method ?? 'uniform';
    this.slabs = (plan?.storage.slabs ?? [{ upToGb: null, price: '' }]).map((s) => this.#row(s.upToGb === null ? '' : String(s.upToGb), s.price));
    // A copy is a new plan: the default stays where it is unless the user moves it.
    this.isDefault = !copy && (plan?.isDefault ?? false);
    this.form.reset();
  }

  #row(upToGb: string, price: string): SlabRow {
    return { key: this.#nextKey++, upToGb, price };
  }

  /** Adds a bounded slab before the unbounded last one. */
  addSlab(): void {
    if (this.slabs.length >= MAX_SLABS) return;
    const bounds = this.slabs.slice(0, -1).map((s) => Number(s.upToGb));
    const last = bounds.at(-1);
    const next = last !== undefined && Number.isSafeInteger(last) ? String(last * 2) : '';
    this.slabs = [...this.slabs.slice(0, -1), this.#row(next, ''), ...this.slabs.slice(-1)];
    this.form.touch('storage.slabs');
  }

  removeSlab(index: number): void {
    if (this.slabs.length <= 1) return;
    this.slabs = this.slabs.filter((_, i) => i !== index);
    this.form.touch('storage.slabs');
  }

  #values(): Record<PlanField, string> {
    const values: Record<string, string> = {
      name: this.name,
      currency: this.currency,
      pricePerMcal: `${this.pricePerMcal} ${this.currency}`,
      'storage.method': this.method,
      'storage.slabs': String(this.slabs.length),
      isDefault: String(this.isDefault),
    };
    // A slab's complaint holds while its row keeps both values and its place.
    this.slabs.forEach((s, i) => {
      values[upToField(i)] = `${s.key} ${s.upToGb}`;
      values[priceField(i)] = `${s.key} ${s.price} ${this.currency}`;
    });
    return values as Record<PlanField, string>;
  }

  #checks(): Partial<Record<PlanField, string | null>> {
    const currency = this.currency.trim().toUpperCase();
    const checks: Partial<Record<PlanField, string | null>> = {
      name: nameError(this.name, 'a name for the plan'),
      currency: isCurrency(currency) ? null : 'Enter a three-letter ISO 4217 currency code, such as EUR, USD or GBP.',
      pricePerMcal: priceError(this.pricePerMcal, currency),
      'storage.slabs': this.slabs.length > MAX_SLABS ? `Use at most ${MAX_SLABS} slabs.` : null,
    };
    let previous = 0;
    this.slabs.forEach((s, i) => {
      checks[priceField(i)] = priceError(s.price, currency);
      if (i === this.slabs.length - 1) return;
      const bound = s.upToGb.trim();
      const gb = /^\d+$/.test(bound) ? Number(bound) : Number.NaN;
      checks[upToField(i)] =
        !Number.isSafeInteger(gb) || gb < 1 || gb > MAX_BOUND
          ? `Enter a whole number of GB from 1 to ${MAX_BOUND.toLocaleString()}.`
          : gb <= previous
            ? `Slabs ascend: enter more than the ${previous.toLocaleString()} GB of the slab before.`
            : null;
      if (Number.isSafeInteger(gb)) previous = gb;
    });
    return checks;
  }

  /** The body of POST /invoice-plans or PUT /invoice-plans/:id. */
  input(): InvoicePlanInput {
    return {
      name: this.name.trim(),
      currency: this.currency.trim().toUpperCase(),
      pricePerMcal: this.pricePerMcal.trim(),
      isDefault: this.isDefault,
      storage: {
        method: this.method,
        slabs: this.slabs.map((s, i) => ({ upToGb: i === this.slabs.length - 1 ? null : Number(s.upToGb.trim()), price: s.price.trim() })),
      },
    };
  }
}
