import { readFileSync } from 'node:fs';
import { readStartupCache, writeStartupCache } from '@mockstack/core/startup-cache';
import protobuf from 'protobufjs';
import * as descriptor from 'protobufjs/ext/descriptor/index.js';
import { type LoadedProtos, ownProtoAsWritten } from './protos.js';

/*
 * Imported only where descriptors are asked for (reflection's first call, gRPC-Web, a test's registry):
 * protobufjs' descriptor extension builds every type of descriptor.proto as it loads, 7-18 ms that a
 * start serving gRPC would spend for nothing.
 */

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
const FEATURE_SET = descriptor.FileDescriptorProto.root.lookupType('google.protobuf.FeatureSet');

/**
 * Builds one serialized google.protobuf.FileDescriptorProto per loaded file, as protoc writes them:
 * names as written (load with `keepCase`), fully-qualified type references, `dependency` lists naming
 * the imported files by their import names, map entries `<Field>Entry` with `map_entry`, proto3
 * `optional` as synthetic oneofs, reserved and extension ranges, the standard options and the custom
 * ones (`(google.api.http)`, `(google.api.field_behavior)`, a project's own) of messages, fields, enums,
 * enum values, services and methods, encoded as protoc does: as extension fields of the options message.
 */
const described = new WeakMap<LoadedProtos, Buffer[]>();

/**
 * Every loaded file as a serialized google.protobuf.FileDescriptorProto (original names, `dependency`
 * lists, `…Entry` map entries), as protoc would write them; built on the first call for these protos.
 */
export function fileDescriptorProtosOf(protos: LoadedProtos): Buffer[] {
  let files = described.get(protos);
  if (files === undefined) {
    files = cachedDescriptors(protos);
    described.set(protos, files);
  }
  return files;
}

/**
 * The descriptors as built for the same files before (kept in the start-up cache), else built and kept:
 * parsing the files again with their names as written and describing them took 1.6 s of the first
 * reflection answer on google/cloud/compute/v1/compute.proto (a 1 MB descriptor). v1: change it with what
 * fileDescriptorProtos writes (run from the sources, entries carry no build).
 */
function cachedDescriptors(protos: LoadedProtos): Buffer[] {
  const name = `grpc-descriptors-v1-${protos.descriptorKey}`;
  const cached = readStartupCache(name, isBase64List);
  if (cached) return cached.map((file) => Buffer.from(file, 'base64'));
  const files = fileDescriptorProtos(protos.asWritten());
  writeStartupCache(
    name,
    files.map((file) => file.toString('base64')),
  );
  return files;
}

function isBase64List(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((file) => typeof file === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(file));
}

/** Serialized FileDescriptorProtos of one of mockstack's own protos (for a built-in service reflection lists) and what it imports. */
export function ownProtoDescriptors(name: string): Buffer[] {
  return fileDescriptorProtos(ownProtoAsWritten(name));
}

export function fileDescriptorProtos({ root, files }: { root: protobuf.Root; files: ReadonlyMap<string, ProtoFile> }): Buffer[] {
  const custom = new CustomOptions();
  const fileOfObject = bundledFileOf();
  const byPath = new Map<
    string,
    { file: ProtoFile; source: string; as: Written; messages: Json[]; enums: Json[]; services: Json[]; extensions: Json[]; references: Set<string> }
  >();
  for (const file of files.values()) {
    const source = file.path.startsWith('/') ? readSource(file.path) : '';
    const as: Written = { editions: editionOf(source) !== undefined, refer: () => {}, custom };
    byPath.set(file.path, { file, source, as, messages: [], enums: [], services: [], extensions: [], references: new Set() });
  }
  const pathOf = (object: protobuf.ReflectionObject): string | undefined => object.filename ?? fileOfObject.get(object.fullName);

  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      const path = pathOf(nested);
      const target = path === undefined ? undefined : byPath.get(path);
      const as: Written | undefined = target && { ...target.as, refer: (r) => target.references.add(r) };
      if (nested instanceof protobuf.Type) {
        if (target && as) target.messages.push(messageOf(nested, as));
      } else if (nested instanceof protobuf.Enum) {
        if (target && as) target.enums.push(enumOf(nested, as));
      } else if (nested instanceof protobuf.Service) {
        if (target && as) target.services.push(serviceOf(nested, as));
      } else if (nested instanceof protobuf.Field) {
        if (target && as) target.extensions.push(fieldOf(nested, as));
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

  const FileDescriptorProto = custom.fileDescriptorProto();
  const out: Buffer[] = [];
  for (const { file, source, as, messages, enums, services, extensions, references } of byPath.values()) {
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
      ...(as.editions && fileFeaturesOf(source)),
    };
    out.push(Buffer.from(FileDescriptorProto.encode(FileDescriptorProto.fromObject(proto)).finish()));
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
  const edition = editionOf(source);
  if (edition) return { syntax: 'editions', edition: EDITIONS[edition] ?? 0 };
  const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']\s*;/m.exec(source)?.[1];
  return syntax === 'proto3' ? { syntax: 'proto3' } : {};
}

/** The edition a file declares (`edition = "2023";`), if it is an editions file. */
function editionOf(source: string): string | undefined {
  return /^\s*edition\s*=\s*["'](\d+)["']\s*;/m.exec(source)?.[1];
}

/**
 * An editions file's own `option features.… = …;` statements (those outside any message, enum or service),
 * as FileDescriptorProto `options`: protobufjs keeps them on the package's namespace, which files share.
 */
function fileFeaturesOf(source: string): Json | undefined {
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) => (m.startsWith('/') ? ' ' : m));
  const features: Json = {};
  let depth = 0;
  for (const statement of code.matchAll(/[{}]|\boption\s+features\.(\w+)\s*=\s*(\w+)\s*;/g)) {
    if (statement[0] === '{') depth++;
    else if (statement[0] === '}') depth--;
    else if (depth === 0 && statement[1] && statement[2]) features[statement[1]] = statement[2];
  }
  return Object.keys(features).length ? { options: { features: featureSetOf(features) } } : undefined;
}

