import { hashString } from '@mockstack/core';
import { FakeData, numberRange } from '@mockstack/core/fake';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import randexpModule from 'randexp';
import { compilePattern } from './pattern.js';
import { isObject, type JsonObject } from './pointer.js';
import { typedEnum } from './schemas.js';

/** randexp is CommonJS (`module.exports = RandExp`) typed as an ES module's default export. */
type RandExp = InstanceType<typeof randexpModule.default>;
const RandExp: typeof randexpModule.default =
  (randexpModule as { default?: typeof randexpModule.default }).default ?? (randexpModule as unknown as typeof randexpModule.default);

// Reseeded for every generated value.
let sharedFake: FakeData | undefined;

export interface GenerateOptions {
  /** Same seed, same schema → same value. */
  seed: number;
  /** Follows `$ref`s of the document. */
  resolve: (node: unknown) => unknown;
  /** Leave out `readOnly` (request) or `writeOnly` (response) properties. */
  direction?: 'request' | 'response' | undefined;
  /**
   * Draw one of a `oneOf`/`anyOf`'s options by the seed (a dynamic answer, the items of a stream) instead of
   * taking the first.
   */
  drawOptions?: boolean | undefined;
  /** The value is an error's (a 4xx or 5xx answer): nullable fields named for what failed get values too. */
  failure?: boolean | undefined;
}

const MAX_DEPTH = 8;

/**
 * Names of nullable fields that a usual answer has null: what went wrong or ended early (OpenAI's `error`,
 * `refusal`, `incomplete_details`; Stripe's `last_payment_error`, `canceled_at`, `failure_code`). Other
 * nullable fields get a value.
 */
const ENDED_OR_FAILED = /error|fail|refus|incomplete|cancel|delet|revoked|expired_at|dispute|declin|terminat/i;

/**
 * A value that fits `schema`, realistic by field name and format (`email`, `uri`, `date-time`,
 * `uuid`…), honouring enums, const, min/max, `allOf`/`oneOf`/`anyOf`; the schema's own example wins.
 */
export function generateValue(schema: unknown, options: GenerateOptions): unknown {
  sharedFake ??= new FakeData();
  sharedFake.seed(options.seed);
  sharedFake.enterObject(undefined);
  return new Generator(options, sharedFake).value(schema, '', '', 0);
}

class Generator {
  readonly #options: GenerateOptions;
  readonly #fake: FakeData;

  /** `#schema` as a function to hand on (the example checks, allOf flattening). */
  readonly #asSchema = (node: unknown): JsonObject | undefined => this.#schema(node);

  constructor(options: GenerateOptions, fake: FakeData) {
    this.#options = options;
    this.#fake = fake;
  }

  value(raw: unknown, name: string, parent: string, depth: number): unknown {
    const schema = this.#schema(raw);
    if (schema === undefined) return null;
    if (schema.not !== undefined) return this.#notValue(schema, name, parent, depth);
    return this.#valueOf(raw, schema, name, parent, depth);
  }

