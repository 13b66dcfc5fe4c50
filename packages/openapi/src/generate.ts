import type { Faker } from '@faker-js/faker';
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import { hashString, SeededRandom } from '@mockstack/core';
import { isObject, type JsonObject } from './pointer.js';

// Reseeded for every generated value; reseeding faker's own twister per value would cost far more.
const rand = new SeededRandom();
let sharedFaker: Faker | undefined;

/** English faker over `rand` (only the `en` locale is loaded). */
function faker(): Faker {
  if (!sharedFaker) {
    const FakerClass = englishFaker.constructor as typeof Faker;
    sharedFaker = new FakerClass({
      locale: englishFaker.rawDefinitions,
      randomizer: { next: () => rand.next(), seed: (seed) => rand.seed(Array.isArray(seed) ? (seed[0] ?? 0) : seed) },
    });
  }
  return sharedFaker;
}

export interface GenerateOptions {
  /** Same seed, same schema → same value. */
  seed: number;
  /** Follows `$ref`s of the document. */
  resolve: (node: unknown) => unknown;
  /** Leave out `readOnly` (request) or `writeOnly` (response) properties. */
  direction?: 'request' | 'response' | undefined;
}

const MAX_DEPTH = 8;
const FROM = '2024-01-01T00:00:00.000Z';
const TO = '2026-06-30T00:00:00.000Z';

/**
 * A value that fits `schema`, realistic by field name and format (`email`, `uri`, `date-time`,
 * `uuid`…), honouring enums, const, min/max, `allOf`/`oneOf`/`anyOf`; the schema's own example wins.
 */
export function generateValue(schema: unknown, options: GenerateOptions): unknown {
  rand.seed(options.seed);
  return new Generator(options).value(schema, '', '', 0);
}

class Generator {
  readonly #options: GenerateOptions;
  readonly #f = faker();

  constructor(options: GenerateOptions) {
    this.#options = options;
  }

  value(raw: unknown, name: string, parent: string, depth: number): unknown {
    const schema = this.#schema(raw);
    if (schema === undefined) return null;
    if (schema.const !== undefined) return schema.const;
    if (schema.example !== undefined) return schema.example;
    if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
    if (Array.isArray(schema.enum) && schema.enum.length) {
      const choices = schema.enum.filter((v) => v !== null);
      return choices.length ? choices[rand.int(0, choices.length - 1)] : null;
    }
    if (schema.default !== undefined && rand.next() < 0.5) return schema.default;
    if (Array.isArray(schema.allOf)) return this.#allOf(schema, name, parent, depth);
    const options = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
    if (options?.length) {
      const picked = options[rand.int(0, options.length - 1)];
      const { oneOf: _o, anyOf: _a, ...rest } = schema;
      return this.value(Object.keys(rest).length ? { allOf: [rest, picked] } : picked, name, parent, depth);
    }
    switch (typeOf(schema)) {
      case 'object':
        // Fields are named in the context of their object: its component name, else the field holding it.
        return this.#object(schema, componentName(raw) ?? (name || parent), depth);
      case 'array':
        return this.#array(schema, name, parent, depth);
      case 'integer':
        return this.#number(schema, name, true);
      case 'number':
        return this.#number(schema, name, false);
      case 'boolean':
        return rand.next() < 0.5;
      case 'null':
        return null;
      default:
        return this.#string(schema, name, parent);
    }
  }