/** Features as written (`{ field_presence: 'EXPLICIT' }`) as a google.protobuf.FeatureSet object; custom features (`(pb.cpp)`) are left out. */
function featureSetOf(written: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(written)) {
    const camel = protobuf.util.camelCase(key);
    if (FEATURE_SET.fields[camel] && typeof value !== 'object') out[camel] = value;
  }
  return out;
}

/** The features an element was given itself (`[features.field_presence = EXPLICIT]`), not those it inherits. */
function writtenFeaturesOf(object: protobuf.ReflectionObject): Json | undefined {
  const parsed = (object as unknown as { parsedOptions?: Record<string, unknown>[] | null }).parsedOptions ?? [];
  const written: Json = {};
  for (const entry of parsed) {
    const features = entry.features;
    if (typeof features === 'object' && features !== null) Object.assign(written, features);
  }
  const set = featureSetOf(written);
  return Object.keys(set).length ? set : undefined;
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

/**
 * Custom options as protoc encodes them: each `(ext)` option is the extension field `ext` of the options
 * message (google.protobuf.MethodOptions…), with the extension's number and value. The descriptor types
 * are copied per call and given a field per extension number used, so the value goes out with the standard
 * options: a message value as its encoded bytes (the same wire format), an enum as its number.
 */
class CustomOptions {
  /** Per options type (`MethodOptions`), the extension fields to add: number → [field name, wire type, repeated]. */
  readonly #fields = new Map<string, Map<number, { name: string; type: string; repeated: boolean }>>();

  /**
   * The options of `object` (a method, message, field…, or the enum of an enum value's `options`): the
   * standard ones of `options`, and the custom ones it was given.
   */
  of(object: protobuf.ReflectionObject, options: Record<string, unknown> | undefined, type: protobuf.Type, enumValue?: boolean): Json | undefined {
    const standard = standardOptionsOf(options, type);
    const extensions = this.#custom(object, enumValue ? unflattened(options) : parsedOptionsOf(object), type);
    // Editions' features: those written on the element, as protoc keeps them (protobufjs' `options` also hold inherited ones).
    const features = enumValue ? undefined : writtenFeaturesOf(object);
    return standard || extensions || features ? { ...standard, ...extensions, ...(features && { features }) } : undefined;
  }

  /** Custom options (`[["(google.api.http)", { get }], …]`) as fields of the copied `type`; undefined without any. */
  #custom(object: protobuf.ReflectionObject, entries: [string, unknown][], type: protobuf.Type): Json | undefined {
    if (entries.length === 0) return undefined;
    const out: Json = {};
    for (const [key, value] of entries) {
      const extension = extensionFor(object, key);
      if (!extension) continue;
      const resolved = extension.resolvedType;
      const encoded =
        resolved instanceof protobuf.Type
          ? (v: unknown) => resolved.encode(resolved.fromObject(aggregateOf(resolved, v))).finish()
          : resolved instanceof protobuf.Enum
            ? (v: unknown) => (typeof v === 'string' ? (resolved.values[v] ?? 0) : v)
            : (v: unknown) => v;
      let values: unknown[];
      try {
        values = (Array.isArray(value) ? value : [value]).map(encoded);
      } catch {
        continue; // a value protobufjs parsed but cannot encode: the descriptor goes out without that option
      }
      const wire = resolved instanceof protobuf.Type ? 'bytes' : resolved instanceof protobuf.Enum ? 'int32' : extension.type;
      const fields = this.#fields.get(type.name) ?? new Map<number, { name: string; type: string; repeated: boolean }>();
      this.#fields.set(type.name, fields);
      const field = fields.get(extension.id) ?? { name: `extension_${extension.id}`, type: wire, repeated: extension.repeated };
      fields.set(extension.id, field);
      if (field.repeated) out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), ...values];
      else out[field.name] = values[values.length - 1];
    }
    return Object.keys(out).length ? out : undefined;
  }

  /** google.protobuf.FileDescriptorProto whose options messages have the extension fields used. */
  fileDescriptorProto(): protobuf.Type {
    if (this.#fields.size === 0) return descriptor.FileDescriptorProto;
    const copy = protobuf.Root.fromJSON(descriptor.FileDescriptorProto.root.toJSON());
    for (const [typeName, fields] of this.#fields) {
      const type = copy.lookupType(`google.protobuf.${typeName}`);
      for (const [id, { name, type: wire, repeated }] of fields) type.add(new protobuf.Field(name, id, wire, repeated ? 'repeated' : 'optional'));
    }
    return copy.lookupType('google.protobuf.FileDescriptorProto');
  }
}

