import { Type, type Static, type TSchema } from 'typebox';

/** Error codes of API.md, with the HTTP status each one travels with. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  NAME_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  FEATURE_UNAVAILABLE: 409,
  CUSTOMER_INACTIVE: 403,
  CLIENT_NOT_AUTHORIZED: 403,
  MCAL_EXHAUSTED: 403,
  QUOTA_EXCEEDED: 403,
  TRIAL_EXPIRED: 403,
  CLIENT_MOVED: 410,
  /** 409 on management changes; an agent's backup gets it as a 403 (API.md). */
  REPLICA_READ_ONLY: 409,
  INTERNAL: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The backup refusals: the agent exits with code 3 when it gets one of these. */
export const POLICY_REFUSALS = [
  'CUSTOMER_INACTIVE',
  'CLIENT_NOT_AUTHORIZED',
  'MCAL_EXHAUSTED',
  'QUOTA_EXCEEDED',
  'TRIAL_EXPIRED',
] as const satisfies readonly ErrorCode[];

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Timestamp = Type.String({ format: 'date-time' });

/** The largest integer JSON carries exactly: integers are 0 ≤ n ≤ 2^53−1 unless a field says otherwise (API.md). */
export const MAX_INTEGER = Number.MAX_SAFE_INTEGER;
/** A number of things: files, chunks, clients. */
export const Count = Type.Integer({ minimum: 0, maximum: MAX_INTEGER });
export const Bytes = Type.Integer({ minimum: 0, maximum: MAX_INTEGER });

const NAME_PATTERN = '^(?=.*\\S)[^\\u0000-\\u001f\\u007f-\\u009f]*$';
const EMAIL_PATTERN = '^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';
const TEXT_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';
/** What a failed pattern means, in words a person can act on (validation messages use these). */
export const PATTERN_MEANINGS: Record<string, string> = {
  [NAME_PATTERN]: 'must not be blank or contain control characters',
  [EMAIL_PATTERN]: 'must be an email address like name@example.com',
  [TEXT_PATTERN]: 'must not contain control characters',
};

/** Names a person types: 1–200 characters, not blank, no control characters (C0, DEL or C1). */
export const Name = Type.String({ minLength: 1, maxLength: 200, pattern: NAME_PATTERN });
export const Email = Type.String({ maxLength: 254, pattern: EMAIL_PATTERN });
/** Other free text a machine reports (hostname, OS): may be empty, no control characters. */
export const FreeText = (maxLength: number) => Type.String({ maxLength, pattern: TEXT_PATTERN });
export const Password = Type.String({ minLength: 8, maxLength: 1024 });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * "Exactly one of" these object schemas (API.md: such bodies are `oneOf`). `T` is the TypeScript view of
 * the body, which callers may keep flatter than the alternatives.
 */
export const OneOf = <T>(alternatives: readonly TSchema[], options: { description?: string } = {}) => Type.Unsafe<T>({ oneOf: [...alternatives], ...options });

/** Paging and search, which every list takes; `sort` differs per list (`listSpec(…).query`). */
export const PAGING = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INTEGER })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
};

/** A query of any list, as the console passes it on; each list route takes only its own sort fields. */
export const ListQuery = Type.Object(
  { ...PAGING, sort: Type.Optional(Type.String({ maxLength: 64, pattern: '^-?[A-Za-z]+$' })) },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const ListOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), total: Count });
export interface List<T> {
  items: T[];
  total: number;
}