  #schema(raw: unknown): JsonObject | undefined {
    const resolved = this.#options.resolve(raw);
    if (resolved === true) return {};
    return isObject(resolved) ? resolved : undefined;
  }

  #allOf(schema: JsonObject, name: string, parent: string, depth: number): unknown {
    const merged: JsonObject = { ...schema, allOf: undefined };
    const properties: JsonObject = { ...(isObject(schema.properties) ? schema.properties : {}) };
    const required = new Set<string>(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    // A part with `additionalProperties: false` allows only its own properties.
    let allowed: Set<string> | undefined;
    for (const part of schema.allOf as unknown[]) {
      let resolved = this.#schema(part);
      if (resolved && Array.isArray(resolved.allOf)) resolved = flatten(resolved, (n) => this.#schema(n));
      if (!resolved) continue;
      if (resolved.additionalProperties === false && resolved.patternProperties === undefined) {
        const own = Object.keys(isObject(resolved.properties) ? resolved.properties : {});
        allowed = new Set(allowed ? own.filter((name) => allowed?.has(name)) : own);
      }
      for (const [key, value] of Object.entries(resolved)) {
        if (key === 'properties' && isObject(value)) Object.assign(properties, value);
        else if (key === 'required' && Array.isArray(value)) for (const r of value) required.add(String(r));
        else if (merged[key] === undefined) merged[key] = value;
      }
    }
    delete merged.allOf;
    // Optional properties a closed part forbids are left out; required ones stay (no value can
    // satisfy such a schema, which loading says; the provider clearly means them to be there).
    if (allowed) for (const name of Object.keys(properties)) if (!allowed.has(name) && !required.has(name)) delete properties[name];
    if (Object.keys(properties).length) {
      merged.properties = properties;
      merged.type ??= 'object';
    }
    merged.required = [...required];
    return this.value(merged, name, parent, depth);
  }

  #object(schema: JsonObject, typeName: string, depth: number): unknown {
    const result: JsonObject = {};
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const skip = this.#options.direction === 'request' ? 'readOnly' : 'writeOnly';
    for (const [key, raw] of Object.entries(properties)) {
      // Deep in a recursive schema only what is required, to end the recursion (lists end empty);
      // past twice the depth, a cycle of required objects that never ends is cut.
      if (depth >= MAX_DEPTH / 2 && !required.has(key)) continue;
      if (depth >= MAX_DEPTH * 2) continue;
      const property = this.#schema(raw);
      if (property?.[skip] === true) continue;
      result[key] = this.value(raw, key, typeName, depth + 1);
    }
    const extra = schema.additionalProperties;
    if (Object.keys(properties).length === 0 && extra !== undefined && extra !== false && depth < MAX_DEPTH) {
      const count = rand.int(1, 2);
      for (let i = 0; i < count; i++) result[this.#f.lorem.word()] = this.value(extra === true ? {} : extra, '', typeName, depth + 1);
    }
    return result;
  }

  #array(schema: JsonObject, name: string, parent: string, depth: number): unknown[] {
    if (depth >= MAX_DEPTH) return [];
    const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 3);
    const count = rand.int(min, Math.min(max, min + 3));
    const items = Array.isArray(schema.prefixItems) ? schema.prefixItems : undefined;
    const itemName = name.endsWith('s') ? name.slice(0, -1) : name;
    const values: unknown[] = [];
    for (let i = 0; i < count; i++) values.push(this.value(items?.[i] ?? schema.items ?? {}, itemName, parent, depth + 1));
    if (schema.uniqueItems === true) {
      const seen = new Set<string>();
      return values.filter((v) => {
        const key = JSON.stringify(v);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    return values;
  }

  #number(schema: JsonObject, name: string, integer: boolean): number {
    let min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
    let max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
    // 3.1 (numbers) and 3.0 (booleans) forms of exclusive bounds.
    if (typeof schema.exclusiveMinimum === 'number') min = schema.exclusiveMinimum + (integer ? 1 : 0.01);
    else if (schema.exclusiveMinimum === true && min !== undefined) min += integer ? 1 : 0.01;
    if (typeof schema.exclusiveMaximum === 'number') max = schema.exclusiveMaximum - (integer ? 1 : 0.01);
    else if (schema.exclusiveMaximum === true && max !== undefined) max -= integer ? 1 : 0.01;
    const [low, high] = defaultRange(name, integer, min, max);
    let value = integer ? rand.int(Math.ceil(low), Math.floor(high)) : Math.round((low + rand.next() * (high - low)) * 100) / 100;
    const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : undefined;
    if (step) {
      value = Math.ceil(low / step) * step + Math.floor(rand.next() * Math.max(1, Math.floor((high - low) / step))) * step;
      if (value > high) value = Math.floor(high / step) * step;
      value = Number(value.toFixed(10));
    }
    return value;
  }

  #string(schema: JsonObject, name: string, parent: string): string {
    const f = this.#f;
    const format = typeof schema.format === 'string' ? schema.format : '';
    let value: string | undefined = byFormat(format, f);
    if (value === undefined && typeof schema.pattern === 'string') {
      try {
        value = f.helpers.fromRegExp(schema.pattern.replace(/^\^|\$$/g, ''));
      } catch {
        value = undefined;
      }
    }
    value ??= byName(name, parent, f) ?? f.lorem.words({ min: 1, max: 3 });
    const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
    while (value.length < minLength) value += f.string.alpha({ length: minLength - value.length, casing: 'lower' });
    if (maxLength !== undefined && value.length > maxLength) value = value.slice(0, maxLength);
    return value;
  }
}

