import type { GeneratedTypes } from '@mockstack/core';
import { prop, quote } from '@mockstack/core/tooling';
import protobuf from 'protobufjs';
import { loadProtos } from './protos.js';

const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const NUMBER = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

/** What handlers may write for a well-known type besides its message form (the gRPC codec converts these). */
const WELL_KNOWN_WRITE: Record<string, string> = {
  'google.protobuf.Timestamp': 'Date | string | number',
  'google.protobuf.Duration': 'string | number',
  'google.protobuf.Struct': 'Readonly<Record<string, unknown>>',
  'google.protobuf.Value': 'unknown',
  'google.protobuf.ListValue': 'readonly unknown[]',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'string | Uint8Array',
  'google.protobuf.BoolValue': 'boolean',
  'google.protobuf.DoubleValue': 'number',
  'google.protobuf.FloatValue': 'number',
  'google.protobuf.Int32Value': 'number',
  'google.protobuf.UInt32Value': 'number',
  'google.protobuf.Int64Value': 'number | string | bigint',
  'google.protobuf.UInt64Value': 'number | string | bigint',
};

/**
 * Types of every message, enum and service of some .proto files, as the gRPC adapter reads and
 * writes them: `X__Output` is a message as handlers read it (defaults filled in, enums by name,
 * 64-bit integers as strings, message fields `null` when unset); `X` is what handlers may answer
 * (every field optional, enums by name or number, well-known types from their natural JSON).
 */
export function protoTypes(files: readonly string[], includeDirs: readonly string[]): GeneratedTypes {
  const loaded = loadProtos(files, includeDirs);
  const lines: string[] = [];
  const types: protobuf.Type[] = [];
  const enums: protobuf.Enum[] = [];
  collect(loaded.root, types, enums);
  types.sort(byName);
  enums.sort(byName);
  for (const e of enums) {
    const names = Object.keys(e.values).sort();
    const numbers = [...new Set(Object.values(e.values))].sort((a, b) => a - b);
    lines.push(`type ${ident(e)}__Output = ${names.map(quote).join(' | ') || 'never'};`);
    lines.push(`type ${ident(e)} = ${ident(e)}__Output | ${numbers.join(' | ') || 'never'};`);
  }
  for (const type of types) {
    lines.push(...messageTypes(type));
  }
  const services = [...loaded.services.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const registry: string[] = [];
  for (const [service, methods] of services) {
    const entries = [...methods]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(
        (m) =>
          `${prop(m.name)}: { request: ${ident(m.requestType)}__Output; response: ${ident(m.responseType)}; requestStream: ${m.requestStream}; responseStream: ${m.responseStream} };`,
      );
    registry.push(`${quote(service)}: {\n${entries.join('\n')}\n};`);
  }
  return { declarations: lines, registry: { grpc: registry } };
}

function collect(namespace: protobuf.NamespaceBase, types: protobuf.Type[], enums: protobuf.Enum[]): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) types.push(nested);
    else if (nested instanceof protobuf.Enum) enums.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) collect(nested, types, enums);
  }
}

function byName(a: protobuf.ReflectionObject, b: protobuf.ReflectionObject): number {
  return a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0;
}

/** `.checkout.payments.v1.AuthorizeRequest` → `checkout_payments_v1_AuthorizeRequest` (names stay readable in errors). */
function ident(object: protobuf.ReflectionObject): string {
  return object.fullName.slice(1).replace(/\./g, '_');
}

function messageTypes(type: protobuf.Type): string[] {
  const name = ident(type);
  const read: string[] = [];
  const write: string[] = [];
  const oneofMembers = new Set(type.oneofsArray.flatMap((o) => o.fieldsArray.map((f) => f.name)));
  for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
    field.resolve();
    const inOneof = oneofMembers.has(field.name);
    read.push(`${prop(field.name)}${inOneof ? '?' : ''}: ${fieldType(field, 'read')}${inOneof ? ' | undefined' : ''};`);
    write.push(`${prop(field.name)}?: ${fieldType(field, 'write')} | null | undefined;`);
  }
  for (const oneof of type.oneofsArray) {
    const members = oneof.fieldsArray.map((f) => quote(f.name)).join(' | ');
    read.push(`${prop(oneof.name)}?: ${members} | undefined;`);
    write.push(`${prop(oneof.name)}?: ${members} | undefined;`);
  }
  const full = type.fullName.slice(1);
  const extra = WELL_KNOWN_WRITE[full];
  return [
    `interface ${name}__Output {${read.length ? `\n${read.join('\n')}\n` : ''}}`,
    extra
      ? `type ${name} = ${extra} | {${write.length ? `\n${write.join('\n')}\n` : ''}};`
      : `interface ${name} {${write.length ? `\n${write.join('\n')}\n` : ''}}`,
  ];
}

function fieldType(field: protobuf.Field, mode: 'read' | 'write'): string {
  const single = scalarType(field, mode);
  if (field.map) return mode === 'read' ? `Record<string, ${single}>` : `Readonly<Record<string, ${single}>>`;
  if (field.repeated) return mode === 'read' ? `${wrap(single)}[]` : `readonly ${wrap(single)}[]`;
  if (mode === 'read' && field.resolvedType instanceof protobuf.Type) return `${single} | null`;
  return single;
}

function scalarType(field: protobuf.Field, mode: 'read' | 'write'): string {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type || resolved instanceof protobuf.Enum) return `${ident(resolved)}${mode === 'read' ? '__Output' : ''}`;
  const t = field.type;
  if (NUMBER.has(t)) return 'number';
  if (INT64.has(t)) return mode === 'read' ? 'string' : 'number | string | bigint';
  if (t === 'bool') return 'boolean';
  if (t === 'bytes') return mode === 'read' ? 'string' : 'string | Uint8Array';
  return 'string';
}

function wrap(type: string): string {
  return type.includes(' ') ? `(${type})` : type;
}
