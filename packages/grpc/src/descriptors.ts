import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import * as descriptor from 'protobufjs/ext/descriptor/index.js';

/** One proto file the loader read. */
export interface ProtoFile {
  /** Absolute path, or the import name of a well-known type protobufjs bundles (`google/protobuf/timestamp.proto`). */
  path: string;
  /** The name other files import it by, which reflection clients resolve `dependency` entries against. */
  name: string;
  /** Paths of the files it imports (as resolved by the loader). */
  imports: string[];
}

type Json = Record<string, unknown>;

/** Field types as FieldDescriptorProto.Type numbers. */
const SCALAR_TYPES: Record<string, number> = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};
const TYPE_GROUP = 10;
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;
const EDITIONS: Record<string, number> = { '2023': 1000, '2024': 1001 };

/**
 * Builds one serialized google.protobuf.FileDescriptorProto per loaded file, as protoc writes them:
 * names as written (load with `keepCase`), fully-qualified type references, `dependency` lists naming
 * the imported files by their import names, map entries `<Field>Entry` with `map_entry`, proto3
 * `optional` as synthetic oneofs, reserved and extension ranges, and the standard options. Custom
 * options (`(google.api.http)`…) are left out: clients do not need them to resolve types.
 */
export function fileDescriptorProtos({ root, files }: { root: protobuf.Root; files: ReadonlyMap<string, ProtoFile> }): Buffer[] {
  const fileOfObject = bundledFileOf();
  const byPath = new Map<string, { file: ProtoFile; messages: Json[]; enums: Json[]; services: Json[]; extensions: Json[]; references: Set<string> }>();
  for (const file of files.values()) byPath.set(file.path, { file, messages: [], enums: [], services: [], extensions: [], references: new Set() });
  const pathOf = (object: protobuf.ReflectionObject): string | undefined => object.filename ?? fileOfObject.get(object.fullName);

  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      const path = pathOf(nested);
      const target = path === undefined ? undefined : byPath.get(path);
      if (nested instanceof protobuf.Type) {
        if (target) target.messages.push(messageOf(nested, (r) => target.references.add(r)));
      } else if (nested instanceof protobuf.Enum) {
        if (target) target.enums.push(enumOf(nested));
      } else if (nested instanceof protobuf.Service) {
        if (target) target.services.push(serviceOf(nested, (r) => target.references.add(r)));
      } else if (nested instanceof protobuf.Field) {
        if (target) target.extensions.push(fieldOf(nested, (r) => target.references.add(r)));
      } else if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(root);

  const pathByType = new Map<string, string>();
  const index = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      const path = pathOf(nested);
      if (path !== undefined && (nested instanceof protobuf.Type || nested instanceof protobuf.Enum)) pathByType.set(nested.fullName, path);
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) index(nested);
    }
  };
  index(root);

  const out: Buffer[] = [];
  for (const { file, messages, enums, services, extensions, references } of byPath.values()) {
    const source = file.path.startsWith('/') ? readSource(file.path) : '';
    const dependency = new Set<string>();
    for (const path of file.imports) {
      const name = files.get(path)?.name;
      if (name) dependency.add(name);
    }
    for (const bundled of bundledImportsOf(source)) if (files.has(bundled)) dependency.add(bundled);
    for (const reference of references) {
      const path = pathByType.get(reference);
      const name = path === undefined ? undefined : files.get(path)?.name;
      if (name) dependency.add(name);
    }
    dependency.delete(file.name);
    const proto: Json = {
      name: file.name,
      package: packageOf(source, file, root),
      dependency: [...dependency],
      messageType: messages,
      enumType: enums,
      service: services,
      extension: extensions,
      ...syntaxOf(source, file),
    };
    out.push(Buffer.from(descriptor.FileDescriptorProto.encode(descriptor.FileDescriptorProto.fromObject(proto)).finish()));
  }
  return out;
}

/** The `name` of a serialized FileDescriptorProto. */
export function descriptorName(file: Uint8Array): string {
  return (descriptor.FileDescriptorProto.decode(file) as unknown as { name: string }).name;
}

