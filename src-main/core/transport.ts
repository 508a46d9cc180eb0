/** How a request that never got an answer is told to the user: as a BridgeError, in words, never with a secret. */
import { BridgeError } from '../../src-shared/bridge.js';

/** Per attempt, covering connect, TLS handshake and the whole response. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Network failures worth one more try soon: the connection broke, rather than never being made. */
export const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening at that address (connection refused)',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved right now',
  EHOSTUNREACH: 'the host cannot be reached from this network',
  ENETUNREACH: 'the network is unreachable',
  EPROTO: 'a secure connection could not be established (is it really https?)',
};

export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The BridgeError raised deeper down (the pin check, tls-pin.ts), which axios wraps as `cause`. */
function ownError(error: unknown): BridgeError | null {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BridgeError) return e;
  }
  return null;
}

/** A transport failure in words; built from the error code only, never from axios's message or config. */
export function transportError(label: string, error: unknown): BridgeError {
  const own = ownError(error);
  if (own) return own;
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown }).cause) ?? 'ERR_NETWORK';
  if (TIMEOUT_CODES.has(code)) return new BridgeError('TIMEOUT', `${label} did not answer in time.`);
  return new BridgeError('OFFLINE', `Cannot reach ${label}: ${NETWORK_REASONS[code] ?? `the connection failed (${code})`}.`);
}
