import { tick } from 'svelte';
import type { Attachment } from 'svelte/attachments';
import { errorField, errorMessage, fieldMessage } from '../lib/errors.js';

export interface FormOptions<F extends string> {
  /** Each field's value as text: the server's complaint about a field holds while it keeps that value. */
  values: () => Record<F, string>;
  /** What is wrong with each field before anything is sent (null: nothing); shown once it is touched. */
  checks?: () => Partial<Record<F, string | null>>;
}

interface Pinned {
  message: string;
  value: string;
}

/**
 * One form's state: the fields the user has touched (its inputs say which by their `name`), what each
 * field shows (the server's complaint about its current value, else its own check once touched), an
 * error for the whole form, whether it is saving, and focus on the first invalid field.
 */
export class FormState<F extends string> {
  touched = $state<Partial<Record<F, boolean>>>({});
  formError = $state<string | null>(null);
  saving = $state(false);
  #pinned = $state.raw<Partial<Record<F, Pinned>>>({});
  #element: HTMLFormElement | null = null;
  readonly #fields: readonly F[];
  readonly #values: () => Record<F, string>;
  readonly #checks: () => Partial<Record<F, string | null>>;

  constructor(fields: readonly F[], options: FormOptions<F>) {
    this.#fields = fields;
    this.#values = options.values;
    this.#checks = options.checks ?? (() => ({}));
  }

  #problems = $derived.by(() => this.#checks());

  /** Every field passes its own check (the server may still refuse). */
  valid = $derived.by(() => this.#fields.every((f) => !this.#problems[f]));

  /** The error each field shows now, or null. */
  errors = $derived.by(() => {
    const values = this.#values();
    const shown = {} as Record<F, string | null>;
    for (const f of this.#fields) {
      const pinned = this.#pinned[f];
      shown[f] = pinned && pinned.value === values[f] ? pinned.message : this.touched[f] ? (this.#problems[f] ?? null) : null;
    }
    return shown;
  });

  touch(field: F): void {
    this.touched[field] = true;
  }

  touchAll(): void {
    this.touched = Object.fromEntries(this.#fields.map((f) => [f, true])) as Partial<Record<F, boolean>>;
  }

  /** Back to a fresh form (nothing touched, no complaints). */
  reset(): void {
    this.touched = {};
    this.#pinned = {};
    this.formError = null;
  }

  /** Shows `message` under a field for as long as the field keeps the value it has now. */
  pin(field: F, message: string): void {
    this.#pinned = { ...this.#pinned, [field]: { message, value: this.#values()[field] } };
  }

  unpin(field: F): void {
    if (this.#pinned[field]) this.#pinned = { ...this.#pinned, [field]: undefined };
  }

  /** A refused save: under the field the server names (`details.field`), focused; else for the whole form. */
  fail(err: unknown, action: string): void {
    const field = errorField(err, this.#fields);
    if (field) {
      this.pin(field, fieldMessage(err, field));
      void this.focusFirstInvalid();
    } else {
      this.formError = errorMessage(err, action);
    }
  }

  /**
   * Saves: every field counts as touched, an invalid one gets focus instead of a request, and a refusal
   * is shown where it belongs (see fail).
   */
  async save(action: string, run: () => Promise<void>): Promise<void> {
    this.touchAll();
    this.formError = null;
    if (!this.valid) {
      void this.focusFirstInvalid();
      return;
    }
    this.saving = true;
    try {
      await run();
    } catch (err) {
      this.fail(err, action);
    } finally {
      this.saving = false;
    }
  }

  /** Moves focus to the first field marked invalid, once Svelte has drawn the marks. */
  async focusFirstInvalid(): Promise<void> {
    await tick();
    this.#element?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  /** `{@attach form.attach}` on the <form>: typing in an input marks its field (its `name`) touched. */
  readonly attach: Attachment<HTMLFormElement> = (element) => {
    this.#element = element;
    const oninput = (event: Event) => {
      const name = (event.target as HTMLInputElement).name;
      if ((this.#fields as readonly string[]).includes(name)) this.touch(name as F);
    };
    element.addEventListener('input', oninput);
    return () => {
      element.removeEventListener('input', oninput);
      this.#element = null;
    };
  };
}