/**
 * An option's message value as protobufjs parsed its text form, for `fromObject`: a repeated field written
 * once (`additional_bindings { … }`) is one object, not a list.
 */
function aggregateOf(type: protobuf.Type, value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key] ?? type.fields[protobuf.util.camelCase(key)];
    if (!field) continue;
    field.resolve();
    const items = field.repeated && !Array.isArray(item) ? [item] : item;
    const inner = field.resolvedType instanceof protobuf.Type && !field.map ? field.resolvedType : undefined;
    out[key] = !inner ? items : Array.isArray(items) ? items.map((i) => aggregateOf(inner, i)) : aggregateOf(inner, items);
  }
  return out;
}

/** An enum value's custom options, which protobufjs keeps flattened only: `{ "(acme.label).text": "x" }` → `[["(acme.label)", { text: "x" }]]`. */
function unflattened(options: Record<string, unknown> | undefined): [string, unknown][] {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(options ?? {})) {
    const match = /^(\([^)]+\))((?:\.\w+)*)$/.exec(key);
    if (!match?.[1]) continue;
    const path = (match[2] ?? '').split('.').filter(Boolean);
    if (path.length === 0) {
      out.set(match[1], value);
      continue;
    }
    const top = (out.get(match[1]) as Json | undefined) ?? {};
    let node = top;
    for (const part of path.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Json;
    }
    node[path[path.length - 1] as string] = value;
    out.set(match[1], top);
  }
  return [...out];
}

/** `[["(google.api.http)", { get: "/v1/…" }], …]`: protobufjs keeps them parsed, except enum values' (flattened only). */
function parsedOptionsOf(object: protobuf.ReflectionObject): [string, unknown][] {
  // Typed as a record, it is an array of `{ "(name)": value }`, one per option statement.
  const parsed = (object as unknown as { parsedOptions?: Record<string, unknown>[] | null }).parsedOptions;
  if (parsed) return parsed.flatMap((entry) => Object.entries(entry)).filter(([key]) => key.startsWith('('));
  return [];
}

/** The extension an option key (`(google.api.http)`, `(.acme.flag)`) names, looked up from where the option is set. */
function extensionFor(object: protobuf.ReflectionObject, key: string): protobuf.Field | undefined {
  const name = /^\(([^)]+)\)$/.exec(key)?.[1];
  if (!name) return undefined;
  const scope = object instanceof protobuf.Namespace ? object : object.parent;
  const found = scope?.lookup(name);
  if (!(found instanceof protobuf.Field) || found.extend === undefined) return undefined;
  found.resolve();
  return found;
}

