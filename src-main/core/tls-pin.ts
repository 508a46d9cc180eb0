/**
 * Trust on first use for a server's TLS certificate (the pinning itself is src-shared/pinned-tls.ts): the
 * errors the console shows when a certificate is not trusted yet or has changed, and the probe that reads
 * the fingerprint a server presents so the user can accept it.
 */
import { isIP } from 'node:net';
import tls from 'node:tls';
import { BridgeError } from '../../src-shared/bridge.js';
import { normalizeFingerprint, PinnedAgent } from '../../src-shared/pinned-tls.js';
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
 * The console's pinned agent: an https server is used only once its certificate was trusted (the pin), and
 * refusals say what the user can do about them.
 */
export function pinnedAgent(label: string, pinned: string | null, handshakeTimeoutMs: number): PinnedAgent {
  return new PinnedAgent(
    (presented) => {
      if (pinned === null) return new UntrustedCertificateError(label, presented ?? 'no certificate');
      if (presented !== pinned) return new CertificateChangedError(label, pinned, presented ?? 'no certificate');
      return null;
    },
    { handshakeTimeoutMs },
  );
}
