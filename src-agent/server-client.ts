/**
 * The agent's HTTP client for `/api/v1/agent/...`: JSON calls, binary uploads and downloads over one
 * keep-alive connection pool, errors turned into `AgentApiError` with the API's code, and the two pieces
 * of trust handling an agent needs:
 *
 * - TLS pinning. The server usually has a self-signed certificate, so the system's CAs cannot vouch for
 *   it; the agent pins its SHA-256 fingerprint instead. A connection is handed to HTTP only after its
 *   handshake finished AND the peer certificate matched the pin, so not even a request line reaches an
 *   impostor (a check in 'secureConnect' after the request was queued could already have leaked the
 *   token). TLS session resumption is off so every handshake shows a certificate to check.
 * - 410 CLIENT_MOVED: the client was migrated to another server, its identity with it. The client switches
 *   to the new server (persisted by `onMoved` first, so a crash cannot forget the move) and retries the
 *   call there with the same token.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { ClientMovedDetails } from '../src-shared/api/agent.js';
import { isFingerprint, normalizeFingerprint, PinnedAgent } from '../src-shared/pinned-tls.js';
import { POLICY_REFUSALS, REPLICA_READ_ONLY } from './protocol.js';
import type { ServerEndpoint } from './state.js';

/** An answer of the server with an error body: `code` is the API's code (QUOTA_EXCEEDED, NOT_FOUND, ...). */
export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AgentApiError';
  }

  /** A policy refusal (API.md): the agent reports it and exits with code 3. */
  get refusal(): boolean {
    return (POLICY_REFUSALS as readonly string[]).includes(this.code) || this.code === REPLICA_READ_ONLY;
  }
}

/** The server could not be reached, or did not answer like a backup server. */
export class TransportError extends Error {
  override name = 'TransportError';
}

/** Silence between two packets of one request after which it is given up (a hung server, a dead link). */
const IDLE_TIMEOUT_MS = 5 * 60 * 1000;
/**
 * Enough parallel connections for the uploads and chunk fetches the agent keeps in flight, and no more:
 * each extra connection costs the server a socket and a body buffer.
 */
const MAX_SOCKETS = 8;

export interface ServerClientOptions {
  token?: string | null;
  /** Called with the new server when the server answers 410 CLIENT_MOVED; should persist it. */
  onMoved?: (endpoint: ServerEndpoint) => Promise<void>;
}

type Body = { json: unknown } | { parts: readonly Uint8Array[]; contentType: string } | undefined;
type Expect = 'json' | 'buffer';

export class ServerClient {
  private agent: http.Agent;
  private endpointValue: ServerEndpoint;
  private token: string | null;
  /** Bumped on every switch to another server, so a long run can tell that its ids belong to the old one. */
  generation = 0;

  constructor(
    endpoint: ServerEndpoint,
    private readonly options: ServerClientOptions = {},
  ) {
    this.endpointValue = endpoint;
    this.token = options.token ?? null;
    this.agent = createAgent(endpoint);
  }

  get endpoint(): ServerEndpoint {
    return this.endpointValue;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.call(method, path, body === undefined ? undefined : { json: body }, 'json')) as T;
  }

  /** A binary download (GET /agent/chunks/:hash). */
  async buffer(method: string, path: string): Promise<Buffer> {
    return (await this.call(method, path, undefined, 'buffer')) as Buffer;
  }

  /** An upload whose body is `parts` back to back (sent without joining them), answered with JSON. */
  async upload<T>(method: string, path: string, parts: readonly Uint8Array[], contentType = 'application/octet-stream'): Promise<T> {
    return (await this.call(method, path, { parts, contentType }, 'json')) as T;
  }

  close(): void {
    this.agent.destroy();
  }

  private async call(method: string, path: string, body: Body, expect: Expect): Promise<unknown> {
    try {
      return await this.send(method, path, body, expect);
    } catch (error) {
      const moved = movedTo(error);
      if (!moved || !this.options.onMoved) throw error;
      // A fingerprint that is not one (empty, "none" for a plain-http server) pins nothing: then the
      // system's CAs must vouch for an https server, which fails closed for a self-signed one.
      const pin = normalizeFingerprint(moved.server.fingerprint ?? '');
      const endpoint: ServerEndpoint = { url: moved.server.url.replace(/\/+$/, ''), fingerprint: isFingerprint(pin) ? pin : null };
      await this.options.onMoved(endpoint);
      this.agent.destroy();
      this.endpointValue = endpoint;
      this.agent = createAgent(endpoint);
      this.generation++;
      return await this.send(method, path, body, expect);
    }
  }

  private async send(method: string, path: string, body: Body, expect: Expect): Promise<unknown> {
    try {
      return await this.sendOnce(method, path, body, expect);
    } catch (error) {
      // A keep-alive socket the server closed while idle fails the first write with ECONNRESET. The
      // request never reached the server, so repeating it once is safe for every call the agent makes.
      if (error instanceof StaleSocketError) return await this.sendOnce(method, path, body, expect);
      throw error;
    }
  }

  private sendOnce(method: string, path: string, body: Body, expect: Expect): Promise<unknown> {
    const url = new URL(`${this.endpointValue.url}/api/v1${path}`);
    const payload = body === undefined ? [] : 'json' in body ? [Buffer.from(JSON.stringify(body.json))] : body.parts;
    const length = payload.reduce((n, p) => n + p.length, 0);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json, application/octet-stream' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      headers['content-type'] = 'json' in body ? 'application/json' : body.contentType;
      headers['content-length'] = length;
    }
    const request = url.protocol === 'https:' ? https.request : http.request;

    return new Promise<unknown>((resolve, reject) => {
      let answer: { value: unknown } | { error: unknown } | null = null;
      const req = request(url, { method, headers, agent: this.agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('error', (error) => reject(transportError(this.endpointValue.url, error)));
        res.on('end', () => {
          try {
            answer = { value: parseResponse(res.statusCode ?? 0, res.headers['content-type'] ?? '', Buffer.concat(parts), expect, method, path) };
          } catch (error) {
            answer = { error };
          }
        });
      });
      // Settled on 'close', after the answer: only then has the body surely left our buffers (callers
      // reuse them), even when the server answered before reading all of it.
      req.on('close', () => {
        if (!answer) reject(new TransportError(`${this.endpointValue.url} closed the connection without answering ${method} ${path}`));
        else if ('error' in answer) reject(answer.error);
        else resolve(answer.value);
      });
      req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new TransportError(`no answer from ${this.endpointValue.url} for ${IDLE_TIMEOUT_MS / 1000} s (${method} ${path})`)));
      req.on('error', (error) => {
        if (req.reusedSocket && 'code' in error && error.code === 'ECONNRESET') reject(new StaleSocketError(error.message));
        else reject(error instanceof TransportError || error instanceof TlsPinError ? error : transportError(this.endpointValue.url, error));
      });
      // Writing the parts one by one keeps a pack from being copied into one more buffer.
      for (const part of payload) req.write(part);
      req.end();
    });
  }
}

