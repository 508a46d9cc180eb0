import type { Quote } from '../../src-shared/api/invoicing.js';
import type { Bridge } from '../../src-shared/bridge.js';
import { SettledRequest } from './settled-request.svelte.js';

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
export class QuoteExample extends SettledRequest<QuoteRequest, Quote> {
  constructor(bridge: Bridge, request: () => QuoteRequest | null, delayMs = QUOTE_DELAY_MS) {
    super(request, (q) => bridge.invoke('invoicing.quote', q), 'Asking the server for the example', delayMs);
  }

  get quote(): Quote | null {
    return this.answer;
  }
}
