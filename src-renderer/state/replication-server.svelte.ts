import type { Bridge, ProbeResult } from '../../src-shared/bridge.js';
import { errorMessage } from '../lib/errors.js';
import { urlError } from '../lib/validate.js';
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
  probe = $state.raw<ProbeResult | null>(null);
  probedUrl = $state('');
  trusted = $state(false);
  probing = $state(false);
  readonly form: FormState<(typeof CANDIDATE_FIELDS)[number]>;
  readonly #bridge: Bridge;
  readonly #draft: ReplicationDraft;

  constructor(bridge: Bridge, draft: ReplicationDraft) {
    this.#bridge = bridge;
    this.#draft = draft;
    this.form = new FormState(CANDIDATE_FIELDS, {
      values: () => ({ url: this.url, username: this.username, password: this.password }),
      checks: () => ({
        url: replicaUrlError(this.url) ?? (this.#draft.has(this.url, this.username) ? 'This server is in the list already with this user name.' : null),
        username: this.username.trim() === '' ? 'Enter the user name of an administrator of the replication server.' : null,
        password: this.password === '' ? "Enter that administrator's password; the backup server keeps it encrypted and never shows it again." : null,
      }),
    });
  }

  /** The probe answers the address as it is typed now. */
  current = $derived(this.probe !== null && this.probedUrl === this.url.trim());
  /** The user may add it: checked, and either trusted or plain http (nothing to trust). */
  get ready(): boolean {
    return this.current && this.form.valid && (this.probe?.fingerprint == null || this.trusted);
  }
  /** The fingerprint of an entry with the same address already in the list, when it differs from what is presented now. */
  listed = $derived.by(() => {
    const origin = originOf(this.probedUrl);
    const twin = this.#draft.servers.find((s) => originOf(s.url) === origin && s.fingerprint !== (this.probe?.fingerprint ?? null));
    return twin?.fingerprint ?? null;
  });

  /** Reads the certificate the address presents, for the user to compare. */
  async check(): Promise<void> {
    this.form.touch('url');
    if (replicaUrlError(this.url)) return;
    this.probing = true;
    this.form.unpin('url');
    this.probe = null;
    this.trusted = false;
    try {
      const target = this.url.trim();
      this.probe = await this.#bridge.invoke('servers.probe', { url: target });
      this.probedUrl = target;
    } catch (err) {
      this.form.pin('url', errorMessage(err, 'Contacting the replication server'));
    } finally {
      this.probing = false;
    }
  }

  /**
   * Adds the checked server to the draft; says what is missing otherwise (the address not checked yet,
   * the fingerprint not confirmed). Returns whether it was added.
   */
  async add(): Promise<boolean> {
    this.form.touchAll();
    this.form.formError = null;
    if (!this.current) {
      await this.check();
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
      fingerprint: this.probe?.fingerprint ?? null,
      stored: false,
    };
    this.#draft.addServer(row);
    this.url = 'https://';
    this.password = '';
    this.probe = null;
    this.probedUrl = '';
    this.trusted = false;
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