  /**
   * A value of a schema with `not`: drawn from the rest of the schema until one does not fit what
   * `not` excludes (`not: { enum: [a, b] }`); a schema that gives no type takes one `not` leaves
   * (`v: { not: { type: string } }`).
   */
  #notValue(schema: JsonObject, name: string, parent: string, depth: number): unknown {
    const { not, ...rest } = schema;
    const excluded = this.#schema(not);
    if (excluded === undefined) return this.#valueOf(rest, rest, name, parent, depth);
    const excludedTypes = Array.isArray(excluded.type) ? excluded.type : typeof excluded.type === 'string' ? [excluded.type] : [];
    if (rest.type === undefined && excludedTypes.length && Object.keys(excluded).length === 1) {
      rest.type = ['string', 'integer', 'boolean', 'object', 'array'].find(
        (type) => !excludedTypes.includes(type) && !(type === 'integer' && excludedTypes.includes('number')),
      );
    }
    let value: unknown;
    for (let attempt = 0; attempt < 8; attempt++) {
      value = this.#valueOf(rest, rest, name, parent, depth);
      if (!exampleFits(excluded, value, this.#asSchema, 0)) return value;
    }
    return value;
  }

  #valueOf(raw: unknown, schema: JsonObject, name: string, parent: string, depth: number): unknown {
    if (schema.const !== undefined) return schema.const;
    const example = ownExample(schema, this.#asSchema);
    if (example !== undefined) return example;
    if (!this.#options.failure && ENDED_OR_FAILED.test(name) && this.#nullable(schema)) return null;
    const values = typedEnum(schema);
    if (values?.length) {
      // Values the rest of the schema allows (Twitter's reply_settings enum has one longer than its own `{1,12}` pattern).
      const { enum: _values, ...rest } = schema;
      const all = values.filter((v) => v !== null);
      const fitting = all.filter((v) => exampleFits(rest, v, this.#asSchema, 0));
      const choices = fitting.length ? fitting : all;
      return choices.length ? choices[this.#fake.random.int(0, choices.length - 1)] : null;
    }
    // A document's default may break its own schema (`type: string, default: null`): such a default is not sent.
    if (schema.default !== undefined && defaultFits(schema, this.#asSchema) && this.#fake.random.next() < 0.5) return schema.default;
    if (Array.isArray(schema.allOf)) return this.#allOf(schema, componentName(raw), name, parent, depth);
    const all = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
    // `anyOf: [X, { type: 'null' }]` is OpenAPI 3.1's nullable (FastAPI writes every optional field so): a value,
    // as for `type: [X, 'null']` and `nullable: true`, not null every other time.
    const options = all && all.length > 1 ? all.filter((option) => !this.#onlyNull(option)) : all;
    if (options?.length) {
      // The first option: the one an API answers by default (Stripe's id before the expanded object), and the one
      // clients know (options are added at the end: a client older than OpenAI's custom tool calls rejects them).
      // A dynamic answer and the items of a stream draw one (`drawOptions`).
      const picked = options[this.#options.drawOptions ? this.#fake.random.int(0, options.length - 1) : 0];
      const { oneOf: _o, anyOf: _a, discriminator, ...rest } = schema;
      const value = this.value(Object.keys(rest).length ? { allOf: [rest, picked] } : picked, name, parent, depth);
      return this.#tagged(value, discriminatorTag(discriminator, isObject(picked) ? picked.$ref : undefined), picked);
    }
    if (schema.discriminator !== undefined) {
      // A base schema generated as itself: one of the schemas its mapping names, or itself tagged with its own name.
      const self = componentName(raw);
      const subtypes = discriminatorTargets(schema.discriminator).filter((target) => componentName({ $ref: target }) !== self);
      const { discriminator, ...rest } = schema;
      if (subtypes.length && depth < MAX_DEPTH) return this.value({ $ref: subtypes[this.#fake.random.int(0, subtypes.length - 1)] }, name, parent, depth + 1);
      return this.#tagged(this.#valueOf(rest, rest, name, parent, depth), discriminatorTag(discriminator, self), rest);
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
        // BritBox's ratings: `type: number, format: int32`, which validators hold to integers.
        return this.#number(schema, name, schema.format === 'int32' || schema.format === 'int64');
      case 'boolean':
        return this.#fake.boolean();
      case 'null':
        return null;
      default:
        return this.#string(schema, name, parent);
    }
  }

  /**
   * `value` with the discriminator's property set to the value naming its schema, as a copy (an object
   * may be the document's own example); left as generated when that value breaks the property's own
   * schema in `schema` (BritBox's and Azure's bases name subtypes that are not in the property's enum).
   */
  #tagged(value: unknown, tag: DiscriminatorTag | undefined, schema: unknown): unknown {
    if (!tag || !isObject(value) || value[tag.property] === tag.value) return value;
    let resolved = this.#schema(schema);
    if (resolved && Array.isArray(resolved.allOf)) resolved = flattenAllOf(resolved, this.#asSchema);
    const property = isObject(resolved?.properties) ? this.#schema(resolved.properties[tag.property]) : undefined;
    let named: unknown = tag.value;
    if (property && !exampleFits(property, named, this.#asSchema, 0)) {
      // Azure's `AKSServiceResponse` is `computeType: AKS` of the enum: the longest enum value its name starts with.
      const lower = tag.value.toLowerCase();
      const prefixes = (Array.isArray(property.enum) ? property.enum : []).filter(
        (v): v is string => typeof v === 'string' && v !== '' && lower.startsWith(v.toLowerCase()),
      );
      named = prefixes.sort((a, b) => b.length - a.length)[0];
      if (named === undefined) return value;
    }
    return { ...value, [tag.property]: named };
  }

  /** Whether a schema allows null: `nullable`, a type list with `null`, a null option, a null in its enum. */
  #nullable(schema: JsonObject): boolean {
    if (schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'))) return true;
    if (Array.isArray(schema.enum) && schema.enum.includes(null)) return true;
    const options = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : [];
    return options.some((option) => this.#onlyNull(option));
  }

  /** Whether a schema allows null and nothing else (`{ type: 'null' }`, `const: null`, `enum: [null]`). */
  #onlyNull(raw: unknown): boolean {
    const schema = this.#schema(raw);
    if (schema === undefined) return false;
    if (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.length > 0 && schema.type.every((t) => t === 'null'))) return true;
    return schema.const === null || (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((v) => v === null));
  }

  #schema(raw: unknown): JsonObject | undefined {
    const resolved = this.#options.resolve(raw);
    if (resolved === true) return {};
    return isObject(resolved) ? resolved : undefined;
  }

  /**
   * `self`: the composite's component name, which a part's `discriminator` (a base schema it extends)
   * gives as the value of its property, unless the mapping or Azure's `x-ms-discriminator-value` names another.
   */
  #allOf(schema: JsonObject, self: string | undefined, name: string, parent: string, depth: number): unknown {
    const merged: JsonObject = { ...schema, allOf: undefined };
    const properties: JsonObject = { ...(isObject(schema.properties) ? schema.properties : {}) };
    const required = new Set<string>(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    // A part with `additionalProperties: false` allows only its own properties.
    let allowed: Set<string> | undefined;
    for (const part of schema.allOf as unknown[]) {
      let resolved = this.#schema(part);
      if (resolved && Array.isArray(resolved.allOf)) resolved = flattenAllOf(resolved, this.#asSchema);
      if (!resolved) continue;
      if (resolved.additionalProperties === false && resolved.patternProperties === undefined) {
        const own = Object.keys(isObject(resolved.properties) ? resolved.properties : {});
        allowed = new Set(allowed ? own.filter((name) => allowed?.has(name)) : own);
      }
      for (const [key, value] of Object.entries(resolved)) {
        if (key === 'properties' && isObject(value)) {
          // A property both declare must fit both (Apple SiriKit's AddMediaIntentHandlingInvocation narrows its base
          // Invocation's open `params` to one requiring `intent`): before, the part's schema replaced the one
          // declared before it, and a required property of the narrower one was left out of every value.
          for (const [property, part] of Object.entries(value)) {
            const before = properties[property];
            properties[property] = before === undefined || JSON.stringify(before) === JSON.stringify(part) ? part : { allOf: [before, part] };
          }
        } else if (key === 'required' && Array.isArray(value)) for (const r of value) required.add(String(r));
        else if (key === 'type' && merged.type !== undefined) merged.type = commonType(merged.type, value);
        // Both parts' items apply (Zalando's Article-Reviews narrows its Page's `content: { items: {} }` to reviews).
        else if (key === 'items' && isObject(merged.items) && isObject(value) && JSON.stringify(merged.items) !== JSON.stringify(value))
          merged.items = { allOf: [merged.items, value] };
        // A value must be in both parts' enums (Ideal Postcodes' hits narrow `dataset` to their own ones).
        else if (key === 'enum' && Array.isArray(merged.enum) && Array.isArray(value)) {
          const both = merged.enum.filter((v) => value.some((w) => JSON.stringify(w) === JSON.stringify(v)));
          if (both.length) merged.enum = both;
        } else if (merged[key] === undefined) merged[key] = value;
      }
    }
    delete merged.allOf;
    // A composite wrapping a discriminated union (InfluxDB's `NotificationRule: allOf: [NotificationRuleDiscriminator]`,
    // whose oneOf and mapping name HTTPNotificationRule, SlackNotificationRule…) is none of its subtypes: the branch
    // picked names itself. Before, every such value was tagged `type: NotificationRule`, which no branch allows.
    const wrapsUnion = isUnionNotListing(merged, self);
    const tag = wrapsUnion ? undefined : discriminatorTag(merged.discriminator, self, merged['x-ms-discriminator-value']);
    if (!wrapsUnion) delete merged.discriminator;
    // Optional properties a closed part forbids are left out; required ones stay (no value can
    // satisfy such a schema, which loading says; the provider clearly means them to be there).
    if (allowed) for (const name of Object.keys(properties)) if (!allowed.has(name) && !required.has(name)) delete properties[name];
    if (Object.keys(properties).length) {
      merged.properties = properties;
      merged.type ??= 'object';
    }
    merged.required = [...required];
    return this.#tagged(this.value(merged, name, parent, depth), tag, merged);
  }

  #object(declared: JsonObject, typeName: string, depth: number): unknown {
    const result: JsonObject = {};
    const schema = this.#withDependents(declared, depth);
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const skip = this.#options.direction === 'request' ? 'readOnly' : 'writeOnly';
    // One object: its name, email and username fields agree.
    const outer = this.#fake.enterObject(this.#fake.nextObjectSeed());
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
    // A required name the schema does not declare (Vestorly's misspelt `orginator_email`, Ideal Postcodes' `notificatinos`) is still
    // required: made from additionalProperties, else as a string named like it.
    if (extra !== false && depth < MAX_DEPTH * 2) {
      for (const key of required) {
        if (key in properties || key in result) continue;
        result[key] = this.value(isObject(extra) ? extra : { type: 'string' }, key, typeName, depth + 1);
      }
    }
    // Named by a pattern (`patternProperties`): one of each where the schema declares no properties, or more to reach minProperties.
    const patterned = isObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
    const least = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
    if (depth < MAX_DEPTH && (Object.keys(properties).length === 0 || Object.keys(result).length < least)) {
      for (const [source, raw] of patterned) {
        const key = this.#propertyName(schema, source, Object.keys(result).length);
        if (key !== undefined && !(key in result)) result[key] = this.value(raw, key, typeName, depth + 1);
      }
    }
    if (Object.keys(properties).length === 0 && patterned.length === 0 && extra !== undefined && extra !== false && depth < MAX_DEPTH) {
      const count = this.#fake.random.int(1, 2);
      for (let i = 0; i < count; i++) {
        const key = this.#propertyName(schema, undefined, i);
        if (key !== undefined) result[key] = this.value(extra === true ? {} : extra, '', typeName, depth + 1);
      }
    }
    // minProperties (Oxford Dictionaries' pronunciations, APIs.guru's info objects): more of the declared
    // properties, then additional ones where allowed.
    for (const key of Object.keys(properties))
      if (Object.keys(result).length < least && !(key in result)) result[key] = this.value(properties[key], key, typeName, depth + 1);
    for (let i = 0; Object.keys(result).length < least && i < least * 2; i++) {
      const [source, raw] = extra === false ? (patterned[i % patterned.length] ?? []) : [undefined, isObject(extra) ? extra : {}];
      if (raw === undefined) break;
      const key = this.#propertyName(schema, source, i);
      if (key !== undefined && !(key in result)) result[key] = this.value(raw, '', typeName, depth + 1);
    }
    const most = typeof schema.maxProperties === 'number' ? schema.maxProperties : undefined;
    if (most !== undefined) {
      for (const key of Object.keys(result)) if (Object.keys(result).length > most && !required.has(key)) delete result[key];
    }
    this.#fake.enterObject(outer);
    return result;
  }

  /**
   * The schema with what its present properties bring (`dependentSchemas`, `dependentRequired`, and the
   * older `dependencies` of both kinds) folded in: a property that will be generated (required, or any
   * declared one above half the depth limit) makes its dependents required and narrows their schemas.
   */
  #withDependents(schema: JsonObject, depth: number): JsonObject {
    const schemas = { ...(isObject(schema.dependencies) ? schema.dependencies : {}), ...(isObject(schema.dependentSchemas) ? schema.dependentSchemas : {}) };
    const names = isObject(schema.dependentRequired) ? schema.dependentRequired : {};
    if (Object.keys(schemas).length === 0 && Object.keys(names).length === 0) return schema;
    const properties: JsonObject = { ...(isObject(schema.properties) ? schema.properties : {}) };
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const present = (key: string) => required.has(key) || (depth < MAX_DEPTH / 2 && key in properties);
    // Twice: a dependent may itself be the trigger of another.
    for (let round = 0; round < 2; round++) {
      for (const [key, list] of Object.entries(names)) if (present(key) && Array.isArray(list)) for (const name of list) required.add(String(name));
      for (const [key, raw] of Object.entries(schemas)) {
        if (!present(key)) continue;
        if (Array.isArray(raw)) {
          for (const name of raw) required.add(String(name));
          continue;
        }
        const dependent = this.#schema(raw);
        if (!dependent) continue;
        if (Array.isArray(dependent.required)) for (const name of dependent.required) required.add(String(name));
        if (!isObject(dependent.properties)) continue;
        for (const [name, narrowed] of Object.entries(dependent.properties)) {
          const base = this.#schema(properties[name]);
          properties[name] = base ? { ...base, ...(this.#schema(narrowed) ?? {}) } : narrowed;
        }
      }
    }
    return { ...schema, properties, required: [...required] };
  }

  /**
   * A name for a property the schema does not declare: one matching `pattern` (a patternProperties
   * key) when given, else a word; either way one that `propertyNames` allows. Undefined when none is found.
   */
  #propertyName(schema: JsonObject, pattern: string | undefined, index: number): string | undefined {
    const rule = this.#schema(schema.propertyNames);
    const namePattern = pattern === undefined ? undefined : patternOf(pattern);
    if (pattern !== undefined && namePattern === undefined) return undefined;
    const fits = (key: string) => (!namePattern || namePattern.test(key)) && (!rule || exampleFits(rule, key, this.#asSchema, 0));
    const word = `${this.#fake.faker.lorem.word()}${index || ''}`;
    if (fits(word)) return word;
    for (let attempt = 0; attempt < 4; attempt++) {
      const made = namePattern ? this.#matching(namePattern, 1, undefined) : rule ? this.#string({ type: 'string', ...rule }, '', '') : undefined;
      if (made !== undefined && fits(made)) return made;
    }
    return undefined;
  }

  #array(schema: JsonObject, name: string, parent: string, depth: number): unknown[] {
    const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
    // Deep in the tree a list ends empty, as objects keep only their required properties there; one that
    // must not be empty gets its minItems, as deep as a required object is kept (Open Banking's product
    // lists, HSBC's and other UK banks' documents, nest ten levels of `minItems: 1`).
    const least = typeof schema.minItems === 'number' ? schema.minItems : 0;
    if (depth >= MAX_DEPTH && (least === 0 || depth >= MAX_DEPTH * 2)) return [];
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 3);
    const count = depth >= MAX_DEPTH ? least : this.#fake.random.int(min, Math.min(max, min + 3));
    const items = Array.isArray(schema.prefixItems) ? schema.prefixItems : undefined;
    const itemName = name.endsWith('s') ? name.slice(0, -1) : name;
    const values: unknown[] = [];
    for (let i = 0; i < count; i++) values.push(this.value(items?.[i] ?? schema.items ?? {}, itemName, parent, depth + 1));
    if (schema.contains !== undefined) this.#contain(schema, values, items?.length ?? 0, itemName, parent, depth);
    if (schema.uniqueItems !== true) return values;
    const seen = new Set<string>();
    const unique = (v: unknown) => {
      const key = JSON.stringify(v);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };
    const distinct = values.filter(unique);
    // Duplicates dropped below minItems (Portfolio Optimizer's groups of at least 2 distinct indexes): draw more.
    for (let tries = 0; distinct.length < min && tries < 20; tries++) {
      const value = this.value(schema.items ?? {}, itemName, parent, depth + 1);
      if (unique(value)) distinct.push(value);
    }
    return distinct;
  }

  /**
   * Makes `minContains` (default 1) of the items after the first `fixed` (prefixItems) fit `contains`
   * as well as `items`, adding items up to maxItems where there are too few.
   */
  #contain(schema: JsonObject, values: unknown[], fixed: number, itemName: string, parent: string, depth: number): void {
    const wanted = typeof schema.minContains === 'number' ? schema.minContains : 1;
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
    const both = schema.items === undefined || schema.items === true ? schema.contains : { allOf: [schema.items, schema.contains] };
    for (let i = fixed; i < fixed + wanted && i < max; i++) values[i] = this.value(both, itemName, parent, depth + 1);
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
    let value = this.#fake.number(name, integer, [low, high]);
    const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : undefined;
    if (step) {
      value = Math.ceil(low / step) * step + Math.floor(this.#fake.random.next() * Math.max(1, Math.floor((high - low) / step))) * step;
      if (value > high) value = Math.floor(high / step) * step;
      value = Number(value.toFixed(10));
    }
    return value;
  }

  #string(schema: JsonObject, name: string, parent: string): string {
    const fake = this.#fake;
    const f = fake.faker;
    const format = typeof schema.format === 'string' ? schema.format : '';
    const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
    let value: string | undefined = format ? fake.format(format) : undefined;
    // A format's value must still match the pattern (`format: uri` with `pattern: ^https://`).
    const pattern = typeof schema.pattern === 'string' ? patternOf(schema.pattern) : undefined;
    // Loket's ids are `format: uuid` with an upper-case-only hex pattern: the format's value in the pattern's case fits both.
    if (pattern && value !== undefined && !pattern.test(value)) value = [value.toUpperCase(), value.toLowerCase()].find((v) => pattern.test(v)) ?? value;
    if (pattern && (value === undefined || !pattern.test(value))) {
      value = this.#matchingBoth(pattern, format, value, minLength, maxLength) ?? value;
      // A pattern that fixes only a prefix (Stripe's `^cus_`, `^sk-`, `^urn:`) names ids after it: not the bare prefix.
      if (value !== undefined && /[_\-:/.]$/.test(value) && !/\$\)*$/.test(pattern.source)) {
        const room = maxLength === undefined ? 14 : Math.min(14, maxLength - value.length);
        const id = room > 0 ? value + f.string.alphanumeric({ length: room }) : value;
        if (pattern.test(id)) value = id;
      }
    }
    value ??= fake.string(name, parent) ?? fake.words();
    while (value.length < minLength) value += f.string.alpha({ length: minLength - value.length, casing: 'lower' });
    if (maxLength !== undefined && value.length > maxLength) value = value.slice(0, maxLength);
    return value;
  }

  /**
   * A string matching `pattern` that also has `format` (Optimade's versioned base URLs: `format: uri` with
   * a pattern for the path's end): one the pattern makes when it has the format, else the format's value
   * `formatted` followed by one the pattern makes (a pattern not anchored at its start allows a prefix);
   * else what the pattern makes, for the pattern is the more specific of the two.
   */
  #matchingBoth(pattern: RegExp, format: string, formatted: string | undefined, minLength: number, maxLength: number | undefined): string | undefined {
    const first = this.#matching(pattern, minLength, maxLength);
    if (!format || first === undefined || formatFits(format, first)) return first;
    const fits = (value: string) => formatFits(format, value) && pattern.test(value) && (maxLength === undefined || value.length <= maxLength);
    for (let attempt = 0; attempt < 4; attempt++) {
      const made = attempt === 0 ? first : this.#matching(pattern, minLength, maxLength, true);
      if (made === undefined) break;
      if (fits(made)) return made;
      if (formatted === undefined) continue;
      const joined = [formatted + made, `${formatted.replace(/\/$/, '')}/${made.replace(/^\//, '')}`].find(fits);
      if (joined !== undefined) return joined;
    }
    return first;
  }

  /**
   * A string matching `pattern` within the length bounds (randexp, drawing from the seeded random),
   * or undefined when the few tries all miss: randexp ignores what it cannot read (`\\p{L}`, lookarounds).
   */
  #matching(pattern: RegExp, minLength: number, maxLength: number | undefined, plain = false): string | undefined {
    let generator: RandExp;
    try {
      generator = new RandExp(greedy(boundedRepeats(pattern, Math.max(MAX_REPEAT, minLength))));
    } catch {
      return undefined;
    }
    // `.` and negated classes drawn from letters and digits only: what a format (a URI's path) takes as it is.
    if (plain) generator.defaultRange = generator.defaultRange.subtract(0, 0x10ffff).add(0x30, 0x39).add(0x41, 0x5a).add(0x61, 0x7a);
    generator.randInt = (low: number, high: number) => this.#fake.random.int(low, high);
    // `*` and `+` repeat a few times, not randexp's default of up to 100.
    generator.max = Math.max(4, minLength);
    const fits = (value: string) => pattern.test(value) && value.length >= minLength && (maxLength === undefined || value.length <= maxLength);
    for (let attempt = 0; attempt < 10; attempt++) {
      // Two more tries repeat `*` and `+` as few times as they allow: AWS Clean Rooms' ids are
      // `.*[0-9a-f]{8}-…-[0-9a-f]{12}.*` of exactly 36 characters, which only empty `.*`s make.
      if (attempt === 8) generator.max = 0;
      const value = generator.gen();
      if (fits(value)) return value;
      // Repeats rarely land on an exact length (AWS's ids: `^[0-9a-zA-Z]+$` of exactly 10): cut to the
      // bound, or repeat the value's own characters up to it, and take that when it still matches.
      const cut = maxLength !== undefined && value.length > maxLength ? value.slice(0, maxLength) : undefined;
      if (cut !== undefined && fits(cut)) return cut;
      const grown = value.length > 0 && value.length < minLength ? value.repeat(Math.ceil(minLength / value.length)).slice(0, minLength) : undefined;
      if (grown !== undefined && fits(grown)) return grown;
    }
    return undefined;
  }
}

/** The most times a generated string repeats one part of a pattern (beyond what minLength needs). */
const MAX_REPEAT = 32;

/**
 * `pattern` with its `{m,n}` repeats capped at `cap` (at least m): randexp draws a count up to n, and
 * Seldon's `^.{1,2097152}` made every answer a string of up to 2 million characters, blocking the server
 * for seconds. What comes out is checked against the original pattern.
 */
function boundedRepeats(pattern: RegExp, cap: number): RegExp {
  if (!/\{\d+,\d*\}/.test(pattern.source)) return pattern;
  const source = pattern.source.replace(/(?<!\\)\{(\d+),(\d*)\}/g, (whole, low: string, high: string) => {
    const min = Number(low);
    const max = high === '' ? Number.POSITIVE_INFINITY : Number(high);
    return max - min > cap ? `{${min},${min + cap}}` : whole;
  });
  try {
    return new RegExp(source, pattern.flags);
  } catch {
    return pattern;
  }
}

/**
 * `pattern` with lazy quantifiers made greedy (`+?` → `+`): they match the same strings, but randexp
 * reads the `?` as making the repeat optional, so AWS's ARN pattern `^arn:[a-z-]+?:[a-z-]+?:…` gave
 * `arn:::…` three times in four, and after a few misses the value was no ARN at all.
 */
function greedy(pattern: RegExp): RegExp {
  if (!/[+*?}]\?/.test(pattern.source)) return pattern;
  try {
    return new RegExp(pattern.source.replace(/(?<!\\)([+*?}])\?/g, '$1'), pattern.flags);
  } catch {
    return pattern;
  }
}

/** Compiled `pattern`s, by source (null: JavaScript cannot compile it). */
const patterns = new Map<string, RegExp | null>();

/** A schema's `pattern` as a RegExp (as createAjv reads it), or undefined when JavaScript cannot compile it. */
function patternOf(source: string): RegExp | undefined {
  let compiled = patterns.get(source);
  if (compiled === undefined) {
    try {
      compiled = compilePattern(source);
    } catch {
      compiled = null;
    }
    if (patterns.size < 10_000) patterns.set(source, compiled);
  }
  return compiled ?? undefined;
}

/** `schema` (which has an `allOf`) as one schema: its parts' properties and required names merged in, their other keywords where it has none. */
export function flattenAllOf(schema: JsonObject, resolve: (n: unknown) => JsonObject | undefined): JsonObject {
  const merged: JsonObject = { ...schema };
  delete merged.allOf;
  const properties: JsonObject = { ...(isObject(schema.properties) ? schema.properties : {}) };
  // Every part's required names: Spotify's album is allOf [AlbumBase (its own required), { required: [artists] }].
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  for (const part of schema.allOf as unknown[]) {
    const resolved = resolve(part);
    if (!resolved) continue;
    const inner = Array.isArray(resolved.allOf) ? flattenAllOf(resolved, resolve) : resolved;
    if (isObject(inner.properties)) Object.assign(properties, inner.properties);
    if (Array.isArray(inner.required)) for (const name of inner.required) required.add(String(name));
    for (const [key, value] of Object.entries(inner)) if (key !== 'properties' && key !== 'required' && merged[key] === undefined) merged[key] = value;
  }
  merged.properties = properties;
  if (required.size) merged.required = [...required];
  return merged;
}

/** The types both `type`s allow (an integer is a number); the first when they share none (no value fits both). */
function commonType(first: unknown, second: unknown): unknown {
  const list = (type: unknown) => (Array.isArray(type) ? type.map(String) : [String(type)]);
  const others = list(second);
  const shared = list(first).flatMap((type) => (others.includes(type) ? [type] : type === 'number' && others.includes('integer') ? ['integer'] : []));
  if (list(first).includes('integer') && others.includes('number') && !shared.includes('integer')) shared.push('integer');
  if (shared.length === 0) return first;
  return shared.length === 1 ? shared[0] : shared;
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

/** The field name's range (see numberRange), narrowed or widened by the schema's own bounds. */
function defaultRange(name: string, integer: boolean, min: number | undefined, max: number | undefined): [number, number] {
  const range = numberRange(name, integer);
  const low = min ?? (max !== undefined ? Math.min(range[0], max) : range[0]);
  const high = max ?? (min !== undefined ? Math.max(range[1], min + 100) : range[1]);
  return [low, Math.max(low, high)];
}

/** A discriminator's property and the value that names `target` (a `$ref` or a component name) by it. */
type DiscriminatorTag = { property: string; value: string };

/**
 * What a `discriminator` (3.x's object, or Swagger 2.0's property name) says the schema `target` is
 * called: its key in the mapping (a mapping value is a `$ref` or a schema name), else `own` (Azure's
 * `x-ms-discriminator-value`), else the schema's name, as OpenAPI's implicit mapping has it.
 */
function discriminatorTag(discriminator: unknown, target: unknown, own?: unknown): DiscriminatorTag | undefined {
  const property = typeof discriminator === 'string' ? discriminator : isObject(discriminator) ? discriminator.propertyName : undefined;
  if (typeof property !== 'string' || typeof target !== 'string') return undefined;
  const name = target.slice(target.lastIndexOf('/') + 1);
  const mapping = isObject(discriminator) && isObject(discriminator.mapping) ? discriminator.mapping : {};
  const key = Object.keys(mapping).find((k) => {
    const to = String(mapping[k]);
    return to === target || to === name || to.endsWith(`/${name}`);
  });
  return { property, value: key ?? (typeof own === 'string' ? own : name) };
}

/** Whether `schema` is a oneOf/anyOf whose branches and discriminator mapping leave out the component `self`. */
function isUnionNotListing(schema: JsonObject, self: string | undefined): boolean {
  const branches = [...(Array.isArray(schema.oneOf) ? schema.oneOf : []), ...(Array.isArray(schema.anyOf) ? schema.anyOf : [])];
  if (branches.length === 0) return false;
  const named = [...branches.map(componentName), ...discriminatorTargets(schema.discriminator).map((target) => componentName({ $ref: target }))];
  return self === undefined || !named.includes(self);
}

/** The `$ref`s a discriminator's mapping names (a bare schema name is one of the document's components). */
function discriminatorTargets(discriminator: unknown): string[] {
  const mapping = isObject(discriminator) && isObject(discriminator.mapping) ? discriminator.mapping : {};
  return Object.values(mapping).map((to) => (String(to).includes('/') ? String(to) : `#/components/schemas/${String(to)}`));
}

/** `Address` for `{ $ref: '#/components/schemas/Address' }`. */
function componentName(raw: unknown): string | undefined {
  const ref = isObject(raw) ? raw.$ref : undefined;
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
}

/** A seed for one generated value: the scenario's seed mixed with what it is for. */
export function seedFor(seed: number, ...parts: readonly string[]): number {
  return hashString(parts.join('\u0000'), seed >>> 0);
}

/** Whether a schema's `default` fits it (CloudRF's `mod` has `minimum: 1, default: 0`; a null default needs `nullable` or a `null` type). */
function defaultFits(schema: JsonObject, resolve: (node: unknown) => JsonObject | undefined): boolean {
  return exampleFits(schema, schema.default, resolve, 0);
}

function typeFits(schema: JsonObject, value: unknown): boolean {
  const types = Array.isArray(schema.type) ? schema.type : typeof schema.type === 'string' ? [schema.type] : undefined;
  if (!types) return true;
  if (value === null) return types.includes('null') || schema.nullable === true;
  const kind = Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : typeof value;
  if (kind === 'number') return types.includes('number') || (types.includes('integer') && Number.isInteger(value));
  return types.includes(kind);
}

/**
 * The schema's own example (`example`, else the first of `examples`) when it fits the schema, else
 * undefined (a value is then generated). Published documents have examples that break their own
 * schemas (BeezUP's `type: integer, example: "1001"`, Vimeo's `type: boolean, example: "true"`, objects
 * without their required properties): a string that reads as the declared number or boolean is taken
 * as that value; any other misfit of type, enum, pattern, length, bounds, format (as Ajv checks it: Nexmo's
 * relative `format: url` links), required or undeclared properties of a closed object,
 * in the example, the properties and items it holds or its allOf parts and oneOf/anyOf options (one must
 * fit), is not used.
 */
function ownExample(schema: JsonObject, resolve: (node: unknown) => JsonObject | undefined): unknown {
  const example = schema.example !== undefined ? schema.example : Array.isArray(schema.examples) ? schema.examples[0] : undefined;
  if (example === undefined || exampleFits(schema, example, resolve, 0)) return example;
  if (typeof example !== 'string') return undefined;
  const read =
    example === 'true' ? true : example === 'false' ? false : example.trim() !== '' && Number.isFinite(Number(example)) ? Number(example) : undefined;
  return read !== undefined && exampleFits(schema, read, resolve, 0) ? read : undefined;
}

/** Whether `value` fits `schema` as far as the checks of ownExample go (a cheap check, not a validator). */
export function valueFits(schema: unknown, value: unknown, resolve: (node: unknown) => unknown): boolean {
  const asSchema = (node: unknown): JsonObject | undefined => {
    const resolved = resolve(node);
    return resolved === true ? {} : isObject(resolved) ? resolved : undefined;
  };
  const root = asSchema(schema);
  return root === undefined || exampleFits(root, value, asSchema, 0);
}

function exampleFits(schema: JsonObject, value: unknown, resolve: (node: unknown) => JsonObject | undefined, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  const parts = (list: unknown) => (Array.isArray(list) ? list.map(resolve).filter((part) => part !== undefined) : []);
  if (parts(schema.allOf).some((part) => !exampleFits(part, value, resolve, depth + 1))) return false;
  for (const list of [schema.oneOf, schema.anyOf]) {
    const options = parts(list);
    if (options.length && !options.some((part) => exampleFits(part, value, resolve, depth + 1))) return false;
  }
  if (!typeFits(schema, value)) return false;
  const values = typedEnum(schema);
  if (values && (value === null || typeof value !== 'object') && !values.includes(value)) return false;
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
    const pattern = typeof schema.pattern === 'string' ? patternOf(schema.pattern) : undefined;
    if (pattern && !pattern.test(value)) return false;
    return formatFits(schema.format, value);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
    return formatFits(schema.format, value);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return false;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return false;
    const items = schema.items === undefined ? undefined : resolve(schema.items);
    return items === undefined || value.every((item) => exampleFits(items, item, resolve, depth + 1));
  }
  if (value === null || typeof value !== 'object') return true;
  const record = value as JsonObject;
  if (Array.isArray(schema.required) && schema.required.some((name) => typeof name === 'string' && !(name in record))) return false;
  const properties = isObject(schema.properties) ? schema.properties : {};
  // Closed objects: parts of an allOf each list only their own properties, so only a schema without parts is checked.
  if (schema.additionalProperties === false && schema.patternProperties === undefined && schema.allOf === undefined) {
    if (Object.keys(record).some((name) => !(name in properties))) return false;
  }
  for (const [name, raw] of Object.entries(properties)) {
    if (record[name] === undefined) continue;
    const property = resolve(raw);
    if (property && !exampleFits(property, record[name], resolve, depth + 1)) return false;
  }
  return true;
}

/**
 * Whether `value` has `format`, checked as the validators check it (ajv-formats' full formats); formats
 * Ajv does not know pass.
 */
function formatFits(format: unknown, value: string | number): boolean {
  const known = typeof format === 'string' ? (fullFormats as Record<string, unknown>)[format] : undefined;
  const definition = isObject(known) && !(known instanceof RegExp) ? known : { validate: known };
  if ((definition.type ?? 'string') !== typeof value) return true;
  const check = definition.validate;
  if (check instanceof RegExp) return check.test(String(value));
  return typeof check === 'function' ? Boolean(check(value)) : true;
}
