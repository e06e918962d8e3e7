import { Ajv, type ErrorObject, type Options } from 'ajv';
import formats, { type FormatsPlugin } from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { dateTimeFormat } from './date-time-format.js';

// ajv-formats is CommonJS; under NodeNext its default import is the function itself at run time.
const withFormats = formats as unknown as FormatsPlugin;
/** ajv-formats' formats, with a faster `date-time` for the common UTC shape (the same verdicts). */
const addFormats = (ajv: Ajv): Ajv => withFormats(ajv).addFormat('date-time', dateTimeFormat);

const common: Options = { removeAdditional: false, useDefaults: true, allErrors: false, allowUnionTypes: true, strict: false };

/**
 * Bodies are validated strictly: "512" is not a number and an unknown field is an error, never
 * silently dropped. Query strings and params arrive as text, so there numbers are coerced.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}

/**
 * For a body whose errors should all be reported, not only the first (a usage batch names every bad
 * event, so that its sender can resend the others).
 */
export function allErrorsValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = addFormats(new Ajv({ ...common, coerceTypes: false, allErrors: true }));
  return ({ schema }) => body.compile(schema as object);
}

/** Checks a value against a schema outside a route (a body assembled by a service); every error listed. */
export function compileChecker<T>(schema: object): (value: unknown) => { ok: true; value: T } | { ok: false; errors: ErrorObject[] } {
  const check = addFormats(new Ajv({ ...common, coerceTypes: false, allErrors: true })).compile(schema);
  return (value) => (check(value) ? { ok: true, value: value as T } : { ok: false, errors: check.errors ?? [] });
}
