/** How a bridge request fails, alike in both hosts. */

/** Errors the console adds to the server's codes (API.md). */
export const CONSOLE_ERROR_CODES = [
  'OFFLINE', // the server cannot be reached; reads come from the cache, writes are refused
  'CERTIFICATE_CHANGED', // the server presents a certificate other than the pinned one
  'UNTRUSTED_CERTIFICATE', // first contact: the user has not accepted the fingerprint yet
  'KEYCHAIN_UNAVAILABLE', // no OS keychain; the user may choose "this session only"
  'TIMEOUT',
  'NOT_SIGNED_IN', // no stored password, or the server rejected it
] as const;

export interface BridgeErrorBody {
  code: string;
  message: string;
  /** `details.field` names the one argument field an error is about (API.md, Conventions), for the form to mark. */
  details?: Record<string, unknown>;
}

/** What every failed request rejects with, in both hosts. */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
  toJSON(): BridgeErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}
