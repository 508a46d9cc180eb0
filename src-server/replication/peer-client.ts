import http from 'node:http';
import https from 'node:https';
import type { ServerInfo, Session } from '../../src-shared/api/session.js';
import { PinnedAgent } from '../../src-shared/pinned-tls.js';
import { ApiError } from '../errors.js';
import type { ReplicaServer } from './config.js';

/** The other server: where it is and the SHA-256 its certificate must have (null for http on loopback). */
export type PeerEndpoint = Pick<ReplicaServer, 'url' | 'fingerprint'>;
import type { Throttle } from './throttle.js';

/** Silence after which a call to a replication server is given up (a hung server, a dead link). */
const IDLE_TIMEOUT_MS = 5 * 60 * 1000;
/** Packs in flight to one replica: enough to keep reading, sending and the replica's checks overlapping. */
export const PEER_SOCKETS = 3;

/** A replication server refused a call: `code` is its API error code (UNAUTHENTICATED, NAME_TAKEN, …). */
export class PeerError extends Error {
  override name = 'PeerError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The certificate of a replication server is not the pinned one: named both, never retried with the same pin. */
export class CertificateMismatch extends Error {
  override name = 'CertificateMismatch';
}

/**
 * The source's side of the peer API (src-shared/api/peer.ts): one replication server, over pinned TLS
 * (or plain http on loopback), signed in with the configured credentials. Errors say what failed and what
 * to do; the run that reports them names the server (its URL leads each line of the job's error).
 * Nothing here logs a password or token.
 */
export class PeerClient {
  private token: string | null = null;
  private username = '';
  private readonly agent: http.Agent;

  /** `role` names the other server in errors: "replication server", "target server". */
  constructor(
    readonly server: PeerEndpoint,
    private readonly throttle: Throttle,
    private readonly role = 'replication server',
  ) {
    const url = new URL(server.url);
    this.agent =
      url.protocol === 'http:'
        ? new http.Agent({ keepAlive: true, maxSockets: PEER_SOCKETS })
        : new PinnedAgent(
            (presented) =>
              presented === server.fingerprint
                ? null
                : new CertificateMismatch(
                    `Its certificate has changed: it presents ${presented ?? 'no certificate'}, but the configuration pins ${server.fingerprint}. Check the ${role}'s fingerprint ("listening … fingerprint=…") and update the configuration; nothing was sent.`,
                  ),
            { maxSockets: PEER_SOCKETS },
          );
  }

  /** Signs in with the configured credentials; answers what the server is (so the caller can check it can take copies). */
  async signIn(credentials: Pick<ReplicaServer, 'username' | 'password'>): Promise<ServerInfo> {
    this.username = credentials.username;
    const session = await this.json<Session>('POST', '/session', { username: credentials.username, password: credentials.password });
    if (session.role !== 'admin') throw new PeerError('FORBIDDEN', 403, `${credentials.username} is not an administrator there; replication needs an admin login of the replication server.`);
    return this.useToken(session.token);
  }

  /** Uses an admin session token of the other server obtained elsewhere (a seed migration's); answers what the server is. */
  async useToken(token: string): Promise<ServerInfo> {
    this.token = token;
    return this.json<ServerInfo>('GET', '/server');
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const data = await this.send(method, path, body === undefined ? [] : [Buffer.from(JSON.stringify(body))], 'application/json');
    return (data.length ? JSON.parse(data.toString('utf8')) : null) as T;
  }

  /** A pack upload: `parts` written one by one (never joined), each once the bandwidth limit lets it go. */
  async upload<T>(path: string, parts: readonly Buffer[]): Promise<T> {
    const data = await this.send('PUT', path, parts, 'application/octet-stream');
    return JSON.parse(data.toString('utf8')) as T;
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, parts: readonly Buffer[], contentType: string): Promise<Buffer> {
    const url = new URL(`${this.server.url}/api/v1${path}`);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (method !== 'GET' && method !== 'DELETE') {
      headers['content-type'] = contentType;
      headers['content-length'] = parts.reduce((n, p) => n + p.length, 0);
    }
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<Buffer>((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', (err) => reject(this.unreachable(err)));
        res.on('end', () => {
          const data = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(data);
          else reject(this.refusal(status, data, method, path));
        });
      });
      req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err) => reject(err instanceof CertificateMismatch ? err : this.unreachable(err)));
      void this.write(req, parts).catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
    });
  }

  private async write(req: http.ClientRequest, parts: readonly Buffer[]): Promise<void> {
    for (const part of parts) {
      await this.throttle.take(part.length);
      if (!req.write(part)) await new Promise<void>((resolve) => req.once('drain', resolve));
    }
    req.end();
  }

  private unreachable(err: Error): Error {
    const code = 'code' in err && typeof err.code === 'string' ? `${err.code}: ` : '';
    return new Error(`The ${this.role} cannot be reached (${code}${err.message}).`, { cause: err });
  }

  private refusal(status: number, data: Buffer, method: string, path: string): PeerError {
    let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } = {};
    try {
      body = JSON.parse(data.toString('utf8')) as typeof body;
    } catch {
      // Not an API error body: reported by its status below.
    }
    const code = typeof body.error?.code === 'string' ? body.error.code : `HTTP_${status}`;
    const message = typeof body.error?.message === 'string' ? body.error.message : `${method} ${path} answered HTTP ${status}`;
    const details = typeof body.error?.details === 'object' && body.error.details !== null ? (body.error.details as Record<string, unknown>) : undefined;
    if (code === 'UNAUTHENTICATED' && path === '/session') {
      return new PeerError(code, status, `The replication server refused the sign-in of ${this.username}: check its username and password in the configuration. Not retried before the next scheduled run.`);
    }
    if (code === 'UNAUTHENTICATED') return new PeerError(code, status, `The ${this.role} refused the session token (${message}); sign in to it again.`);
    return new PeerError(code, status, message, details);
  }
}

/** A copy's error as a job or a client's state shows it: the API code first when the other server gave one. */
export function describeFailure(err: unknown): string {
  if (err instanceof PeerError || err instanceof ApiError) return `${err.code}: ${err.message}`;
  if (err instanceof CertificateMismatch) return `CERTIFICATE_CHANGED: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
