// ajv and its plugins are CommonJS with `exports.default`; under NodeNext the default import is the
// module object, so take `.default` when it is there.

import type { Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type { OpenApi, OpenApiVersion } from './document.js';
import { compilePattern } from './pattern.js';

type AjvInstance = InstanceType<typeof Ajv2020>;
type Constructor = new (options: Options) => AjvInstance;

function interop<T>(module: T): T {
  const withDefault = module as T & { default?: T };
  return withDefault.default ?? module;
}

const AjvDraft04 = interop(AjvDraft04Module) as unknown as Constructor;
const addFormats = interop(addFormatsModule) as unknown as (ajv: AjvInstance) => AjvInstance;

export type { AjvInstance };

/** Ajv's RegExp engine: see compilePattern. */
const patternRegExp = Object.assign(compilePattern, { code: 'compilePattern' });

/**
 * An Ajv for schemas of one OpenAPI version: draft-04 semantics (boolean exclusiveMinimum,
 * `nullable`) for 3.0, JSON Schema 2020-12 for 3.1. Unknown keywords (`example`, `xml`…) are ignored.
 */
export function createAjv(version: OpenApiVersion, options: Options = {}): AjvInstance {
  // multipleOfPrecision: without it a decimal step is divided in binary floating point, and 19.99 is
  // not a multiple of 0.01 (1998.9999999999998), so a price as every client sends it was refused.
  const base: Options = {
    strict: false,
    allErrors: true,
    logger: false,
    validateFormats: true,
    multipleOfPrecision: 9,
    code: { regExp: patternRegExp },
    ...options,
  };
  const ajv = version === '3.0' ? new AjvDraft04(base) : new Ajv2020(base);
  addFormats(ajv);
  return ajv;
}

const uncoercedAjvs = new WeakMap<OpenApi, AjvInstance>();

/**
 * The document's Ajv for values checked as they are, without coercion: its JSON request bodies and
 * the answers of its operations share it, made when first needed. Each Ajv costs a few ms and what it
 * allocates outlives the first scavenges: with three made per contract (two at start), checkout's old
 * generation reached V8's first limit during its first answers in about half of its starts (a 35-60 ms
 * mark-compact), with two made on first use in none of 38.
 * Its schemas are not checked against the meta-schema: loadOpenApi checked the document.
 */
export function uncoercedAjvOf(api: OpenApi): AjvInstance {
  let ajv = uncoercedAjvs.get(api);
  if (!ajv) {
    ajv = createAjv(api.version, { validateSchema: false, addUsedSchema: false });
    uncoercedAjvs.set(api, ajv);
  }
  return ajv;
}
