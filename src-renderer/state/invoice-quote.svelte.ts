import type { Quote } from '../../src-shared/api/invoicing.js';
import type { Bridge } from '../../src-shared/bridge.js';
import { errorMessage } from '../lib/errors.js';

/** What a quote is asked for: plan `id` for one month at this usage. */
export interface QuoteRequest {
  serverId: string;
  id: string;
  mcals: number;
  storageBytes: number;
}

/** How long typing must pause before a quote is asked for: one request per pause, not per key. */
export const QUOTE_DELAY_MS = 300;

/**
 * A live example of what a plan costs: the server's quote (POST /invoice-plans/:id/quote, the same
 * arithmetic as invoices) for whatever `request` reads now, asked for once the input rests. Only the
 * newest answer is shown. Made while a component is set up (it runs an effect).
 */
export class QuoteExample {
  quote = $state.raw<Quote | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  #seq = 0;

  constructor(bridge: Bridge, request: () => QuoteRequest | null, delayMs = QUOTE_DELAY_MS) {
    $effect(() => {
      const wanted = request();
      const seq = ++this.#seq;
      if (!wanted) {
        this.quote = null;
        this.error = null;
        this.loading = false;
        return;
      }
      this.loading = true;
      const timer = setTimeout(() => {
        bridge
          .invoke('invoicing.quote', wanted)
          .then((quote) => {
            if (seq !== this.#seq) return;
            this.quote = quote;
            this.error = null;
          })
          .catch((err: unknown) => {
            if (seq !== this.#seq) return;
            this.quote = null;
            this.error = errorMessage(err, 'Asking the server for the example');
          })
          .finally(() => {
            if (seq === this.#seq) this.loading = false;
          });
      }, delayMs);
      return () => clearTimeout(timer);
    });
  }
}
