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

// An error about one field names it in `details.field` (API.md, Conventions): a path such as `name` or
// `storage.slabs[2].price`, so the console marks that input without reading the message.

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} was not found.`);
export const conflict = (message: string, details?: Record<string, unknown>) => new ApiError('CONFLICT', message, details);
/** A conflict caused by one value, such as an allotment below what is in use. */
export const fieldConflict = (field: string, message: string, details: Record<string, unknown> = {}) => new ApiError('CONFLICT', message, { ...details, field });
export const nameTaken = (message: string) => new ApiError('NAME_TAKEN', message, { field: 'name' });
export const badRequest = (field: string, message: string, status?: number) => new ApiError('BAD_REQUEST', message, { field }, status);
export const forbidden = (message: string) => new ApiError('FORBIDDEN', message);
