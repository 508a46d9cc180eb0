import type { Bridge } from '../../src-shared/bridge.js';
import { urlError } from '../lib/validate.js';
import { CertificateProbe } from './certificate-probe.svelte.js';
import { FormState } from './form.svelte.js';
import type { ReplicationDraft, ServerRow } from './replication.svelte.js';

const CANDIDATE_FIELDS = ['url', 'username', 'password'] as const;
const LOOPBACK = /^(localhost|\[::1\]|127(\.\d{1,3}){3})$/;

/** Where a replication server's address goes wrong, in a sentence (the API takes `https://host[:port]` only). */
export function replicaUrlError(value: string): string | null {
  const basic = urlError(value);
  if (basic) return basic.replace('the server address', "the replication server's address");
  const u = new URL(value.trim());
  if (u.pathname.replace(/\/+$/, '') !== '' || u.search || u.hash || u.username || u.password) {
    return `Enter the server's address only, without a path: ${u.protocol}//${u.host}`;
  }
  if (u.protocol === 'http:' && !LOOPBACK.test(u.hostname)) return 'Plain http:// is only for a replication server on this computer; use https:// so the data travels encrypted.';
  return null;
}

/**
 * "Add replication server", done like Add Server: the address is checked first and the certificate it
 * presents is shown, and the server is added only once the user has compared the fingerprint and trusts
 * it (a plain-http server on this computer has none). The fingerprint is read from this computer; the
 * backup server checks it again on every run and refuses a replica that presents another one.
 */
export class ServerCandidate {
  url = $state('https://');
  username = $state('admin');
  password = $state('');
  readonly form: FormState<(typeof CANDIDATE_FIELDS)[number]>;
  /** The certificate the address presents, as Add Server reads it. */
  readonly cert: CertificateProbe;
  readonly #draft: ReplicationDraft;

  constructor(bridge: Bridge, draft: ReplicationDraft) {
    this.#draft = draft;
    this.form = new FormState(CANDIDATE_FIELDS, {
      values: () => ({ url: this.url, username: this.username, password: this.password }),
      checks: () => ({
        url: replicaUrlError(this.url) ?? (this.#draft.has(this.url, this.username) ? 'This server is in the list already with this user name.' : null),
        username: this.username.trim() === '' ? 'Enter the user name of an administrator of the replication server.' : null,
        password: this.password === '' ? "Enter that administrator's password; the backup server keeps it encrypted and never shows it again." : null,
      }),
    });
    this.cert = new CertificateProbe(bridge, { url: () => this.url, form: this.form, urlError: replicaUrlError, action: 'Contacting the replication server' });
  }

  /** The user may add it: checked, and either trusted or plain http (nothing to trust). */
  get ready(): boolean {
    return this.form.valid && this.cert.confirmed;
  }
  /** The fingerprint of an entry with the same address already in the list, when it differs from what is presented now. */
  listed = $derived.by(() => {
    const origin = originOf(this.cert.url);
    const twin = this.#draft.servers.find((s) => originOf(s.url) === origin && s.fingerprint !== (this.cert.result?.fingerprint ?? null));
    return twin?.fingerprint ?? null;
  });

  /**
   * Adds the checked server to the draft; says what is missing otherwise (the address not checked yet,
   * the fingerprint not confirmed). Returns whether it was added.
   */
  async add(): Promise<boolean> {
    this.form.touchAll();
    this.form.formError = null;
    if (!this.cert.current) {
      await this.cert.check();
      return false;
    }
    if (!this.form.valid) {
      void this.form.focusFirstInvalid();
      return false;
    }
    if (!this.ready) {
      this.form.formError = 'Compare the certificate fingerprint, then tick "I have compared the fingerprint and trust this server".';
      return false;
    }
    const row: ServerRow = {
      url: this.url.trim().replace(/\/+$/, ''),
      username: this.username.trim(),
      password: this.password,
      fingerprint: this.cert.result?.fingerprint ?? null,
      stored: false,
    };
    this.#draft.addServer(row);
    this.url = 'https://';
    this.password = '';
    this.cert.clear();
    this.form.reset();
    return true;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url.trim()).origin;
  } catch {
    return '';
  }
}