function readSource(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The well-known types protobufjs bundles carry no file name; map each to its file. */
function bundledFileOf(): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of Object.keys(protobuf.common)) {
    if (!name.includes('/')) continue;
    const json = protobuf.common.get(name) as { nested?: { google?: { nested?: { protobuf?: { nested?: Record<string, unknown> } } } } } | null;
    // Some bundles repeat types of others (type.proto holds Any): the first, the type's own file, wins.
    for (const type of Object.keys(json?.nested?.google?.nested?.protobuf?.nested ?? {})) {
      if (!map.has(`.google.protobuf.${type}`)) map.set(`.google.protobuf.${type}`, name);
    }
  }
  return map;
}

/** `import "google/protobuf/timestamp.proto";` never reaches resolvePath (protobufjs bundles it). */
function bundledImportsOf(source: string): string[] {
  return [...source.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?["'](google\/protobuf\/\w+\.proto)["']\s*;/gm)].map((m) => m[1] as string);
}

function packageOf(source: string, file: ProtoFile, root: protobuf.Root): string {
  const declared = /^\s*package\s+([\w.]+)\s*;/m.exec(source)?.[1];
  if (declared) return declared;
  return file.path.startsWith('google/protobuf/') && root.lookup('google.protobuf') ? 'google.protobuf' : '';
}

function syntaxOf(source: string, file: ProtoFile): Json {
  if (!file.path.startsWith('/')) return { syntax: 'proto3' };
  const edition = /^\s*edition\s*=\s*["'](\d+)["']\s*;/m.exec(source)?.[1];
  if (edition) return { syntax: 'editions', edition: EDITIONS[edition] ?? 0 };
  const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']\s*;/m.exec(source)?.[1];
  return syntax === 'proto3' ? { syntax: 'proto3' } : {};
}

/** protoc's name for a map field's entry message: `string_to_int` → `StringToIntEntry`. */
export function mapEntryName(field: string): string {
  let name = '';
  let upper = true;
  for (const char of field) {
    if (char === '_') upper = true;
    else {
      name += upper ? char.toUpperCase() : char;
      upper = false;
    }
  }
  return `${name}Entry`;
}

/** The standard options of `options` that `type` (e.g. google.protobuf.FieldOptions) defines; custom `(x)` options are dropped. */
function optionsOf(options: Record<string, unknown> | undefined, type: protobuf.Type): Json | undefined {
  if (!options) return undefined;
  const out: Json = {};
  for (const [key, value] of Object.entries(options)) {
    const camel = protobuf.util.camelCase(key);
    const field = type.fields[camel];
    if (!field || field.resolvedType instanceof protobuf.Type || typeof value === 'object') continue;
    out[camel] = field.repeated && !Array.isArray(value) ? [value] : value;
  }
  return Object.keys(out).length ? out : undefined;
}

function typeNumberOf(field: protobuf.Field, type: string, resolved: protobuf.Type | protobuf.Enum | null): number {
  const scalar = SCALAR_TYPES[type];
  if (scalar !== undefined) return scalar;
  if (resolved instanceof protobuf.Enum) return TYPE_ENUM;
  return (field as { delimited?: boolean }).delimited ? TYPE_GROUP : TYPE_MESSAGE;
}

function fieldOf(field: protobuf.Field, refer: (fullName: string) => void, oneofIndex?: number): Json {
  field.resolve();
  const resolved = field.resolvedType;
  const out: Json = {
    name: field.name,
    number: field.id,
    label: field.repeated ? LABEL_REPEATED : field.required ? LABEL_REQUIRED : LABEL_OPTIONAL,
    type: typeNumberOf(field, field.type, resolved),
  };
  if (resolved) {
    out.typeName = resolved.fullName;
    refer(resolved.fullName);
  }
  if (field.extend !== undefined) {
    const extendee = field.extensionField?.parent ?? field.parent?.lookup(field.extend);
    out.extendee = extendee ? extendee.fullName : `.${field.extend.replace(/^\./, '')}`;
    if (extendee) refer(extendee.fullName);
  }
  if (oneofIndex !== undefined) out.oneofIndex = oneofIndex;
  const options = field.options as Record<string, unknown> | undefined;
  if (options?.json_name !== undefined) out.jsonName = String(options.json_name);
  if (options?.default !== undefined) out.defaultValue = String(options.default);
  if (options?.proto3_optional) out.proto3Optional = true;
  const standard = optionsOf(options, descriptor.FieldOptions);
  if (standard) out.options = standard;
  return out;
}

function messageOf(type: protobuf.Type, refer: (fullName: string) => void): Json {
  // protoc lists real oneofs first, then the synthetic ones of proto3 `optional` fields.
  const synthetic = (o: protobuf.OneOf): boolean => o.fieldsArray.length === 1 && Boolean((o.fieldsArray[0]?.options as Json | undefined)?.proto3_optional);
  const oneofs = [...type.oneofsArray.filter((o) => !synthetic(o)), ...type.oneofsArray.filter(synthetic)];
  const fields: Json[] = [];
  const nestedTypes: Json[] = [];
  for (const field of type.fieldsArray) {
    if (field.declaringField) continue; // an extension of this type declared elsewhere
    const oneof = field.partOf ? oneofs.indexOf(field.partOf) : -1;
    if (field instanceof protobuf.MapField) {
      const entry = mapEntryName(field.name);
      field.resolve();
      const resolved = field.resolvedType;
      const value: Json = { name: 'value', number: 2, label: LABEL_OPTIONAL, type: typeNumberOf(field, field.type, resolved) };
      if (resolved) {
        value.typeName = resolved.fullName;
        refer(resolved.fullName);
      }
      nestedTypes.push({
        name: entry,
        field: [{ name: 'key', number: 1, label: LABEL_OPTIONAL, type: SCALAR_TYPES[field.keyType] }, value],
        options: { mapEntry: true },
      });
      fields.push({ name: field.name, number: field.id, label: LABEL_REPEATED, type: TYPE_MESSAGE, typeName: `${type.fullName}.${entry}` });
      continue;
    }
    fields.push(fieldOf(field, refer, oneof === -1 ? undefined : oneof));
  }
  const extensions: Json[] = [];
  const enums: Json[] = [];
  for (const nested of type.nestedArray) {
    if (nested instanceof protobuf.Type) nestedTypes.push(messageOf(nested, refer));
    else if (nested instanceof protobuf.Enum) enums.push(enumOf(nested));
    else if (nested instanceof protobuf.Field) extensions.push(fieldOf(nested, refer));
  }
  const out: Json = {
    name: type.name,
    field: fields,
    nestedType: nestedTypes,
    enumType: enums,
    extension: extensions,
    oneofDecl: oneofs.map((o) => ({ name: o.name })),
    extensionRange: (type.extensions ?? []).map(([start = 0, end = start]) => ({ start, end: end + 1 })),
    reservedRange: (type.reserved ?? []).filter(Array.isArray).map(([start = 0, end = start]) => ({ start, end: end + 1 })),
    reservedName: (type.reserved ?? []).filter((r): r is string => typeof r === 'string'),
  };
  const options = optionsOf(type.options, descriptor.MessageOptions);
  if (options) out.options = options;
  return out;
}

function enumOf(type: protobuf.Enum): Json {
  const valueOptions = (type as { valuesOptions?: Record<string, Record<string, unknown>> }).valuesOptions ?? {};
  const out: Json = {
    name: type.name,
    value: Object.entries(type.values).map(([name, number]) => {
      const options = optionsOf(valueOptions[name], descriptor.EnumValueOptions);
      return options ? { name, number, options } : { name, number };
    }),
    // Enum reserved ranges are inclusive, unlike message ones.
    reservedRange: (type.reserved ?? []).filter(Array.isArray).map(([start, end]) => ({ start, end })),
    reservedName: (type.reserved ?? []).filter((r): r is string => typeof r === 'string'),
  };
  const options = optionsOf(type.options, descriptor.EnumOptions);
  if (options) out.options = options;
  return out;
}

function serviceOf(service: protobuf.Service, refer: (fullName: string) => void): Json {
  const out: Json = {
    name: service.name,
    method: service.methodsArray.map((method) => {
      method.resolve();
      const input = method.resolvedRequestType?.fullName ?? `.${method.requestType}`;
      const output = method.resolvedResponseType?.fullName ?? `.${method.responseType}`;
      refer(input);
      refer(output);
      const options = optionsOf(method.options, descriptor.MethodOptions);
      return {
        name: method.name,
        inputType: input,
        outputType: output,
        clientStreaming: Boolean(method.requestStream),
        serverStreaming: Boolean(method.responseStream),
        ...(options ? { options } : {}),
      };
    }),
  };
  const options = optionsOf(service.options, descriptor.ServiceOptions);
  if (options) out.options = options;
  return out;
}
