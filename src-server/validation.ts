import type { TValidationError } from 'typebox/error';
import { PATTERN_MEANINGS } from '../src-shared/api/common.js';
import { badRequest, unknownSortField, type ApiError } from './errors.js';

/** A schema violation, with the value it is about (`validator.ts` adds it). */
export type Located = TValidationError & { message?: string; value?: unknown };

/** Where the error is, as a person reads it: `name`, `frequency.at`, `sources[2]`. */
function fieldOf(instancePath: string, part: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (parts.length === 0) return part === 'body' ? 'body' : part;
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describe(e: Located): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${(p.requiredProperties as string[]).join(', ')} is required`;
    case 'additionalProperties':
      return `unknown field "${(p.additionalProperties as string[]).join('", "')}"`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'pattern':
      return PATTERN_MEANINGS[p.pattern as string] ?? `has an invalid format`;
    case 'minimum':
    case 'maximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minProperties':
      return 'must name at least one field to change';
    default:
      return e.message ?? `is invalid (${e.keyword})`;
  }
}

/** The field a missing or unknown property error is about: the property itself, not the object holding it. */
function propertyOf(e: Located): string | undefined {
  const p = e.params as { requiredProperties?: string[]; additionalProperties?: string[] };
  if (e.keyword === 'required') return p.requiredProperties?.[0];
  if (e.keyword === 'additionalProperties') return p.additionalProperties?.[0];
  return undefined;
}

/**
 * The 400 for a request part that failed its schema: one sentence naming the first thing wrong, and that
 * field in `details.field` (the part itself, `body` or `querystring`, when the part as a whole is wrong).
 * A nullable field fails once per alternative plus an `anyOf`: a broken limit (`minimum`) says most,
 * else the alternatives' types together.
 */
export function validationError(errors: readonly Located[], part: string): ApiError {
  const meaningful = errors.filter((e) => e.keyword !== 'boolean');
  const first = meaningful.find((e) => e.keyword !== 'anyOf') ?? errors[0];
  if (!first) return badRequest(part, `${part} is invalid`);
  const where = fieldOf(first.instancePath, part);
  // A list's sort names a field (API.md): refused by its enum, it reads as the list spec's refusal does.
  if (first.keyword === 'enum' && part === 'querystring' && where === 'sort') {
    const allowed = (first.params as { allowedValues: string[] }).allowedValues;
    return unknownSortField(String(first.value).replace(/^-/, ''), allowed.filter((f) => !f.startsWith('-')));
  }
  const property = propertyOf(first);
  const field = property === undefined ? where : fieldOf(`${first.instancePath}/${property}`, part);
  return badRequest(field, messageOf(first, where, part, meaningful));
}

function messageOf(first: Located, where: string, part: string, meaningful: readonly Located[]): string {
  if (first.keyword === 'required' || first.keyword === 'additionalProperties' || first.keyword === 'minProperties') {
    return where === part ? describe(first) : `${where}: ${describe(first)}`;
  }
  const siblings = meaningful.filter((e) => e.instancePath === first.instancePath && e.keyword !== 'anyOf');
  const limit = siblings.find((e) => e.keyword !== 'type');
  if (limit) return `${where} ${describe(limit)}`;
  // Alternatives of a oneOf may each report the same type.
  const types = [...new Set(siblings.map((e) => String((e.params as { type?: unknown }).type)))];
  return `${where} must be ${types.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : t === 'null' ? 'null' : `a ${t}`)).join(' or ')}`;
}
