import { BridgeError } from '../../src-shared/bridge.js';

/** What the bridge rejects with, whether or not the host kept the BridgeError class across the boundary. */
export interface ErrorInfo {
  code: string;
  message: string;
  details: Record<string, unknown> | undefined;
}

const HINTS: Record<string, string> = {
  HOST_UNREACHABLE: 'The console host is not answering: if you use the browser host, check that `npm run web` is still running, then reload the page.',
  OFFLINE: 'The server cannot be reached. Check that it is running and reachable, then choose Refresh.',
  TIMEOUT: 'The server did not answer in time. Try again; if it keeps happening, check the server.',
  NOT_SIGNED_IN: 'Sign in again: open the server and choose Edit Server to enter the password.',
  CERTIFICATE_CHANGED: 'The server presents a different certificate. Open the server to compare fingerprints before trusting it.',
  UNTRUSTED_CERTIFICATE: 'Check the certificate fingerprint and trust it to connect.',
  KEYCHAIN_UNAVAILABLE: 'No system keychain is available; passwords can be kept for this session only.',
  UNAUTHENTICATED: 'Sign in again: open the server and choose Edit Server to enter the password.',
  FORBIDDEN: 'Your account is not allowed to do this; ask a server administrator.',
  NOT_FOUND: 'It may have been deleted by someone else. Choose Refresh to see the current state.',
  RATE_LIMITED: 'Too many attempts; wait a few minutes, then try again.',
};

export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof BridgeError) return { code: err.code, message: err.message, details: err.details };
  if (typeof err === 'object' && err !== null) {
    const o = err as { code?: unknown; message?: unknown; details?: unknown };
    if (typeof o.code === 'string' && typeof o.message === 'string') {
      const details = typeof o.details === 'object' && o.details !== null ? (o.details as Record<string, unknown>) : undefined;
      return { code: o.code, message: o.message, details };
    }
    if (typeof o.message === 'string') return { code: 'INTERNAL', message: o.message, details: undefined };
  }
  return { code: 'INTERNAL', message: String(err), details: undefined };
}

/**
 * One sentence for the user: what happened, and — when the server's own message doesn't say — what to do.
 * Never a stack trace.
 */
export function errorMessage(err: unknown, action?: string): string {
  const { code, message } = errorInfo(err);
  const what = action ? `${action} failed: ${message}` : message;
  const hint = HINTS[code];
  const sentence = /[.!?]$/.test(what.trim()) ? what.trim() : `${what.trim()}.`;
  if (hint && !message.includes(hint)) return `${sentence} ${hint}`;
  if (code === 'INTERNAL' && !hint) return `${sentence} Try again; if it keeps happening, restart the console.`;
  return sentence;
}

/**
 * Which form field a server error is about: the server and the bridge name it in `details.field` (a path
 * such as `name` or `spaceAllotted`) on every 400 and single-field conflict (NAME_TAKEN).
 */
export function errorField<F extends string>(err: unknown, fields: readonly F[]): F | null {
  const field = errorInfo(err).details?.['field'];
  return typeof field === 'string' && (fields as readonly string[]).includes(field) ? (field as F) : null;
}

/** The server's message without a leading "field:" label, for showing under that field. */
export function fieldMessage(err: unknown, field: string): string {
  const { message } = errorInfo(err);
  // A bridge message leads with its channel ("customers.create: name …"), a server one may with `body.`.
  // A field path can look like a channel (`policy.keepDaily: …`), so the field is looked for before and after it.
  const unchanneled = message.replace(/^[a-z]+\.[A-Za-z]+:\s*/, '');
  for (const candidate of [message, unchanneled].map((m) => m.replace(/^body\./, ''))) {
    if (candidate.startsWith(`${field}:`)) return capitalize(candidate.slice(field.length + 1).trim());
  }
  return unchanneled.replace(/^body\./, '');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
