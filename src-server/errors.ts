import { ERROR_STATUS, type ErrorCode } from '../src-shared/api/common.js';

/** An error the API reports as `{error: {code, message, details}}` with the status its code implies. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Only for the few 4xx statuses HTTP itself dictates (413, 415); otherwise the code's status. */
    readonly status: number = ERROR_STATUS[code],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} was not found.`);
export const conflict = (message: string, details?: Record<string, unknown>) => new ApiError('CONFLICT', message, details);
export const badRequest = (message: string) => new ApiError('BAD_REQUEST', message);
export const forbidden = (message: string) => new ApiError('FORBIDDEN', message);
