import { hashString } from '@mockstack/core';
import { FakeData } from '@mockstack/core/fake';
import protobuf from 'protobufjs';

const MAX_DEPTH = 4;

/**
 * Builds messages from their proto types, deterministically: the same seed, method and request
 * give the same message. Values are realistic by field name, enums take a valid (non-zero) value,
 * repeated fields have items, and a response field named like a request field echoes it.
 */
export class AutoMocker {
  readonly #fake = new FakeData();
  readonly #seed: number;
  readonly #cache = new Map<string, Record<string, unknown>>();

  constructor(seed: number) {
    this.#seed = seed;
  }

  /** The auto-mock answer of `method` to `request` (`index` tells stream items apart). */
  message(type: protobuf.Type, method: string, request: unknown, index = 0): Record<string, unknown> {
    const key = `${method}\u0000${index}\u0000${safeJson(request)}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    this.#fake.seed(hashString(key, this.#seed));
    this.#fake.enterObject(undefined);
    const echo = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
    const message = this.#message(type, 0, echo);
    if (this.#cache.size > 1000) this.#cache.clear();
    this.#cache.set(key, message);
    return message;
  }

  #message(type: protobuf.Type, depth: number, echo: Record<string, unknown>): Record<string, unknown> {
    const name = type.fullName.slice(1);
    const fake = this.#fake;
    if (name === 'google.protobuf.Timestamp') {
      const ms = Date.parse(fake.format('date-time') as string);
      return { seconds: Math.floor(ms / 1000), nanos: 0 };
    }
    if (name === 'google.protobuf.Duration') return { seconds: fake.random.int(1, 300), nanos: 0 };
    // One message is one object: its name, email and username fields agree.
    const outer = fake.enterObject(fake.nextObjectSeed());
    const out: Record<string, unknown> = {};
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
      if (field.map) {
        out[field.name] = { [fake.faker.word.noun()]: this.#single(field, depth, type.name) };
      } else if (field.repeated) {
        if (depth >= MAX_DEPTH && field.resolvedType instanceof protobuf.Type) continue;
        out[field.name] = [this.#single(field, depth, type.name), this.#single(field, depth, type.name)];
      } else {
        const value = this.#single(field, depth, type.name);
        if (value !== undefined) out[field.name] = value;
      }
    }
    fake.enterObject(outer);
    return out;
  }

  /** One value of `field` (of message type `parent`): proto types mapped onto the fake-data module. */
  #single(field: protobuf.Field, depth: number, parent: string): unknown {
    const fake = this.#fake;
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return depth >= MAX_DEPTH ? undefined : this.#message(resolved, depth + 1, {});
    if (resolved instanceof protobuf.Enum) {
      const names = Object.keys(resolved.values).filter((n) => resolved.values[n] !== 0);
      return names.length ? fake.faker.helpers.arrayElement(names) : Object.keys(resolved.values)[0];
    }
    switch (field.type) {
      case 'string':
        return fake.string(field.name, parent) ?? fake.faker.lorem.word();
      case 'bool':
        return fake.boolean();
      case 'bytes':
        return btoa(fake.faker.string.alphanumeric(12));
      case 'double':
      case 'float':
        return fake.number(field.name, false);
      default: {
        // Nanos of a money or time value stay 0: they are a fraction of the units beside them.
        const value = /nanos/i.test(field.name) ? 0 : fake.number(field.name, true);
        return /64/.test(field.type) ? String(value) : value;
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