/** The standard options of `options` that `type` (e.g. google.protobuf.FieldOptions) defines. */
function standardOptionsOf(options: Record<string, unknown> | undefined, type: protobuf.Type): Json | undefined {
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

/**
 * How a file's elements are written out: `editions` files say delimited encoding and legacy-required presence
 * with features (kept as written), never TYPE_GROUP or LABEL_REQUIRED, which Go's protodesc (grpcurl, buf curl)
 * rejects there; `refer` notes each type referenced (for `dependency`).
 */
interface Written {
  editions: boolean;
  refer: (fullName: string) => void;
  custom: CustomOptions;
}

function typeNumberOf(field: protobuf.Field, type: string, resolved: protobuf.Type | protobuf.Enum | null, editions: boolean): number {
  const scalar = SCALAR_TYPES[type];
  if (scalar !== undefined) return scalar;
  if (resolved instanceof protobuf.Enum) return TYPE_ENUM;
  return (field as { delimited?: boolean }).delimited && !editions ? TYPE_GROUP : TYPE_MESSAGE;
}

function fieldOf(field: protobuf.Field, { editions, refer, custom }: Written, oneofIndex?: number): Json {
  field.resolve();
  const resolved = field.resolvedType;
  const out: Json = {
    name: field.name,
    number: field.id,
    label: field.repeated ? LABEL_REPEATED : field.required && !editions ? LABEL_REQUIRED : LABEL_OPTIONAL,
    type: typeNumberOf(field, field.type, resolved, editions),
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
  // protoc fills json_name in every descriptor it writes, and clients rely on it (@bufbuild/protobuf's registry takes it as is).
  if (options?.json_name !== undefined) out.jsonName = String(options.json_name);
  else if (field.extend === undefined) out.jsonName = jsonNameOf(field.name);
  if (options?.default !== undefined) out.defaultValue = String(options.default);
  if (options?.proto3_optional) out.proto3Optional = true;
  const standard = custom.of(field, options, descriptor.FieldOptions);
  if (standard) out.options = standard;
  return out;
}

/** A field's default JSON name, as protoc derives it: each underscore dropped and the letter after it upper-cased. */
function jsonNameOf(name: string): string {
  return name.replace(/_+(.?)/g, (_match, next: string) => next.toUpperCase());
}

function messageOf(type: protobuf.Type, as: Written): Json {
  const { refer, custom } = as;
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
      const value: Json = { name: 'value', number: 2, label: LABEL_OPTIONAL, type: typeNumberOf(field, field.type, resolved, as.editions), jsonName: 'value' };
      if (resolved) {
        value.typeName = resolved.fullName;
        refer(resolved.fullName);
      }
      nestedTypes.push({
        name: entry,
        field: [{ name: 'key', number: 1, label: LABEL_OPTIONAL, type: SCALAR_TYPES[field.keyType], jsonName: 'key' }, value],
        options: { mapEntry: true },
      });
      // The map field as its entries' list, with what every field carries (json_name, its options): without a
      // json_name, Connect JSON wrote and read every map of a message under the one key "".
      const { jsonName, options } = fieldOf(field, as);
      fields.push({
        name: field.name,
        number: field.id,
        label: LABEL_REPEATED,
        type: TYPE_MESSAGE,
        typeName: `${type.fullName}.${entry}`,
        ...(jsonName !== undefined && { jsonName }),
        ...(options !== undefined && { options }),
      });
      continue;
    }
    fields.push(fieldOf(field, as, oneof === -1 ? undefined : oneof));
  }
  const extensions: Json[] = [];
  const enums: Json[] = [];
  for (const nested of type.nestedArray) {
    if (nested instanceof protobuf.Type) nestedTypes.push(messageOf(nested, as));
    else if (nested instanceof protobuf.Enum) enums.push(enumOf(nested, as));
    else if (nested instanceof protobuf.Field) extensions.push(fieldOf(nested, as));
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
  const options = custom.of(type, type.options, descriptor.MessageOptions);
  if (options) out.options = options;
  return out;
}

function enumOf(type: protobuf.Enum, { custom }: Written): Json {
  const valueOptions = (type as { valuesOptions?: Record<string, Record<string, unknown>> }).valuesOptions ?? {};
  const out: Json = {
    name: type.name,
    value: Object.entries(type.values).map(([name, number]) => {
      const options = custom.of(type, valueOptions[name], descriptor.EnumValueOptions, true);
      return options ? { name, number, options } : { name, number };
    }),
    // Enum reserved ranges are inclusive, unlike message ones.
    reservedRange: (type.reserved ?? []).filter(Array.isArray).map(([start, end]) => ({ start, end })),
    reservedName: (type.reserved ?? []).filter((r): r is string => typeof r === 'string'),
  };
  const options = custom.of(type, type.options, descriptor.EnumOptions);
  if (options) out.options = options;
  return out;
}

function serviceOf(service: protobuf.Service, { refer, custom }: Written): Json {
  const out: Json = {
    name: service.name,
    method: service.methodsArray.map((method) => {
      method.resolve();
      const input = method.resolvedRequestType?.fullName ?? `.${method.requestType}`;
      const output = method.resolvedResponseType?.fullName ?? `.${method.responseType}`;
      refer(input);
      refer(output);
      const options = custom.of(method, method.options, descriptor.MethodOptions);
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
  const options = custom.of(service, service.options, descriptor.ServiceOptions);
  if (options) out.options = options;
  return out;
}
