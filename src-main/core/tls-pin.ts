/**
 * Trust on first use for a server's TLS certificate: self-signed certificates are the norm here, so chain
 * validation is off and the pin (the SHA-256 fingerprint the user accepted) is the whole check. The check
 * runs in the agent before the socket is handed to a request, so a request (its token, a sign-in's
 * password) is never written to a server that fails it.
 */
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { BridgeError } from '../../src-shared/bridge.js';
import { DEFAULT_TIMEOUT_MS, transportError } from './transport.js';

/** The server presents another certificate than the pinned one. Shows both, so the user can compare. */
export class CertificateChangedError extends BridgeError {
  constructor(
    label: string,
    readonly pinned: string,
    readonly presented: string,
  ) {
    super(
      'CERTIFICATE_CHANGED',
      `The certificate of ${label} has changed. Trusted: ${pinned}. Presented now: ${presented}. ` +
        `If the server's certificate was replaced on purpose, compare the new fingerprint with the one the server prints ` +
        `("listening … fingerprint=…") and trust it; otherwise someone may be intercepting the connection.`,
      { pinned, presented },
    );
  }
}

/** An https server whose certificate has not been accepted yet: nothing is sent until it is. */
export class UntrustedCertificateError extends BridgeError {
  constructor(
    label: string,
    readonly presented: string,
  ) {
    super('UNTRUSTED_CERTIFICATE', `The certificate of ${label} has not been trusted yet. It presents ${presented}; check that on the server, then trust it.`, {
      pinned: null,
      presented,
    });
  }
}

/** `AB:CD:…` (as Node and most tools print it) or any case → lowercase hex without separators. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toLowerCase();
}

/** Where to connect for a URL: host without IPv6 brackets, port with the scheme's default. */
function endpoint(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

/**
 * The fingerprint an https server presents, for trust on first use; null for http, which has none.
 * Sends nothing but a TLS handshake.
 */
export async function probeFingerprint(rawUrl: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string | null> {
  const url = new URL(rawUrl);
  if (url.protocol === 'http:') return null;
  const { host, port } = endpoint(url);
  const label = url.origin;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new BridgeError('TIMEOUT', `${label} did not complete a TLS handshake within ${timeoutMs / 1000} s.`));
    });
    socket.once('secureConnect', () => {
      const presented = socket.getPeerX509Certificate()?.fingerprint256;
      socket.end();
      if (presented) resolve(normalizeFingerprint(presented));
      else reject(new BridgeError('OFFLINE', `${label} did not present a certificate.`));
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(transportError(label, error));
    });
  });
}

/**
 * An https agent that hands a socket to a request only after the presented certificate matched the pin.
 * Node lets `createConnection` answer through its callback, which is what holds the request back: with
 * `rejectUnauthorized: false` alone, Node would start writing the request as soon as the handshake ends.
 */
export class PinnedAgent extends https.Agent {
  constructor(
    private readonly label: string,
    private readonly pinned: string | null,
    private readonly handshakeTimeoutMs: number,
  ) {
    // No TLS session resumption: a resumed handshake carries no certificate to check (Node reports none),
    // and kept-alive connections already spare most handshakes.
    super({ keepAlive: true, rejectUnauthorized: false, maxCachedSessions: 0 });
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
    socket.setTimeout(this.handshakeTimeoutMs, () => settle(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', settle);
    socket.once('secureConnect', () => {
      const raw = socket.getPeerX509Certificate()?.fingerprint256;
      const presented = raw ? normalizeFingerprint(raw) : 'no certificate';
      if (this.pinned === null) settle(new UntrustedCertificateError(this.label, presented));
      else if (presented !== this.pinned) settle(new CertificateChangedError(this.label, this.pinned, presented));
      else settle(null);
    });
    return undefined;
  }
}
