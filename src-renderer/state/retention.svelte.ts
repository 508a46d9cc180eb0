import { MAX_KEEP, RETENTION_RULES, type RetentionPolicy, type RetentionPreview } from '../../src-shared/api/retention.js';
import type { Bridge } from '../../src-shared/bridge.js';
import { formatBytes, formatCount, plural } from '../lib/format.js';
import { FormState } from './form.svelte.js';
import { SettledRequest } from './settled-request.svelte.js';

export type RetentionRule = (typeof RETENTION_RULES)[number];

/** Each rule as the form labels it and as a policy's summary names it ("30 daily"). */
export const RULES: readonly { rule: RetentionRule; label: string; unit: string; hint: string }[] = [
  { rule: 'keepLast', label: 'Keep last', unit: 'latest', hint: 'The newest backups.' },
  { rule: 'keepDaily', label: 'Daily', unit: 'daily', hint: 'The newest of each day.' },
  { rule: 'keepWeekly', label: 'Weekly', unit: 'weekly', hint: 'The newest of each ISO week.' },
  { rule: 'keepMonthly', label: 'Monthly', unit: 'monthly', hint: 'The newest of each month.' },
  { rule: 'keepYearly', label: 'Yearly', unit: 'yearly', hint: 'The newest of each year.' },
]

/** All rules null or 0: nothing is pruned (API.md). */
export function keepsEverything(policy: RetentionPolicy): boolean {
  return RETENTION_RULES.every((r) => !policy[r]);
}

/** "30 daily, 12 monthly" or "everything"; the newest successful backup is always kept as well. */
export function describePolicy(policy: RetentionPolicy): string {
  if (keepsEverything(policy)) return 'keeps every backup';
  return `keeps ${RULES.filter(({ rule }) => policy[rule])
    .map(({ rule, unit }) => `${formatCount(policy[rule] ?? 0)} ${unit}`)
    .join(', ')}`;
}

/** "Keeps 14 of 90 backups, frees about 3.2 GiB." */
export function describePreview(p: RetentionPreview): string {
  const all = p.kept + p.removed;
  if (p.removed === 0) return `Keeps all ${plural(all, 'backup', 'backups')}; nothing is pruned.`;
  return `Keeps ${formatCount(p.kept)} of ${plural(all, 'backup', 'backups')}, frees about ${formatBytes(p.bytesFreed)}.`;
}

/** A rule as typed: empty keeps nothing by that rule; else a whole number up to MAX_KEEP. */
function ruleError(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t)) return 'Enter a whole number (or leave it empty).';
  return Number(t) > MAX_KEEP ? `Enter at most ${formatCount(MAX_KEEP)}.` : null;
}

/**
 * A retention policy as typed, one text per rule. Its fields are named as the server names them in
 * `details.field` (`keepDaily` for the default, `policy.keepDaily` for a schedule), so a refusal lands on its input.
 */
export class PolicyDraft<P extends string = ''> {
  texts = $state<Record<RetentionRule, string>>({ keepLast: '', keepDaily: '', keepWeekly: '', keepMonthly: '', keepYearly: '' });
  readonly form: FormState<`${P}${RetentionRule}`>;
  readonly #prefix: P;

  /** `active`: false while the rules do not apply (a schedule that inherits), so nothing is checked then. */
  constructor(prefix: P, active: () => boolean = () => true) {
    this.#prefix = prefix;
    const byField = <T>(value: (rule: RetentionRule) => T) => Object.fromEntries(RETENTION_RULES.map((r) => [this.field(r), value(r)])) as Record<`${P}${RetentionRule}`, T>;
    this.form = new FormState(
      RETENTION_RULES.map((r) => this.field(r)),
      { values: () => byField((r) => this.texts[r]), checks: () => byField((r) => (active() ? ruleError(this.texts[r]) : null)) },
    );
  }

  field(rule: RetentionRule): `${P}${RetentionRule}` {
    return `${this.#prefix}${rule}`;
  }

  /** The typed policy, or null while a rule is not a valid number. */
  policy = $derived.by((): RetentionPolicy | null => {
    if (RETENTION_RULES.some((r) => ruleError(this.texts[r]))) return null;
    const value = (r: RetentionRule) => (this.texts[r].trim() === '' ? null : Number(this.texts[r]));
    return { keepLast: value('keepLast'), keepDaily: value('keepDaily'), keepWeekly: value('keepWeekly'), keepMonthly: value('keepMonthly'), keepYearly: value('keepYearly') };
  });

  /** Takes what the server holds (after loading or saving): a fresh form. */
  fill(policy: RetentionPolicy): void {
    this.texts = Object.fromEntries(RETENTION_RULES.map((r) => [r, policy[r] === null ? '' : String(policy[r])])) as Record<RetentionRule, string>;
    this.form.reset();
  }
}

/** How long typing must pause before a preview is asked for: one request per pause, not per key. */
export const PREVIEW_DELAY_MS = 300;

/**
 * What pruning schedule `id` with the policy `request` reads now would do (the server's preview, which
 * writes nothing), asked once the input rests; only the newest answer is shown. Made while a component
 * is set up (it runs an effect).
 */
export class RetentionPreviewer extends SettledRequest<PreviewRequest, RetentionPreview> {
  constructor(bridge: Bridge, request: () => PreviewRequest | null, delayMs = PREVIEW_DELAY_MS) {
    super(request, (r) => bridge.invoke('retention.preview', r), 'Asking the server for a preview', delayMs);
  }

  get preview(): RetentionPreview | null {
    return this.answer;
  }
}

/** What a preview is asked for: pruning schedule `id` with `policy`. */
interface PreviewRequest {
  serverId: string;
  id: string;
  policy: RetentionPolicy;
}
