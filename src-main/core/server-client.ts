/**
 * One backup server's management API (API.md), as the console's main process calls it.
 *
 * What this module guarantees:
 * - TLS is pinned: the certificate a server presents must have the SHA-256 fingerprint the user accepted
 *   (tls-pin.ts); nothing is written to a server that fails the check.
 * - Every failure is a BridgeError with a code from API.md or the console's own codes; the server's
 *   message is kept. No message is built from a password, a token or a request's headers.
 * - GETs are retried with exponential backoff on transient failures; nothing else is, since a write that
 *   timed out may have been applied.
 * - A token that expired or was revoked is replaced by signing in again with the stored password, and the
 *   request is sent once more. That is safe for writes too: the server authenticates before it runs a route.
 */
import http from 'node:http';
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import { Type, type Static, type TSchema } from 'typebox';
import { ErrorBody, Id, Nullable } from '../../src-shared/api/common.js';
import { Role, Session } from '../../src-shared/api/session.js';
import { BridgeError } from '../../src-shared/bridge.js';
import { schemaMismatch, validatorOf } from './schema-check.js';
import { pinnedAgent } from './tls-pin.js';
import { DEFAULT_TIMEOUT_MS, errorCode, TRANSIENT_NETWORK_CODES, transportError } from './transport.js';
import { NoContent } from './wire.js';

/** The part of the credential vault a client needs; `CredentialVault` has this shape. */
export interface Credentials {
  getPassword(serverId: string): Promise<string | null>;
  getToken(serverId: string): Promise<string | null>;
  setToken(serverId: string, token: string): Promise<void>;
  deleteToken(serverId: string): Promise<boolean>;
}

/** Who the console is signed in as: not secret, and kept in the offline cache so a restart knows it. */
export const SessionIdentity = Type.Object({ role: Role, resellerId: Nullable(Id) });
export type SessionIdentity = Static<typeof SessionIdentity>;

export interface ClientTuning {
  /** Per attempt, covering connect, TLS handshake and the whole response. */
  timeoutMs?: number;
  /** Extra attempts for a GET after a transient failure. */
  retries?: number;
  /** First backoff delay; doubled per retry, with jitter. */
  retryBaseMs?: number;
  /** No single wait is longer; a server asking (Retry-After) for more is not retried. */
  retryMaxMs?: number;
}

export interface ServerClientOptions extends ClientTuning {
  serverId: string;
  /** How messages name the server, e.g. `"HQ" (https://backup.example.com:8443)`. */
  label: string;
  url: string;
  username: string;
  /** Lowercase hex SHA-256 of the accepted certificate; null for http (or an https server not trusted yet). */
  fingerprint: string | null;
  credentials: Credentials;
  /** Told after every successful sign-in. */
  onSignIn?: (identity: SessionIdentity) => void;
}

export interface RequestOptions<S extends TSchema> {
  /** What a successful response must look like; a 204 is `null`. */
  schema: S;
  query?: Query;
  body?: unknown;
  /** false: one attempt even for a GET (the caller has a better fallback than waiting). */
  retry?: boolean;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** A file a server sent: its bytes and the name its Content-Disposition suggests, if any. */
export interface Download {
  bytes: Buffer;
  filename: string | null;
}
/** What an exchange expects back: JSON matching a schema, or the raw bytes of a file. */
const BYTES = 'bytes';
type Expected = TSchema | typeof BYTES;

/** The plain `filename="…"` of a Content-Disposition header (what the server sends); null without one. */
function filenameOf(disposition: unknown): string | null {
  const match = typeof disposition === 'string' ? /filename="([^"]+)"/.exec(disposition) : null;
  return match?.[1] ?? null;
}

/** A file request's error body is the API's JSON; anything else is no error body. */
function jsonOf(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return bytes.toString('utf8');
  }
}

const DEFAULTS = { timeoutMs: DEFAULT_TIMEOUT_MS, retries: 2, retryBaseMs: 300, retryMaxMs: 4_000 } satisfies Required<ClientTuning>;

/** `?a=1&b=x` with keys sorted, so equal queries give equal URLs (and equal cache keys); '' for none. */
export function queryString(query: Query | undefined): string {
  const entries = Object.entries(query ?? {}).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined);
  if (entries.length === 0) return '';
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `?${new URLSearchParams(entries.map(([key, value]): [string, string] => [key, String(value)])).toString()}`;
}

/** The outcome of one HTTP exchange, before retry and re-login decide what to do with it. */
type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; error: BridgeError; retryable: boolean; retryAfterMs: number | null; unauthenticated: boolean };


const isErrorBody = (body: unknown): body is ErrorBody => validatorOf(ErrorBody).Check(body);

