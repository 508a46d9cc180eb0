import type { Invoice, UsageDay } from '../../src-shared/api/invoicing.js';
import type { Bridge } from '../../src-shared/bridge.js';
import { errorMessage } from '../lib/errors.js';

export type InvoiceAction = 'paid' | 'credit-note' | 'pdf';

/**
 * One invoice or credit note as its view shows it: read live (its status is what the technician acts on),
 * the customer's used space over its period beside it, and the actions the contract allows on it.
 */
export class InvoiceView {
  invoice = $state.raw<Invoice | null>(null);
  error = $state<string | null>(null);
  usage = $state.raw<UsageDay[] | null>(null);
  usageError = $state<string | null>(null);
  /** Non-null when the usage came from the offline cache. */
  usageAsOf = $state<string | null>(null);
  /** A credit note's original invoice's number, once read. */
  creditForNumber = $state<string | null>(null);
  /** The action under way, or null. */
  busy = $state<InvoiceAction | null>(null);
  readonly #bridge: Bridge;
  readonly #serverId: string;
  readonly #id: string;

  constructor(bridge: Bridge, serverId: string, id: string) {
    this.#bridge = bridge;
    this.#serverId = serverId;
    this.#id = id;
  }

  /** Mark paid: only an issued invoice (API.md: from `issued` only). */
  get payable(): boolean {
    return this.invoice?.status === 'issued';
  }

  /** A credit note voids an issued or paid invoice, never a credit note or a void invoice. */
  get creditable(): boolean {
    const i = this.invoice;
    return i !== null && i.kind === 'invoice' && i.status !== 'void';
  }

  async load(): Promise<void> {
    this.error = null;
    try {
      this.invoice = await this.#bridge.invoke('invoicing.invoice', { serverId: this.#serverId, id: this.#id });
    } catch (err) {
      this.error = errorMessage(err, 'Loading the invoice');
      return;
    }
    const creditFor = this.invoice.creditFor;
    await Promise.all([
      this.#loadUsage(this.invoice),
      creditFor &&
        this.#bridge
          .invoke('invoicing.invoice', { serverId: this.#serverId, id: creditFor })
          .then((original) => (this.creditForNumber = original.number))
          // The link still opens it (and says why, if it cannot).
          .catch(() => undefined),
    ]);
  }

  async #loadUsage(i: Invoice): Promise<void> {
    this.usageError = null;
    try {
      const r = await this.#bridge.invoke('invoicing.usage', { serverId: this.#serverId, customerId: i.customerId, from: i.periodStart, to: i.periodEnd });
      this.usage = r.data.items;
      this.usageAsOf = r.asOf;
    } catch (err) {
      // Invoices outlive their customer (API.md), whose usage then is gone with it.
      this.usageError = errorMessage(err, `Loading the used space of ${i.customerName}`);
    }
  }

  /** Runs one action at a time; throws what refused it. */
  async #run<T>(action: InvoiceAction, work: () => Promise<T>): Promise<T> {
    this.busy = action;
    try {
      return await work();
    } finally {
      this.busy = null;
    }
  }

  async markPaid(): Promise<Invoice> {
    const paid = await this.#run('paid', () => this.#bridge.invoke('invoicing.markPaid', { serverId: this.#serverId, id: this.#id }));
    this.invoice = paid;
    return paid;
  }

  /** Issues the credit note: the original (this invoice) becomes void. Resolves with the credit note. */
  async creditNote(): Promise<Invoice> {
    const note = await this.#run('credit-note', () => this.#bridge.invoke('invoicing.creditNote', { serverId: this.#serverId, id: this.#id }));
    if (this.invoice) this.invoice = { ...this.invoice, status: 'void' };
    return note;
  }

  /** The invoice's PDF as the server renders it, with the file name it suggests. */
  async pdf(): Promise<{ filename: string; blob: Blob }> {
    const { filename, base64 } = await this.#run('pdf', () => this.#bridge.invoke('invoicing.pdf', { serverId: this.#serverId, id: this.#id }));
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    return { filename, blob: new Blob([bytes], { type: 'application/pdf' }) };
  }
}
