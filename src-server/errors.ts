import { ERROR_STATUS, type ErrorCode } from '../src-shared/api/common.js';

/** An error the API reports as `{error: {code, message, details}}` with the status its code implies. */
export class ApiError extends Error {
  /** API.md ties each code to one status. */
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Only REPLICA_READ_ONLY travels with two statuses: 403 to an agent (see `replicaReadOnly`). */
    status?: 403,
  ) {
    super(message);
    this.status = status ?? ERROR_STATUS[code];
  }
}

// An error about one field names it in `details.field` (API.md, Conventions): a path such as `name` or
// `storage.slabs[2].price`, so the console marks that input without reading the message.

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} was not found.`);
export const conflict = (message: string, details?: Record<string, unknown>) => new ApiError('CONFLICT', message, details);
/** A conflict caused by one value, such as an allotment below what is in use. */
export const fieldConflict = (field: string, message: string, details: Record<string, unknown> = {}) => new ApiError('CONFLICT', message, { ...details, field });
export const nameTaken = (message: string) => new ApiError('NAME_TAKEN', message, { field: 'name' });
export const badRequest = (field: string, message: string) => new ApiError('BAD_REQUEST', message, { field });
/** A list's `sort` naming no sortable field (from the schema's enum or the list spec alike). */
export const unknownSortField = (field: string, sortable: readonly string[]) =>
  badRequest('sort', `sort: unknown field "${field}"; sortable fields are ${sortable.join(', ')}.`);
/**
 * A change to a replica (a customer copied here from another server, or its clients and schedules): 409 on
 * management routes, 403 to an agent that wants to back up (API.md).
 */
export const replicaReadOnly = (customerName: string, sourceName: string, to: 'management' | 'agent' = 'management') =>
  new ApiError(
    'REPLICA_READ_ONLY',
    to === 'agent'
      ? `Customer "${customerName}" is a read-only replica of ${sourceName} here: back up to ${sourceName}; restores from this server work.`
      : `Customer "${customerName}" is a read-only replica of ${sourceName}: change it on ${sourceName}; here only an administrator may delete it.`,
    { source: sourceName },
    to === 'agent' ? 403 : undefined,
  );
export const forbidden = (message: string) => new ApiError('FORBIDDEN', message);
/** Transport-level refusals (API.md, Conventions), about the body as a whole. */
export const payloadTooLarge = (message: string) => new ApiError('PAYLOAD_TOO_LARGE', message, { field: 'body' });
export const unsupportedMediaType = (message: string) => new ApiError('UNSUPPORTED_MEDIA_TYPE', message, { field: 'body' });
