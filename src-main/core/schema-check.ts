/** Checks of values against TypeBox schemas, compiled once per schema object. */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

const validators = new WeakMap<TSchema, ReturnType<typeof Compile>>();
export function validatorOf(schema: TSchema): ReturnType<typeof Compile> {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** Why a value does not match its schema, as `path message`, for an error message; null when it matches. */
export function schemaMismatch(schema: TSchema, value: unknown): string | null {
  const validator = validatorOf(schema);
  if (validator.Check(value)) return null;
  const first = [...validator.Errors(value)][0];
  const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'the response';
  return `${where} ${first?.message ?? 'is invalid'}`;
}
