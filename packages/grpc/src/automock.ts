import type { Faker } from '@faker-js/faker';
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import { hashString } from '@mockstack/core';
import protobuf from 'protobufjs';
import { anyUrlField } from './codec.js';

/** Auto-mocked dates are drawn before this instant, so that a seed always gives the same message. */
const REF_DATE = '2026-01-01T00:00:00.000Z';
const MAX_DEPTH = 4;

type Gen = (f: Faker) => unknown;

/** Realistic string values by field name (lowerCamelCase), first match wins. */
const STRING_FIELDS: [RegExp, Gen][] = [
  [/email/i, (f) => f.internet.email().toLowerCase()],
  [/(^|[a-z])(Id|Ids)$|^id$|uuid|token|key$/i, (f) => f.string.uuid()],
  [/firstName/i, (f) => f.person.firstName()],
  [/lastName|surname/i, (f) => f.person.lastName()],
  [/(^|[a-z])(fullName|displayName|customerName|userName|holderName)$|^name$/i, (f) => f.person.fullName()],
  [/phone/i, (f) => f.phone.number({ style: 'international' })],
  [/url|uri|link|website/i, (f) => f.internet.url()],
  [/currency/i, () => 'EUR'],
  [/country/i, (f) => f.location.countryCode()],
  [/city/i, (f) => f.location.city()],
  [/street|address/i, (f) => f.location.streetAddress()],
  [/zip|postal/i, (f) => f.location.zipCode()],
  [/(At|Time|Date|Timestamp)$/, (f) => f.date.recent({ days: 30 }).toISOString()],
  [/company|merchant/i, (f) => f.company.name()],
  [/product|title/i, (f) => f.commerce.productName()],
  [/sku/i, (f) => `SKU-${f.string.alphanumeric({ length: 6, casing: 'upper' })}`],
  [/description|reason|message|comment|note/i, (f) => f.lorem.sentence()],
  [/status|state/i, () => 'OK'],
  [/name/i, (f) => f.commerce.productName()],
];

const NUMBER_FIELDS: [RegExp, Gen][] = [
  [/nanos/i, () => 0],
  [/quantity|count|size|total|number/i, (f) => f.number.int({ min: 1, max: 10 })],
  [/units|amount|price|cents/i, (f) => f.number.int({ min: 100, max: 50_000 })],
  [/age/i, (f) => f.number.int({ min: 18, max: 90 })],
  [/lat/i, (f) => f.location.latitude()],
  [/lon|lng/i, (f) => f.location.longitude()],
  [/percent|ratio|rate/i, (f) => f.number.float({ min: 0, max: 1, fractionDigits: 2 })],
];

/**
 * Builds messages from their proto types, deterministically: the same seed, method and request
 * give the same message. Values are realistic by field name, enums take a valid (non-zero) value,
 * repeated fields have items, and a response field named like a request field echoes it.
 */
export class AutoMocker {
  // Its own instance (own seed), built from the English-only entry point: loading every locale costs ~150 ms of start-up.
  readonly #faker: Faker = new (englishFaker.constructor as typeof Faker)({ locale: englishFaker.rawDefinitions });
  readonly #seed: number;
  readonly #cache = new Map<string, Record<string, unknown>>();

  constructor(seed: number) {
    this.#seed = seed;
    this.#faker.setDefaultRefDate(REF_DATE);
  }

  /** The auto-mock answer of `method` to `request` (`index` tells stream items apart). */
  message(type: protobuf.Type, method: string, request: unknown, index = 0): Record<string, unknown> {
    const key = `${method}\u0000${index}\u0000${safeJson(request)}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    this.#faker.seed(hashString(key, this.#seed));
    const echo = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
    const message = this.#message(type, 0, echo, new Set());
    if (this.#cache.size > 1000) this.#cache.clear();
    this.#cache.set(key, message);
    return message;
  }

  /**
   * `path` holds the message types being built above this one: a field that would nest a type inside
   * itself (a tree, a map of children) is left empty, so recursive messages end and stay valid.
   */
  #message(type: protobuf.Type, depth: number, echo: Record<string, unknown>, path: ReadonlySet<protobuf.Type>): Record<string, unknown> {
    const name = type.fullName.slice(1);
    if (name === 'google.protobuf.Timestamp') {
      const ms = this.#faker.date.recent({ days: 30 }).getTime();
      return { seconds: Math.floor(ms / 1000), nanos: 0 };
    }
    if (name === 'google.protobuf.Duration') return { seconds: this.#faker.number.int({ min: 1, max: 300 }), nanos: 0 };
    // An Any must name a type a client can resolve: an empty google.protobuf.Empty.
    if (name === 'google.protobuf.Any') return { [anyUrlField(type)]: 'type.googleapis.com/google.protobuf.Empty', value: '' };
    const out: Record<string, unknown> = {};
    const below = new Set(path).add(type);
    const skipped = new Set<string>();
    // One member per oneof: the first.
    for (const oneof of type.oneofsArray) for (const field of oneof.fieldsArray.slice(1)) skipped.add(field.name);
    for (const field of type.fieldsArray) {
      if (skipped.has(field.name)) continue;
      field.resolve();
      const echoed = echo[field.name];
      if (echoed !== undefined && echoed !== null && echoed !== '' && !field.repeated && !field.map && !(field.resolvedType instanceof protobuf.Type)) {
        out[field.name] = echoed;
        continue;
      }
      const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
      if (nested && (depth >= MAX_DEPTH || below.has(nested))) continue;
      if (field.map) {
        const key = field instanceof protobuf.MapField ? this.#mapKey(field) : this.#faker.word.noun();
        out[field.name] = { [key]: this.#single(field, depth, below) };
      } else if (field.repeated) {
        out[field.name] = [this.#single(field, depth, below), this.#single(field, depth, below)];
      } else {
        const value = this.#single(field, depth, below);
        if (value !== undefined) out[field.name] = value;
      }
    }
    return out;
  }

  /** A key of the map's key type (maps may be keyed by integers or booleans, not only strings). */
  #mapKey(field: protobuf.MapField): string {
    switch (field.keyType) {
      case 'string':
        return this.#faker.word.noun();
      case 'bool':
        return String(this.#faker.datatype.boolean());
      default:
        return String(this.#faker.number.int({ min: 1, max: 1000 }));
    }
  }

  #single(field: protobuf.Field, depth: number, path: ReadonlySet<protobuf.Type>): unknown {
    const f = this.#faker;
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.#message(resolved, depth + 1, {}, path);
    if (resolved instanceof protobuf.Enum) {
      const names = Object.keys(resolved.values).filter((n) => resolved.values[n] !== 0);
      return names.length ? f.helpers.arrayElement(names) : Object.keys(resolved.values)[0];
    }
    switch (field.type) {
      case 'string':
        return (STRING_FIELDS.find(([re]) => re.test(field.name))?.[1] ?? ((x: Faker) => x.lorem.word()))(f);
      case 'bool':
        return f.datatype.boolean();
      case 'bytes':
        return Buffer.from(f.string.alphanumeric(12)).toString('base64');
      case 'double':
      case 'float':
        return (NUMBER_FIELDS.find(([re]) => re.test(field.name))?.[1] ?? ((x: Faker) => x.number.float({ min: 0, max: 1000, fractionDigits: 2 })))(f);
      default: {
        const value = Number((NUMBER_FIELDS.find(([re]) => re.test(field.name))?.[1] ?? ((x: Faker) => x.number.int({ min: 1, max: 1000 })))(f));
        const int = Math.round(value);
        return /64/.test(field.type) ? String(int) : int;
      }
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