function flatten(schema: JsonObject, resolve: (n: unknown) => JsonObject | undefined): JsonObject {
  const merged: JsonObject = { ...schema };
  delete merged.allOf;
  const properties: JsonObject = { ...(isObject(schema.properties) ? schema.properties : {}) };
  for (const part of schema.allOf as unknown[]) {
    const resolved = resolve(part);
    if (!resolved) continue;
    const inner = Array.isArray(resolved.allOf) ? flatten(resolved, resolve) : resolved;
    if (isObject(inner.properties)) Object.assign(properties, inner.properties);
    for (const [key, value] of Object.entries(inner)) if (key !== 'properties' && merged[key] === undefined) merged[key] = value;
  }
  merged.properties = properties;
  return merged;
}

function typeOf(schema: JsonObject): string {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return String(type.find((t) => t !== 'null') ?? 'null');
  if (isObject(schema.properties) || schema.additionalProperties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number';
  return 'string';
}

function defaultRange(name: string, integer: boolean, min: number | undefined, max: number | undefined): [number, number] {
  const n = name.toLowerCase();
  let range: [number, number] = [0, integer ? 100 : 1000];
  if (/price|amount|cost|total|fee|tax|balance|rate/.test(n)) range = integer ? [100, 50_000] : [1, 500];
  else if (/count|quantity|qty|stock|size|page|limit|offset|days|weight/.test(n)) range = [0, 100];
  else if (n === 'age') range = [18, 90];
  else if (n === 'year') range = [1990, 2026];
  else if (/lat(itude)?$/.test(n)) range = [-90, 90];
  else if (/lo?ng(itude)?$/.test(n)) range = [-180, 180];
  else if (/percent|ratio|progress/.test(n)) range = [0, 100];
  const low = min ?? (max !== undefined ? Math.min(range[0], max) : range[0]);
  const high = max ?? (min !== undefined ? Math.max(range[1], min + (integer ? 100 : 100)) : range[1]);
  return [low, Math.max(low, high)];
}

function isoDateTime(f: Faker): string {
  return f.date.between({ from: FROM, to: TO }).toISOString();
}

function byFormat(format: string, f: Faker): string | undefined {
  switch (format) {
    case 'email':
    case 'idn-email':
      return f.internet.email().toLowerCase();
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
      return f.internet.url();
    case 'date-time':
      return isoDateTime(f);
    case 'date':
      return isoDateTime(f).slice(0, 10);
    case 'time':
      return `${isoDateTime(f).slice(11, 19)}Z`;
    case 'uuid':
      return f.string.uuid();
    case 'hostname':
    case 'idn-hostname':
      return f.internet.domainName();
    case 'ipv4':
      return f.internet.ipv4();
    case 'ipv6':
      return f.internet.ipv6();
    case 'byte':
      return Buffer.from(f.lorem.word()).toString('base64');
    case 'password':
      return f.internet.password({ length: 12 });
    case 'duration':
      return `PT${f.number.int({ min: 1, max: 59 })}M`;
    default:
      return undefined;
  }
}

/** Splits `createdAt`, `created_at`, `avatarURL` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const PERSON = /user|person|customer|author|member|employee|contact|owner|account|profile|buyer|seller|recipient|sender|address|shipping|billing/i;

/** `Address` for `{ $ref: '#/components/schemas/Address' }`. */
function componentName(raw: unknown): string | undefined {
  const ref = isObject(raw) ? raw.$ref : undefined;
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
}
const COMPANY = /company|org|vendor|brand|merchant|store|shop|supplier|carrier|provider/i;

/** A realistic string for a field from its name (and its object's name), or undefined. */
function byName(name: string, parent: string, f: Faker): string | undefined {
  const w = words(name);
  const last = w[w.length - 1] ?? '';
  const all = w.join(' ');
  if (all.includes('email')) return f.internet.email().toLowerCase();
  if (['url', 'uri', 'href', 'link', 'website', 'homepage'].includes(last)) return f.internet.url();
  if (last === 'id' || last === 'uuid' || last === 'guid') return f.string.uuid();
  if (last === 'at' || last === 'timestamp' || all === 'created' || all === 'updated') return isoDateTime(f);
  if (last === 'date' || last === 'birthday') return isoDateTime(f).slice(0, 10);
  if (all === 'first name' || all === 'given name' || all === 'firstname') return f.person.firstName();
  if (all === 'last name' || all === 'family name' || all === 'surname' || all === 'lastname') return f.person.lastName();
  if (last === 'username' || last === 'login') return f.internet.username().toLowerCase();
  if (last === 'name' || last === 'title') {
    const context = w.length > 1 ? all : parent;
    if (PERSON.test(context) || /^(to|from|ship to|bill to)$/i.test(context) || all === 'full name') return f.person.fullName();
    if (/pet|dog|cat|animal/i.test(context)) return f.person.firstName();
    if (COMPANY.test(context)) return f.company.name();
    if (/city/i.test(context)) return f.location.city();
    if (/country/i.test(context)) return f.location.country();
    if (last === 'title') return f.lorem.sentence({ min: 3, max: 6 }).replace(/\.$/, '');
    return f.commerce.productName();
  }
  if (/^(description|summary|bio|about|comment|message|note|notes|details|text)$/.test(last)) return f.lorem.sentence();
  if (last === 'phone' || all.includes('phone') || last === 'mobile') return f.phone.number({ style: 'international' });
  if (/street|address/.test(all)) return f.location.streetAddress();
  if (last === 'city') return f.location.city();
  if (all.includes('country code') || all === 'country') return f.location.countryCode();
  if (last === 'zip' || last === 'postcode' || all.includes('postal code')) return f.location.zipCode();
  if (last === 'currency' || all.includes('currency code')) return f.helpers.arrayElement(['EUR', 'USD', 'GBP']);
  if (last === 'sku') return `SKU-${f.string.alphanumeric({ length: 8, casing: 'upper' })}`;
  if (last === 'color' || last === 'colour') return f.color.human();
  if (last === 'company' || last === 'carrier' || last === 'brand' || last === 'vendor') return f.company.name();
  if (last === 'token' || last === 'secret' || last === 'key' || last === 'cursor') return f.string.alphanumeric(24);
  if (last === 'ip') return f.internet.ipv4();
  if (last === 'locale' || last === 'language') return 'en-US';
  if (last === 'version') return f.system.semver();
  if (last === 'code') return f.string.alphanumeric({ length: 6, casing: 'upper' });
  if (last === 'status' || last === 'state') return f.helpers.arrayElement(['active', 'pending', 'inactive']);
  return undefined;
}

/** A seed for one generated value: the scenario's seed mixed with what it is for. */
export function seedFor(seed: number, ...parts: readonly string[]): number {
  return hashString(parts.join('\u0000'), seed >>> 0);
}
