import protobuf from 'protobufjs';

/**
 * Messages as handlers see and write them: field names in lowerCamelCase, enums as names,
 * 64-bit integers as strings, bytes as base64, unset fields present with their defaults.
 */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, defaults: true, oneofs: true };

/** A message a handler wrote that does not fit its proto type; `path` names the field. */
export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`field ${path}: ${problem}`);
    this.name = 'ShapeError';
  }
}

/** A request the client sent that does not decode; handled as INVALID_ARGUMENT, never thrown into grpc-js. */
export class BadMessage {
  constructor(readonly reason: string) {}
}

/**
 * protobufjs' reader of a Buffer (strings decoded natively, as grpc-js' own deserialisers do), except that
 * a string running past the end is an error: its BufferReader cuts it short silently. (Its plain Uint8Array
 * reader checks, but decodes strings in JavaScript, an extra array and slices per string.)
 */
class CheckedBufferReader extends protobuf.BufferReader {
  declare buf: Buffer & { utf8Slice(start: number, end: number): string };

  override string(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    return this.buf.utf8Slice(start, end);
  }
}

/** Decodes a request without throwing: a malformed or truncated buffer becomes a BadMessage. */
export function decoder(type: protobuf.Type): (buffer: Uint8Array) => unknown {
  return (buffer) => {
    try {
      const bytes = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      return type.toObject(type.decode(new CheckedBufferReader(bytes)), TO_OBJECT);
    } catch (error) {
      return new BadMessage(`the request is not a valid ${type.fullName.slice(1)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

/** Checks a message against its type (naming the first wrong field) and encodes it. */
export function encode(type: protobuf.Type, value: unknown): Buffer {
  const prepared = prepareMessage(type, value ?? {}, '');
  return Buffer.from(type.encode(type.fromObject(prepared)).finish());
}

const INT32 = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const WRAPPERS = new Set([
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
  'google.protobuf.BoolValue',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.FloatValue',
  'google.protobuf.DoubleValue',
]);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A copy of `value` that protobufjs' `fromObject` encodes faithfully, or a ShapeError. */
export function prepareMessage(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> {
  const name = type.fullName.slice(1);
  const special = prepareWellKnown(type, value, path);
  if (special !== undefined) return special;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new ShapeError(path || '(message)', `expected a ${name} object, got ${describe(value)}`);
  }
  const out: Record<string, unknown> = {};
  const fields = type.fields;
  for (const [key, raw] of Object.entries(value)) {
    if (raw === undefined || raw === null) continue;
    const field = fields[key];
    if (!field) {
      // `oneofs: true` adds the name of the member that is set; accept it back.
      if (type.oneofs?.[key] && typeof raw === 'string') continue;
      throw new ShapeError(join(path, key), `${name} has no such field (it has ${Object.keys(fields).join(', ') || 'no fields'})`);
    }
    out[key] = prepareField(field, raw, join(path, key));
  }
  for (const field of type.fieldsArray) {
    if (field.required && out[field.name] === undefined) throw new ShapeError(join(path, field.name), `is required in ${name} (proto2 required) but not set`);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => out[f.name] !== undefined);
    if (set.length > 1) throw new ShapeError(join(path, oneof.name), `only one of ${set.map((f) => f.name).join(', ')} may be set (oneof ${oneof.name})`);
  }
  return out;
}

function prepareField(field: protobuf.Field, value: unknown, path: string): unknown {
  field.resolve();
  if (field.map) {
    if (typeof value !== 'object' || Array.isArray(value)) throw new ShapeError(path, `expected a map (object), got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as object)) out[k] = prepareSingle(field, v, `${path}[${JSON.stringify(k)}]`);
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new ShapeError(path, `is repeated, so expected an array, got ${describe(value)}`);
    return value.map((v, i) => prepareSingle(field, v, `${path}[${i}]`));
  }
  return prepareSingle(field, value, path);
}

function prepareSingle(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return prepareMessage(resolved, value, path);
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string' && value in resolved.values) return value;
    if (typeof value === 'number' && Object.values(resolved.values).includes(value)) return value;
    throw new ShapeError(path, `${describe(value)} is not a value of enum ${resolved.fullName.slice(1)} (${Object.keys(resolved.values).join(', ')})`);
  }
  const t = field.type;
  if (t === 'string') {
    if (typeof value !== 'string') throw new ShapeError(path, `expected a string, got ${describe(value)}`);
    return value;
  }
  if (t === 'bool') {
    if (typeof value !== 'boolean') throw new ShapeError(path, `expected a boolean, got ${describe(value)}`);
    return value;
  }
  if (t === 'double' || t === 'float') {
    if (typeof value === 'number' || (typeof value === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(value))) return value;
    throw new ShapeError(path, `expected a number (${t}), got ${describe(value)}`);
  }
  if (INT32.has(t)) {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
    throw new ShapeError(path, `expected an integer (${t}), got ${describe(value)}`);
  }
  if (INT64.has(t)) {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
    if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) return value;
    throw new ShapeError(path, `expected an integer (${t}; a number or a string of digits), got ${describe(value)}`);
  }
  if (t === 'bytes') {
    if (typeof value === 'string' || value instanceof Uint8Array) return value;
    throw new ShapeError(path, `expected bytes (base64 string or Buffer), got ${describe(value)}`);
  }
  return value;
}