/** The certificate did not match the pin: never retried, never followed by a request. */
export class TlsPinError extends Error {
  override name = 'TlsPinError';
}

class StaleSocketError extends Error {}

const UNTRUSTED_CERTIFICATE = ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'];

function transportError(url: string, error: Error): TransportError {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  const hint = UNTRUSTED_CERTIFICATE.includes(code)
    ? ' (no certificate authority vouches for this server: give --fingerprint HEX as the server prints it, or --insecure-tls to trust the certificate it presents)'
    : '';
  return new TransportError(`cannot talk to ${url}: ${code ? `${code}: ` : ''}${error.message}${hint}`, { cause: error });
}

function parseResponse(status: number, contentType: string, data: Buffer, expect: Expect, method: string, path: string): unknown {
  if (status >= 200 && status < 300) {
    if (expect === 'buffer') return data;
    if (data.length === 0) return null;
    try {
      return JSON.parse(data.toString('utf8'));
    } catch {
      throw new TransportError(`${method} ${path}: the server answered ${status} with a body that is not JSON`);
    }
  }
  let parsed: unknown = null;
  if (contentType.includes('json')) {
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      // Not an API error body: reported by status below.
    }
  }
  const error = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? parsed.error : null;
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const message = 'message' in error && typeof error.message === 'string' ? error.message : `${method} ${path} failed with ${status}`;
    const details = 'details' in error && typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : undefined;
    throw new AgentApiError(status, error.code, message, details);
  }
  throw new AgentApiError(status, `HTTP_${status}`, `${method} ${path} failed with HTTP ${status}${data.length ? `: ${data.toString('utf8', 0, 200)}` : ''}`);
}

function movedTo(error: unknown): ClientMovedDetails | null {
  if (!(error instanceof AgentApiError) || error.code !== 'CLIENT_MOVED' || !error.details) return null;
  const { server } = error.details as Partial<ClientMovedDetails>;
  if (typeof server !== 'object' || server === null || typeof server.url !== 'string') return null;
  return { server: { url: server.url, fingerprint: typeof server.fingerprint === 'string' ? server.fingerprint : null } };
}

function createAgent(endpoint: ServerEndpoint): http.Agent {
  const protocol = new URL(endpoint.url).protocol;
  if (protocol === 'http:') return new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  if (protocol !== 'https:') throw new Error(`unsupported server URL ${endpoint.url}: use https:// (or http:// on loopback)`);
  if (endpoint.fingerprint === null) return new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  return new PinnedAgent(matches(endpoint.fingerprint), { maxSockets: MAX_SOCKETS });
}

/** Refuses a certificate other than the pinned one: never retried, never followed by a request. */
const matches = (pin: string) => (presented: string | null) => {
  if (presented === null) return new TlsPinError('the server presented no certificate');
  if (presented === pin) return null;
  return new TlsPinError(`the server's certificate does not match the pinned fingerprint (expected ${pin}, got ${presented}); refusing to talk to it`);
};

/**
 * Trust on first use (`register --insecure-tls`): connects once without any check and returns the
 * fingerprint of the certificate the server presents, which the caller then pins.
 */
export function probeFingerprint(url: string): Promise<string> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host, port: Number(target.port || 443), ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false },
      () => {
        const cert = socket.getPeerX509Certificate();
        socket.end();
        if (cert) resolve(normalizeFingerprint(cert.fingerprint256));
        else reject(new TlsPinError(`${url} presented no certificate`));
      },
    );
    socket.once('error', (error) => reject(transportError(url, error)));
  });
}
