import type { Bridge, ProbeResult } from '../../src-shared/bridge.js';
import { errorMessage } from '../lib/errors.js';
import type { FormState } from './form.svelte.js';

export interface CertificateProbeOptions {
  /** The address as it is typed now. */
  url: () => string;
  /** The form the address is the `url` field of: a check touches it and pins why the address could not be read. */
  form: Pick<FormState<'url'>, 'touch' | 'pin' | 'unpin'>;
  /** What is wrong with the address before anything is asked, or null. */
  urlError: (url: string) => string | null;
  /** What contacting it is called in an error sentence: "Contacting the server". */
  action: string;
}

/**
 * The certificate a server's address presents (`servers.probe`), read so that the user compares its
 * SHA-256 fingerprint before trusting it: Add Server, and adding a replication server. An answer holds
 * for the address it was read for; once another address is typed it has to be checked again.
 */
export class CertificateProbe {
  /** What the address answered, or null before a check. */
  result = $state.raw<ProbeResult | null>(null);
  /** The address `result` answers for. */
  url = $state('');
  /** The user has compared the fingerprint and trusts it. */
  trusted = $state(false);
  probing = $state(false);
  readonly #bridge: Bridge;
  readonly #options: CertificateProbeOptions;

  constructor(bridge: Bridge, options: CertificateProbeOptions) {
    this.#bridge = bridge;
    this.#options = options;
  }

  /** The answer is for the address as it is typed now. */
  get current(): boolean {
    return this.result !== null && this.url === this.#options.url().trim();
  }

  /** The address presents a certificate, to be trusted before it is used. */
  get needsTrust(): boolean {
    return this.current && this.result?.fingerprint != null;
  }

  /** Checked, and either trusted or plain HTTP (no certificate to trust). */
  get confirmed(): boolean {
    return this.current && (this.result?.fingerprint == null || this.trusted);
  }

  /** Reads the certificate the address presents, for the user to compare. */
  async check(): Promise<void> {
    const { form, url, urlError, action } = this.#options;
    form.touch('url');
    if (urlError(url())) return;
    this.probing = true;
    form.unpin('url');
    this.result = null;
    this.trusted = false;
    try {
      const target = url().trim();
      this.result = await this.#bridge.invoke('servers.probe', { url: target });
      this.url = target;
    } catch (err) {
      form.pin('url', errorMessage(err, action));
    } finally {
      this.probing = false;
    }
  }

  /** Forgets the answer (what it was for has been added). */
  clear(): void {
    this.result = null;
    this.url = '';
    this.trusted = false;
  }
}
