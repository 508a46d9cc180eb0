import type { InvoiceConfig, InvoiceConfigInput, InvoiceCycle, InvoicePlan } from '../../src-shared/api/invoicing.js';
import { taxHundredths } from '../lib/money.js';
import { FormState } from './form.svelte.js';

export const CONFIG_FIELDS = ['enabled', 'planId', 'taxPercent', 'cycle', 'billingDay', 'billTo', 'notes'] as const;
export type ConfigField = (typeof CONFIG_FIELDS)[number];

/** ISO weekdays 1–7, Monday first (API.md: weeks are ISO weeks). */
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
/** The last billing day of a month (API.md: 1–28, so every month has it). */
export const LAST_MONTH_DAY = 28;

export const CYCLES: readonly { cycle: InvoiceCycle; label: string }[] = [
  { cycle: 'weekly', label: 'Weekly' },
  { cycle: 'monthly', label: 'Monthly' },
  { cycle: 'quarterly', label: 'Quarterly' },
];

/** The days a cycle may bill on, as the billing-day picker offers them. */
export function billingDays(cycle: InvoiceCycle): { day: number; label: string }[] {
  if (cycle === 'weekly') return WEEKDAY_NAMES.map((label, i) => ({ day: i + 1, label }));
  const suffix = cycle === 'quarterly' ? ' of January, April, July, October' : ' of each month';
  return Array.from({ length: LAST_MONTH_DAY }, (_, i) => ({ day: i + 1, label: `${ordinal(i + 1)}${suffix}` }));
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Free text printed on an invoice: line breaks and tabs are fine, other control characters are not (the schema's PrintedText). */
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function printedError(text: string, max: number): string | null {
  if (text.length > max) return `Use at most ${max.toLocaleString()} characters (now ${text.length.toLocaleString()}).`;
  return UNPRINTABLE.test(text) ? 'Remove the control characters (only line breaks and tabs can be printed).' : null;
}

/**
 * The editable invoice configuration of one customer, checked as the server checks it, and what the
 * live example needs: the plan it would be invoiced on (its own or the server's default) and the tax.
 */
export class ConfigDraft {
  enabled = $state(false);
  /** '' : the server's default plan. */
  planId = $state('');
  taxPercent = $state('0');
  cycle = $state<InvoiceCycle>('monthly');
  billingDay = $state(1);
  billTo = $state('');
  notes = $state('');
  /** The plans the server has, to pick from and to find the default among. */
  plans = $state.raw<InvoicePlan[]>([]);
  readonly form: FormState<ConfigField>;

  constructor() {
    this.form = new FormState(CONFIG_FIELDS, {
      values: () => ({
        enabled: String(this.enabled),
        planId: this.planId,
        taxPercent: this.taxPercent,
        cycle: this.cycle,
        billingDay: `${this.cycle} ${this.billingDay}`,
        billTo: this.billTo,
        notes: this.notes,
      }),
      checks: () => ({
        planId: this.enabled && !this.plan ? this.#noPlan() : null,
        taxPercent: this.tax === null ? 'Enter a percent from 0 to 100 with at most 2 decimals, such as 19 or 7.25.' : null,
        billTo: printedError(this.billTo, 2000),
        notes: printedError(this.notes, 4000),
      }),
    });
  }

  /** The typed tax in hundredths of a percent, or null while it is not a valid percent. */
  tax = $derived(taxHundredths(this.taxPercent));
  defaultPlan = $derived(this.plans.find((p) => p.isDefault) ?? null);
  /** The plan invoices would use now: the chosen one, or the server's default. */
  plan = $derived(this.planId === '' ? this.defaultPlan : (this.plans.find((p) => p.id === this.planId) ?? null));

  #noPlan(): string {
    if (this.plans.length === 0) return 'This server has no invoice plans yet: an administrator creates one under Invoice Plans on the server node.';
    return this.planId === '' ? 'No plan is the server default: pick a plan, or make one the default under Invoice Plans.' : 'This plan no longer exists: pick another.';
  }

  /** A new cycle keeps the billing day where it exists in that cycle, else the first. */
  chooseCycle(cycle: InvoiceCycle): void {
    this.cycle = cycle;
    if (!billingDays(cycle).some((d) => d.day === this.billingDay)) this.billingDay = 1;
    this.form.touch('cycle');
  }

  /** Takes what the server holds (after loading or saving): a fresh form. */
  fill(config: InvoiceConfig): void {
    this.enabled = config.enabled;
    this.planId = config.planId ?? '';
    this.taxPercent = String(config.taxPercent);
    this.cycle = config.cycle;
    this.billingDay = config.billingDay;
    this.billTo = config.billTo;
    this.notes = config.notes;
    this.form.reset();
  }

  /** The body of PUT /customers/:id/invoice-config (call once the form is valid: the tax is then a percent). */
  input(): InvoiceConfigInput {
    return {
      enabled: this.enabled,
      planId: this.planId === '' ? null : this.planId,
      taxPercent: (this.tax ?? 0) / 100,
      cycle: this.cycle,
      billingDay: this.billingDay,
      billTo: this.billTo,
      notes: this.notes,
    };
  }
}