/** Well-known types whose JSON form is not an object of their fields: in an Any's JSON form they sit under "value". */
const SPECIAL_JSON = new Set([
  ...WRAPPERS,
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.FieldMask',
  'google.protobuf.Any',
]);

/**
 * Timestamp from a Date or ISO string, Duration from `'1.5s'`, wrappers from their value, Struct from JSON,
 * Any from its JSON form (`{ '@type': 'type.googleapis.com/pkg.Message', ...fields }`) as well as `{ typeUrl, value }`.
 */
function prepareWellKnown(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> | undefined {
  const name = type.fullName.slice(1);
  switch (name) {
    case 'google.protobuf.Any': {
      if (typeof value !== 'object' || value === null) return undefined;
      if ('@type' in value) return packAny(type, value as Record<string, unknown>, path);
      // protobufjs' bundled Any keeps the proto name type_url; accept the camelCase name every other field has.
      const { typeUrl, ...rest } = value as Record<string, unknown>;
      return typeUrl === undefined ? undefined : prepareMessage(type, { ...rest, [anyUrlField(type)]: typeUrl }, path);
    }
    case 'google.protobuf.Timestamp': {
      const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
      if (!date) return undefined;
      const ms = date.getTime();
      if (Number.isNaN(ms)) throw new ShapeError(path || '(message)', `${describe(value)} is not a date (use a Date, an ISO string or { seconds, nanos })`);
      return { seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1e6 };
    }
    case 'google.protobuf.Duration': {
      if (typeof value !== 'string' && typeof value !== 'number') return undefined;
      const seconds = typeof value === 'number' ? value : Number(/^(-?\d+(?:\.\d+)?)s$/.exec(value)?.[1] ?? Number.NaN);
      if (Number.isNaN(seconds))
        throw new ShapeError(path || '(message)', `${describe(value)} is not a duration (use '1.5s', a number of seconds or { seconds, nanos })`);
      return { seconds: Math.trunc(seconds), nanos: Math.round((seconds % 1) * 1e9) };
    }
    case 'google.protobuf.Struct':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      return structOf(value as Record<string, unknown>);
    case 'google.protobuf.Value':
      return jsonValueOf(value);
    case 'google.protobuf.ListValue':
      return Array.isArray(value) ? { values: value.map(jsonValueOf) } : undefined;
    default:
      if (WRAPPERS.has(name) && (typeof value !== 'object' || value === null)) return { value };
      return undefined;
  }
}

function packAny(any: protobuf.Type, value: Record<string, unknown>, path: string): Record<string, unknown> {
  const { '@type': url, ...fields } = value;
  if (typeof url !== 'string' || !url.includes('/')) {
    throw new ShapeError(join(path, '@type'), `expected a type URL such as "type.googleapis.com/pkg.Message", got ${describe(url)}`);
  }
  const typeName = url.slice(url.lastIndexOf('/') + 1);
  const inner = any.root.lookup(typeName);
  if (!(inner instanceof protobuf.Type)) {
    throw new ShapeError(
      join(path, '@type'),
      `${url} names ${typeName}, which none of the loaded protos defines; import its .proto or pack it yourself as { typeUrl, value }`,
    );
  }
  const prepared = prepareMessage(inner, SPECIAL_JSON.has(typeName) ? fields.value : fields, path);
  return { [anyUrlField(any)]: url, value: inner.encode(inner.fromObject(prepared)).finish() };
}

/** `message` of type `type` as an Any in its JSON form (which prepareMessage packs): `@type` plus its fields, or its JSON `value`. */
export function anyOf(type: protobuf.Type, message: Record<string, unknown>): Record<string, unknown> {
  const name = type.fullName.slice(1);
  const url = `type.googleapis.com/${name}`;
  return SPECIAL_JSON.has(name) ? { '@type': url, value: message } : { '@type': url, ...message };
}

/** The name of google.protobuf.Any's type URL field in this root (`type_url`, or `typeUrl` when parsed from a .proto). */
export function anyUrlField(any: protobuf.Type): string {
  return any.fieldsById[1]?.name ?? 'type_url';
}

/** Plain JSON as a google.protobuf.Struct. */
export function structOf(value: Record<string, unknown>): Record<string, unknown> {
  return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValueOf(v)])) };
}

function jsonValueOf(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { nullValue: 0 };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonValueOf) } };
  if (value instanceof Date) return { stringValue: value.toISOString() };
  return { structValue: structOf(value as Record<string, unknown>) };
}
