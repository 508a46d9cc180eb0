import type { FastifySchemaCompiler } from 'fastify';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { Email, FreeText, Name } from '../src-shared/api/common.js';
import type { TValidationError } from 'typebox/error';
import { badRequest } from './errors.js';
import type { Located } from './validation.js';

/** The parts of a JSON schema this module reads; TypeBox schemas are plain JSON schemas. */
interface Schema {
  type?: unknown;
  pattern?: unknown;
  properties?: Record<string, Schema>;
  items?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

/**
 * The request validator (Fastify's `validatorCompiler`): TypeBox checks every part of a request against its
 * route schema, after two rules of API.md's Conventions that no schema keyword states:
 * - free text in a body (the shared `Name`, `Email` and `FreeText` schemas) is trimmed of outer spaces, NBSP and BOM
 *   included, before it is validated, so limits, blank checks and uniqueness see the trimmed text;
 * - integers in a query string, path or header are plain decimals: `1.5`, `1e3`, `0x10`, `+5` or ` 5`
 *   are refused, naming the field, instead of being coerced.
 * A body that is "exactly one of" (`oneOf`) and fits none only by which fields it has gets one sentence
 * naming the choice, rather than one alternative's complaint.
 */
export const validatorCompiler: FastifySchemaCompiler<Schema> = ({ schema, httpPart }) => {
  const check = Compile(schema as never);
  if (httpPart === 'body') {
    const trims = hasFreeText(schema);
    const choice = choiceOf(schema);
    return (value: unknown) => {
      const trimmed = trims ? trimFreeText(schema, value) : value;
      if (check.Check(trimmed)) return { value: trimmed };
      const errors = located(check.Errors(trimmed), trimmed);
      if (!choice) return { error: errors };
      const beyond = beyondTheChoice(errors, choice.keys);
      return { error: beyond.length > 0 ? beyond : badRequest('body', `body must have exactly one of ${choice.text}.`) };
    };
  }
  return (value: unknown) => {
    const field = nonDecimalInteger(schema, value);
    if (field !== undefined) return { error: badRequest(field, `${field} must be a plain decimal integer such as 10.`) };
    const converted = Value.Convert(schema as never, value);
    return check.Check(converted) ? { value: converted } : { error: located(check.Errors(converted), converted) };
  };
};

/** Each error with the value at its path, so a message can quote what was sent. */
function located(errors: readonly TValidationError[], value: unknown): Located[] {
  return errors.map((e) => ({
    ...e,
    value: e.instancePath
      .split('/')
      .slice(1)
      .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((at, key) => (typeof at === 'object' && at !== null && Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined), value),
  }));
}

/** The fields that tell a root `oneOf`'s alternatives apart (each requires its own), and `a, b or c`. */
function choiceOf(schema: Schema & { required?: string[] }): { keys: Set<string>; text: string } | undefined {
  const alternatives = (schema.oneOf ?? []) as (Schema & { required?: string[] })[];
  const shared = (key: string) => alternatives.every((a) => a.required?.includes(key));
  const keys = [...new Set(alternatives.flatMap((a) => (a.required ?? []).filter((key) => !shared(key))))];
  if (keys.length < 2) return undefined;
  return { keys: new Set(keys), text: `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)!}` };
}

/**
 * A `oneOf` body's errors without those about which alternative it is: each alternative misses its own
 * field and has the others' as extra ones. What is left (a wrong value, a missing or unknown other field)
 * is what the sender must fix; nothing left means only the choice is wrong.
 */
function beyondTheChoice(errors: readonly Located[], choice: ReadonlySet<string>): Located[] {
  return errors.flatMap((e): Located[] => {
    if (e.keyword === 'oneOf' || e.keyword === 'boolean') return [];
    const p = e.params as { requiredProperties?: string[]; additionalProperties?: string[] };
    const named = e.keyword === 'required' ? 'requiredProperties' : e.keyword === 'additionalProperties' ? 'additionalProperties' : undefined;
    if (e.instancePath !== '' || !named) return [e];
    const others = (p[named] ?? []).filter((key) => !choice.has(key));
    return others.length > 0 ? [{ ...e, params: { ...p, [named]: others } } as Located] : [];
  });
}

const FREE_TEXT_PATTERNS = new Set([Name, Email, FreeText(1)].map((s) => (s as Schema).pattern));

/** The schema and every alternative it allows (`anyOf`, `oneOf`, `allOf`), flattened. */
function alternatives(schema: Schema): Schema[] {
  return [schema, ...[...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].flatMap(alternatives)];
}

const isFreeText = (schema: Schema) => alternatives(schema).some((s) => s.type === 'string' && FREE_TEXT_PATTERNS.has(s.pattern));

const childSchemas = (schema: Schema): Schema[] => [
  ...Object.values(schema.properties ?? {}),
  ...(schema.items && typeof schema.items === 'object' ? [schema.items as Schema] : []),
];

function hasFreeText(schema: Schema): boolean {
  return alternatives(schema).some((s) => isFreeText(s) || childSchemas(s).some(hasFreeText));
}

/**
 * Outer space separators (U+0020, NBSP and the other `Zs`) and BOMs go; control characters such as a tab or
 * a line break stay, for the schema to refuse. Text that is nothing but space stays too, so it is refused as
 * blank rather than as empty.
 */
function withoutOuterSpace(text: string): string {
  const inner = text.replace(/^[\p{Zs}\uFEFF]+|[\p{Zs}\uFEFF]+$/gu, '');
  return inner === '' ? text : inner;
}

/** `value` with every string the schema declares free text trimmed; objects and arrays are changed in place. */
function trimFreeText(schema: Schema, value: unknown): unknown {
  if (typeof value === 'string') return isFreeText(schema) ? withoutOuterSpace(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  for (const s of alternatives(schema)) {
    if (Array.isArray(value)) {
      if (s.items && typeof s.items === 'object') value.forEach((item, i) => (value[i] = trimFreeText(s.items as Schema, item)));
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const [key, property] of Object.entries(s.properties ?? {})) {
      if (Object.hasOwn(record, key)) record[key] = trimFreeText(property, record[key]);
    }
  }
  return value;
}

const PLAIN_DECIMAL = /^-?[0-9]+$/;

/** The first integer field of a query string, path or header object whose text is not a plain decimal. */
function nonDecimalInteger(schema: Schema, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const properties = schema.properties ?? {};
  return Object.entries(value as Record<string, unknown>).find(
    ([key, raw]) => Object.hasOwn(properties, key) && properties[key]!.type === 'integer' && (typeof raw !== 'string' || !PLAIN_DECIMAL.test(raw)),
  )?.[0];
}
