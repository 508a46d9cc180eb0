/**
 * fast-check arbitraries from the server's own OpenAPI 3.0 document: values its schemas declare valid
 * (`validValue`), and values that break exactly one rule of a schema (`invalidValue`), so a fuzz test can
 * hold the server to what the document promises.
 */
import fc from 'fast-check';

/** The part of an OpenAPI 3.0 schema object the server's document uses. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
}

/** Strings and arrays in generated requests stay short: the limits are probed by the invalid values. */
const MAX_GENERATED = 24;

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? MAX_GENERATED, MAX_GENERATED));
  if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (!schema.pattern) return fc.string({ minLength, maxLength, unit: 'grapheme' });
  const pattern = new RegExp(schema.pattern, 'u');
  const fits = (s: string) => pattern.test(s) && [...s].length >= minLength && s.length <= (schema.maxLength ?? Infinity);
  try {
    return fc.stringMatching(pattern, { size: 'xsmall' }).filter(fits);
  } catch {
    // Patterns fast-check cannot invert (lookaheads): draw printable text and keep what matches.
    return fc.string({ minLength: Math.max(minLength, 1), maxLength, unit: 'grapheme-ascii' }).filter(fits);
  }
}

function integerBounds(schema: Schema): { min: number; max: number } {
  let min = schema.minimum ?? Number.MIN_SAFE_INTEGER;
  let max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
  if (schema.exclusiveMinimum === true) min += 1;
  else if (typeof schema.exclusiveMinimum === 'number') min = schema.exclusiveMinimum + 1;
  if (schema.exclusiveMaximum === true) max -= 1;
  else if (typeof schema.exclusiveMaximum === 'number') max = schema.exclusiveMaximum - 1;
  return { min, max };
}

/** Any value the schema accepts. */
export function validValue(schema: Schema): fc.Arbitrary<unknown> {
  const base = validNonNull(schema);
  return schema.nullable ? fc.oneof(fc.constant(null), base) : base;
}

function validNonNull(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validValue));
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map(validValue));
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf) as Schema);
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer': {
      const { min, max } = integerBounds(schema);
      // The edges are where integer handling breaks: take them as often as the middle.
      const anywhere = fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);
      const small = fc.integer({ min: Math.max(min, Math.min(max, 0)), max: Math.min(max, Math.max(min, 1000)) });
      return fc.oneof(small, fc.constantFrom(min, max), anywhere);
    }
    case 'number': {
      const { min, max } = integerBounds(schema);
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, 4));
      const item = validValue(schema.items ?? {});
      return schema.uniqueItems
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case 'object':
    case undefined: {
      if (!schema.properties) return schema.type === 'object' ? fc.constant({}) : fc.jsonValue();
      const model = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, validValue(value)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []) as never[] });
    }
  }
}

/** A value of the wrong JSON type for this schema. */
function wrongType(schema: Schema): unknown[] {
  const samples: Record<string, unknown> = { string: 'not-what-was-asked', integer: 1.5, number: 'seven', boolean: 'yes', array: { not: 'an array' }, object: ['not', 'an', 'object'] };
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  const candidates = Object.entries(samples)
    .filter(([t]) => t !== type && !(type === 'number' && t === 'integer'))
    .map(([, v]) => v);
  return schema.nullable ? candidates : [...candidates, null];
}

/** Ways a value can break this schema, each as a function of a valid value of it. */
function breakers(schema: Schema): ((valid: unknown) => unknown)[] {
  const out: ((valid: unknown) => unknown)[] = [];
  if (schema.anyOf || schema.oneOf || schema.allOf || schema.const !== undefined) return [() => ({ unexpected: [1, 2, 3] })];
  if (schema.enum) return [() => 'not-one-of-the-enum-values', ...wrongType(schema).map((v) => () => v)];
  if (!schema.type && !schema.properties) return []; // any JSON value is valid
  for (const v of wrongType(schema)) out.push(() => v);
  if (schema.type === 'string') {
    if (schema.maxLength !== undefined) out.push(() => 'x'.repeat(schema.maxLength! + 1));
    if ((schema.minLength ?? 0) > 0) out.push(() => '');
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    const { min, max } = integerBounds(schema);
    if (max < Number.MAX_SAFE_INTEGER) out.push(() => max + 1);
    else out.push(() => 2 ** 64); // past every integer the API takes (API.md: 0 ≤ n ≤ 2^53−1)
    if (min > Number.MIN_SAFE_INTEGER) out.push(() => min - 1);
  }
  if (schema.type === 'array' && schema.maxItems !== undefined) out.push((valid) => Array.from({ length: schema.maxItems! + 1 }, () => (valid as unknown[] | undefined)?.[0] ?? 0));
  if (schema.properties) {
    for (const key of schema.required ?? []) {
      out.push((valid) => {
        const copy = { ...(valid as Record<string, unknown>) };
        delete copy[key];
        return copy;
      });
    }
    if (schema.additionalProperties === false) out.push((valid) => ({ ...(valid as object), notAField: true }));
    for (const [key, child] of Object.entries(schema.properties)) {
      for (const breakChild of breakers(child)) {
        out.push((valid) => ({ ...(valid as object), [key]: breakChild((valid as Record<string, unknown> | undefined)?.[key]) }));
      }
    }
  }
  return out;
}

/** A value that breaks the schema, with a word on how (for the failure report). */
export function invalidValue(schema: Schema): fc.Arbitrary<{ how: string; value: unknown }> | null {
  const ways = breakers(schema);
  if (ways.length === 0) return null;
  return fc.tuple(validValue(schema), fc.integer({ min: 0, max: ways.length - 1 })).map(([valid, i]) => {
    const value = ways[i]!(valid);
    return { how: `breaker ${i} of ${ways.length}`, value };
  });
}