function retryAfterMs(response: AxiosResponse<unknown>): number | null {
  const header = response.headers['retry-after'];
  const seconds = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : null;
  return seconds === null ? null : seconds * 1000;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class ServerClient {
  readonly serverId: string;
  private readonly label: string;
  private readonly username: string;
  private readonly credentials: Credentials;
  private readonly onSignIn: ((identity: SessionIdentity) => void) | undefined;
  private readonly tuning: Required<ClientTuning>;
  private readonly http: AxiosInstance;
  private readonly agent: http.Agent;
  /** The session token in use, read from the vault once and replaced on re-login. */
  private token: string | null = null;
  private signingIn: Promise<SessionIdentity> | null = null;

  constructor(options: ServerClientOptions) {
    this.serverId = options.serverId;
    this.label = options.label;
    this.username = options.username;
    this.credentials = options.credentials;
    this.onSignIn = options.onSignIn;
    this.tuning = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      retries: options.retries ?? DEFAULTS.retries,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULTS.retryMaxMs,
    };
    const url = new URL(options.url);
    this.agent = url.protocol === 'https:' ? pinnedAgent(this.label, options.fingerprint, this.tuning.timeoutMs) : new http.Agent({ keepAlive: true });
    this.http = axios.create({
      baseURL: `${options.url}/api/v1`,
      adapter: 'http',
      httpAgent: this.agent,
      httpsAgent: this.agent,
      // A proxy would terminate the connection whose certificate we pin; environment proxies are ignored.
      proxy: false,
      // A redirect could carry the Authorization header to another host.
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'json',
      transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: false },
      headers: { accept: 'application/json' },
    });
  }

  /** Sends a request and returns its validated result, signing in, re-signing in and retrying as the rules above say. */
  async request<S extends TSchema>(method: Method, path: string, options: RequestOptions<S>): Promise<Static<S>> {
    const url = path + queryString(options.query);
    const value = await this.withRetries(method, options.retry, () => this.authorized(method, url, options.body, options.schema));
    return value as Static<S>;
  }

  /** A GET of a file (an invoice's PDF): signed in, re-signed in and retried like any GET; a failure is the API's JSON error. */
  async download(path: string, retry?: boolean): Promise<Download> {
    return (await this.withRetries('GET', retry, () => this.authorized('GET', path, undefined, BYTES))) as Download;
  }

  /** Runs one exchange, again after a transient failure for a GET (see the rules above). */
  private async withRetries(method: Method, retry: boolean | undefined, exchange: () => Promise<Outcome>): Promise<unknown> {
    const attempts = method.toUpperCase() === 'GET' && retry !== false ? 1 + this.tuning.retries : 1;
    for (let attempt = 1; ; attempt++) {
      const outcome = await exchange();
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable || attempt >= attempts) throw outcome.error;
      const backoff = Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (attempt - 1));
      if (outcome.retryAfterMs !== null && outcome.retryAfterMs > this.tuning.retryMaxMs) throw outcome.error;
      // Jitter spreads the retries of several consoles (or several requests) hitting one recovering server.
      await sleep(Math.max(outcome.retryAfterMs ?? 0, backoff * (0.5 + Math.random() / 2)));
    }
  }

  /** Signs in with the stored password, keeps the token in the vault, and says who we are. */
  signIn(): Promise<SessionIdentity> {
    return this.startSignIn(false);
  }

  /** Ends the server session (best effort: the server may be gone) and forgets the token. */
  async signOut(): Promise<void> {
    const token = this.token ?? (await this.keychain(() => this.credentials.getToken(this.serverId)));
    this.token = null;
    if (token) await this.send('DELETE', '/session', undefined, token, NoContent);
    await this.keychain(() => this.credentials.deleteToken(this.serverId));
  }

  /** Closes kept-alive connections; in-flight requests fail. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One sign-in at a time: requests that all found their token expired share it. `discardToken` first
   * drops the stored token the server rejected, so it cannot come back from the vault even if signing
   * in fails; it happens inside the shared sign-in, so no request reads the vault in between.
   */
  private startSignIn(discardToken: boolean): Promise<SessionIdentity> {
    this.signingIn ??= (async () => {
      if (discardToken) await this.keychain(() => this.credentials.deleteToken(this.serverId));
      return this.doSignIn();
    })().finally(() => {
      this.signingIn = null;
    });
    return this.signingIn;
  }

  private async doSignIn(): Promise<SessionIdentity> {
    const password = await this.keychain(() => this.credentials.getPassword(this.serverId));
    if (password === null) throw new BridgeError('NOT_SIGNED_IN', `No password is stored for ${this.label}; enter it to sign in.`);
    const outcome = await this.send('POST', '/session', { username: this.username, password }, null, Session);
    if (!outcome.ok) {
      if (outcome.error.code === 'UNAUTHENTICATED') {
        throw new BridgeError('NOT_SIGNED_IN', `Signing in to ${this.label} as "${this.username}" failed: ${outcome.error.message} Enter the password again.`);
      }
      throw outcome.error;
    }
    const session = outcome.value as Session;
    this.token = session.token;
    await this.keychain(() => this.credentials.setToken(this.serverId, session.token));
    const identity = { role: session.role, resellerId: session.resellerId };
    this.onSignIn?.(identity);
    return identity;
  }

  private async currentToken(): Promise<string> {
    // A sign-in under way sets the token (or fails for every request waiting on it: one failed sign-in, not several).
    if (this.signingIn) await this.signingIn;
    if (this.token !== null) return this.token;
    const stored = await this.keychain(() => this.credentials.getToken(this.serverId));
    if (stored !== null) {
      this.token = stored;
      return stored;
    }
    await this.signIn();
    if (this.token === null) throw new BridgeError('NOT_SIGNED_IN', `Signing in to ${this.label} did not give a session.`);
    return this.token;
  }

  /** One exchange with a token; on 401 (expired or revoked token) one re-login and one more exchange. */
  private async authorized(method: Method, url: string, body: unknown, schema: Expected): Promise<Outcome> {
    const token = await this.currentToken();
    const first = await this.send(method, url, body, token, schema);
    if (first.ok || !first.unauthenticated) return first;
    // Another request may have signed in again meanwhile; only a token still in use is stale.
    if (this.token === token) {
      this.token = null;
      await this.startSignIn(true);
    }
    const second = await this.send(method, url, body, await this.currentToken(), schema);
    if (second.ok || !second.unauthenticated) return second;
    return { ...second, error: new BridgeError('NOT_SIGNED_IN', `${this.label} refused the new session: ${second.error.message}`) };
  }

  private async send(method: Method, url: string, body: unknown, token: string | null, schema: Expected): Promise<Outcome> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.tuning.timeoutMs);
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.request<unknown>({
        method,
        url,
        data: body,
        signal: controller.signal,
        responseType: schema === BYTES ? 'arraybuffer' : 'json',
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(schema === BYTES ? { accept: '*/*' } : {}),
          // axios labels an empty POST as a form, which the server refuses (415): no body, no content type.
          ...(body === undefined ? { 'content-type': false } : {}),
        },
      });
    } catch (error) {
      if (controller.signal.aborted) {
        return { ok: false, error: new BridgeError('TIMEOUT', `${this.label} did not answer within ${this.tuning.timeoutMs / 1000} s.`), retryable: false, retryAfterMs: null, unauthenticated: false };
      }
      const failure = transportError(this.label, error);
      // Refused or unresolvable connections are not retried: the caller's cache answers faster, and a
      // server that is down stays down for longer than a backoff.
      const retryable = failure.code === 'OFFLINE' && TRANSIENT_NETWORK_CODES.has(errorCode(error) ?? '');
      return { ok: false, error: failure, retryable, retryAfterMs: null, unauthenticated: false };
    } finally {
      clearTimeout(timer);
    }
    return this.interpret(method, url, response, schema);
  }

  private interpret(method: Method, url: string, response: AxiosResponse<unknown>, schema: Expected): Outcome {
    const { status } = response;
    let { data } = response;
    if (schema === BYTES) {
      // The http adapter hands an arraybuffer response over as a Buffer.
      const bytes = Buffer.from(data as Buffer);
      if (status >= 200 && status < 300) return { ok: true, value: { bytes, filename: filenameOf(response.headers['content-disposition']) } satisfies Download };
      data = jsonOf(bytes);
    } else if (status >= 200 && status < 300) {
      const value = status === 204 || data === '' ? null : data;
      const mismatch = schemaMismatch(schema, value);
      if (mismatch === null) return { ok: true, value };
      const error = new BridgeError(
        'INTERNAL',
        `${this.label} answered ${method.toUpperCase()} ${url.split('?')[0]} with data this console does not understand (${mismatch}). It may run another version.`,
      );
      return { ok: false, error, retryable: false, retryAfterMs: null, unauthenticated: false };
    }
    const retryable = status >= 500 || status === 429;
    if (isErrorBody(data)) {
      const { code, message, details } = data.error;
      const wait = retryAfterMs(response) ?? (typeof details?.['retryAfterSeconds'] === 'number' ? details['retryAfterSeconds'] * 1000 : null);
      return { ok: false, error: new BridgeError(code, message, details), retryable, retryAfterMs: wait, unauthenticated: status === 401 && code === 'UNAUTHENTICATED' };
    }
    // No API error body: something in front of the server (or the server shutting down) answered.
    const error =
      status === 502 || status === 503 || status === 504
        ? new BridgeError('OFFLINE', `${this.label} is not available right now (HTTP ${status}).`)
        : status >= 300 && status < 400
          ? new BridgeError('INTERNAL', `${this.label} redirected the request elsewhere (HTTP ${status}); the console does not follow redirects. Check the server address.`)
          : new BridgeError('INTERNAL', `${this.label} answered HTTP ${status} without an error description.`);
    return { ok: false, error, retryable, retryAfterMs: retryAfterMs(response), unauthenticated: false };
  }

  /** Vault failures become KEYCHAIN_UNAVAILABLE; their messages never contain the secret. */
  private async keychain<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof BridgeError) throw error;
      throw new BridgeError('KEYCHAIN_UNAVAILABLE', error instanceof Error ? error.message : String(error));
    }
  }
}
