/**
 * TLS pinning, for every program that talks to a backup server with a self-signed certificate (the console,
 * the agent, a server replicating to another): chain validation is off and the pin, the SHA-256
 * fingerprint the user accepted, is the whole check. The check runs in the agent before the socket is
 * handed to a request, so not even a request line (a token, a sign-in's password) reaches an impostor.
 */
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';

/** `AB:CD:…` (as Node and most tools print it) or any case → lowercase hex without separators. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toLowerCase();
}

export const isFingerprint = (value: string) => /^[0-9a-f]{64}$/.test(value);

/** What a certificate check decides: null lets the connection through, an error refuses it (and is the request's error). */
export type CertificateCheck = (presented: string | null) => Error | null;

export interface PinnedAgentOptions {
  maxSockets?: number;
  /** A handshake that takes longer fails with ETIMEDOUT (default: no limit of its own). */
  handshakeTimeoutMs?: number;
}

/**
 * An https agent that hands a socket to a request only after `check` accepted the presented certificate.
 * Node lets `createConnection` answer through its callback, which is what holds the request back: with
 * `rejectUnauthorized: false` alone, Node would start writing the request as soon as the handshake ends.
 */
export class PinnedAgent extends https.Agent {
  private readonly handshakeTimeoutMs: number;

  constructor(
    private readonly check: CertificateCheck,
    options: PinnedAgentOptions = {},
  ) {
    // No TLS session resumption: a resumed handshake carries no certificate to check (Node reports none),
    // and kept-alive connections already spare most handshakes.
    super({ keepAlive: true, rejectUnauthorized: false, maxCachedSessions: 0, ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}) });
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 0;
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    // Node's Agent always passes the callback; without one the request could not be held back, so refuse.
    if (!callback) throw new Error('PinnedAgent needs the createConnection callback.');
    const socket = super.createConnection(options) as tls.TLSSocket;
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      socket.off('error', settle);
      if (error) socket.destroy();
      callback(error, socket);
    };
    if (this.handshakeTimeoutMs > 0) socket.setTimeout(this.handshakeTimeoutMs, () => settle(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', settle);
    socket.once('secureConnect', () => {
      const raw = socket.getPeerX509Certificate()?.fingerprint256;
      settle(this.check(raw ? normalizeFingerprint(raw) : null));
    });
    return undefined;
  }
}
