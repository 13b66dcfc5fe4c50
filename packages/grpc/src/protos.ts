import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { contentHash, fileHashes, readStartupCache, unchanged, writeStartupCache } from '@mockstack/core/startup-cache';
import protobuf from 'protobufjs';
import type { ProtoFile } from './descriptors.js';
import { readableProtoText } from './proto-text.js';
import { resolveAsProtoc } from './type-scopes.js';

/**
 * The protos mockstack itself needs (google.rpc.Status and the standard error details). Found
 * through the package's exports, not next to this file: the CLI runs this code bundled elsewhere.
 */
const OWN_PROTOS = resolve(dirname(createRequire(import.meta.url).resolve('@mockstack/grpc/protos/google/rpc/status.proto')), '../..');
/**
 * googleapis' files that Google-style APIs import (google/api annotations, http, client, field_behavior,
 * resource…, google/longrunning/operations, google/type/*), looked for last: a buf module depending on
 * buf.build/googleapis/googleapis has no copy in its tree, and is served as it is; any copy of the user's
 * (include dirs, the file's tree, the working directory) comes first.
 */
const GOOGLEAPIS_PROTOS = join(OWN_PROTOS, 'googleapis');
/** protobufjs' copies of google/protobuf/descriptor.proto, api.proto, type.proto (googleapis' option files import them). */
const PROTOBUFJS_PROTOS = resolve(dirname(createRequire(import.meta.url).resolve('protobufjs/google/protobuf/descriptor.proto')), '../..');
/**
 * What mockstack loads beside the user's files, by import name: include dirs come first, so a user's own
 * copy of google/rpc/status.proto (e.g. from googleapis) is the one loaded, never both.
 */
const OWN_FILES = ['google/rpc/status.proto', 'google/rpc/error_details.proto', 'google/protobuf/struct.proto'];

/** One of mockstack's own protos by its import name (`grpc/health/v1/health.proto`). */
export function ownProtoPath(name: string): string {
  return join(OWN_PROTOS, name);
}

/** One RPC of a loaded proto service. */
export interface MethodInfo {
  /** `checkout.payments.v1.PaymentService/Authorize`: the operation id. */
  id: string;
  /** `/checkout.payments.v1.PaymentService/Authorize`: the HTTP/2 path. */
  path: string;
  service: string;
  name: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  requestStream: boolean;
  responseStream: boolean;
  kind: 'unary' | 'server-streaming' | 'client-streaming' | 'bidi';
}

export interface LoadedProtos {
  root: protobuf.Root;
  /** Full service name → its methods, in declared order. */
  services: Map<string, MethodInfo[]>;
  methods: Map<string, MethodInfo>;
  /**
   * The same files parsed again with their names as written (`field_name`, not `fieldName`), as file
   * descriptors need them (see fileDescriptorProtosOf in descriptors.ts); parsed on the first call.
   */
  asWritten(): ParsedRoot;
  /** google.rpc.Status, for `grpc-status-details-bin`. */
  statusType: protobuf.Type;
  /** Every proto file read, imports included (a change to any of them reloads). */
  files: string[];
  /**
   * Names what the files' descriptors are made of: the content of every file read and the import name
   * each has (descriptors.ts keeps the descriptors built for it in the start-up cache).
   */
  descriptorKey: string;
}

/** A proto that cannot be loaded, with the file and line to fix. */
export class ProtoLoadError extends Error {
  constructor(
    message: string,
    readonly file: string | undefined,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = 'ProtoLoadError';
  }
}

/** Per file set: the modification times it was loaded at, and what it loaded. The least recently used go past MAX_CACHED_SETS. */
const cache = new Map<string, { mtimes: string; loaded: LoadedProtos }>();
/**
 * File sets kept loaded. A process serving ever new sets (a test suite starting many stacks, a sweep)
 * kept every one: 2.8 GB after 1,057 googleapis protos. A stack holds its own set while it serves.
 */
const MAX_CACHED_SETS = 32;

/**
 * Loads proto files with their imports (include dirs, then the importing file's directory, then
 * the bundled well-known types). Cached per file set and modification times, so compile, create
 * and reload share one parse.
 */
export function loadProtos(files: readonly string[], includeDirs: readonly string[]): LoadedProtos {
  const dirs = [...includeDirs, ...files.map((f) => dirname(f)), OWN_PROTOS];
  const key = JSON.stringify([files, dirs]);
  const cached = cache.get(key);
  cache.delete(key);
  if (cached && cached.mtimes === mtimesOf(cached.loaded.files)) {
    cache.set(key, cached);
    return cached.loaded;
  }
  const loaded = load(files, dirs);
  cache.set(key, { mtimes: mtimesOf(loaded.files), loaded });
  if (cache.size > MAX_CACHED_SETS) cache.delete(cache.keys().next().value as string);
  return loaded;
}

function mtimesOf(files: readonly string[]): string {
  return files.map(mtimeOf).join(',');
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export interface ParsedRoot {
  root: protobuf.Root;
  /** Each file read (bundled well-known types by their import name), with its import name and the files it imports. */
  files: Map<string, ProtoFile>;
  /** Paths looked at for an import before the one read: a file appearing at one of them would be read instead. */
  passed: string[];
  /** The content hash of each file read from disk (the start-up cache's parsed roots keep them). */
  hashes?: Record<string, string>;
}

function parseRoot(files: readonly string[], dirs: readonly string[], keepCase: boolean): ParsedRoot {
  const root = new protobuf.Root();
  const missing: { origin: string; target: string }[] = [];
  const parsed = new Map<string, ProtoFile>();
  const passed: string[] = [];
  const fileOf = (path: string, name: string): ProtoFile => {
    let file = parsed.get(path);
    if (!file) {
      file = { path, name, imports: [] };
      parsed.set(path, file);
    }
    return file;
  };
  const lookupDirs = [...dirs, PROTOBUFJS_PROTOS];
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    // protobufjs serves these from its own copies whatever the dirs hold (see below).
    if (target.startsWith('google/protobuf/') && protobuf.common.get(target)) return target;
    // protobufjs' google/api/http.proto is years old (no HttpRule.response_body): the user's tree and the bundled googleapis come first.
    const first = target.startsWith('google/api/') ? dirs : lookupDirs;
    for (const dir of origin ? [...first, dirname(origin), ...treeRootsOf(origin), process.cwd(), GOOGLEAPIS_PROTOS] : lookupDirs) {
      const candidate = join(dir, target);
      if (readable(candidate)) {
        const file = fileOf(candidate, target);
        if (origin) fileOf(origin, origin).imports.push(file.path);
        return candidate;
      }
      passed.push(candidate);
    }
    missing.push({ origin, target });
    return join(dirname(origin), target);
  };
  for (const file of files) {
    if (!readable(file)) throw new ProtoLoadError(`proto file ${file} does not exist`, undefined, undefined);
    fileOf(file, nameIn(file, dirs));
  }
  try {
    withOnlyOwnBundles(() => readingProtoText(() => root.loadSync([...files, ...OWN_FILES], { keepCase })));
    root.resolveAll();
    resolveAsProtoc(root);
  } catch (error) {
    throw toLoadError(error, missing, [...parsed.keys()]);
  }
  // protobufjs serves google/protobuf/{any,timestamp,…}.proto from its own copies, without asking resolvePath.
  for (const name of root.files) if (!parsed.has(name)) fileOf(name, name);
  return { root, files: parsed, passed };
}

/**
 * Runs `load` while protobufjs' process-wide registry of bundled files (`protobuf.common`) holds only
 * protobufjs' own (any, duration, timestamp…). @grpc/proto-loader, once anything in the process imports it
 * (a user's grpc-js client, @grpc/reflection), adds api, type, descriptor and source_context there, from
 * JSON bundles that repeat one another's types: a proto importing both google/protobuf/api.proto and
 * type.proto (googleapis' google/api/service.proto) then failed with "duplicate name 'Option'". Those files
 * are read from the include dirs instead, as without proto-loader. Synchronous: nothing else runs meanwhile.
 */
function withOnlyOwnBundles<T>(load: () => T): T {
  const common = protobuf.common as unknown as Record<string, unknown>;
  const added = Object.entries(common).filter(([name]) => name.includes('/') && !PROTOBUFJS_BUNDLED.has(name));
  for (const [name] of added) delete common[name];
  try {
    return load();
  } finally {
    for (const [name, bundle] of added) common[name] = bundle;
  }
}

/**
 * Runs `load` while protobufjs reads each .proto file's text through readableProtoText (proto-text.ts),
 * through a file-system object of its own: node's fs is not touched. Synchronous, like withOnlyOwnBundles.
 */
function readingProtoText<T>(load: () => T): T {
  const util = protobuf.util as unknown as { fs: typeof import('node:fs') };
  const fs = util.fs;
  util.fs = {
    ...fs,
    readFileSync: ((path: string, options?: unknown) => {
      const content = fs.readFileSync(path, options as undefined);
      return String(path).endsWith('.proto') ? Buffer.from(readableProtoText(content.toString('utf8'))) : content;
    }) as typeof fs.readFileSync,
  };
  try {
    return load();
  } finally {
    util.fs = fs;
  }
}

/** The files protobufjs itself bundles in `protobuf.common`. */
const PROTOBUFJS_BUNDLED = new Set(
  ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map((name) => `google/protobuf/${name}.proto`),
);

/** One of mockstack's own protos and what it imports, parsed with names as written (for its file descriptors). */
export function ownProtoAsWritten(name: string): ParsedRoot {
  return parseRoot([ownProtoPath(name)], [OWN_PROTOS], true);
}

/** A top-level file's import name: its path under the first dir that holds it. */
function nameIn(file: string, dirs: readonly string[]): string {
  for (const dir of dirs) {
    const rel = relative(dir, file);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return basename(file);
}

function load(files: readonly string[], dirs: readonly string[]): LoadedProtos {
  const { root, files: parsed, hashes } = cachedRoot(files, dirs) ?? parseAndCacheRoot(files, dirs);
  const services = new Map<string, MethodInfo[]>();
  const methods = new Map<string, MethodInfo>();
  for (const service of allServices(root)) {
    const fullName = service.fullName.slice(1);
    const list: MethodInfo[] = [];
    for (const method of service.methodsArray) {
      method.resolve();
      const requestStream = Boolean(method.requestStream);
      const responseStream = Boolean(method.responseStream);
      const info: MethodInfo = {
        id: `${fullName}/${method.name}`,
        path: `/${fullName}/${method.name}`,
        service: fullName,
        name: method.name,
        requestType: method.resolvedRequestType as protobuf.Type,
        responseType: method.resolvedResponseType as protobuf.Type,
        requestStream,
        responseStream,
        kind: requestStream ? (responseStream ? 'bidi' : 'client-streaming') : responseStream ? 'server-streaming' : 'unary',
      };
      list.push(info);
      methods.set(info.id, info);
    }
    services.set(fullName, list);
  }
  let asWritten: ParsedRoot | undefined;
  return {
    root,
    services,
    methods,
    asWritten: () => {
      asWritten ??= parseRoot(files, dirs, true);
      return asWritten;
    },
    statusType: root.lookupType('google.rpc.Status'),
    files: [...parsed.keys()].filter(isAbsolute),
    descriptorKey: contentHash(JSON.stringify([hashes ?? fileHashes([...parsed.keys()].filter(isAbsolute)), [...parsed.values()]])),
  };
}

/**
 * The parsed root of a file set as saved by parseAndCacheRoot, while every file read still has the
 * content it had and no import would now be found elsewhere; else undefined. The text is not parsed
 * again: a file set importing googleapis' annotations loads in less than half the time (~45 ms
 * instead of ~100 in a fresh process); the checkout's four files save ~3 ms (resolving, which makes
 * each type's constructor, costs the same either way).
 */
function cachedRoot(files: readonly string[], dirs: readonly string[]): ParsedRoot | undefined {
  const cached = readStartupCache(protosCacheName(files, dirs), isCachedProtos);
  if (!cached || !unchanged(cached.hashes) || cached.passed.some(readable)) return undefined;
  let root: protobuf.Root;
  try {
    root = protobuf.Root.fromJSON(cached.root);
    // Before resolving (an enum's features come from its values' options), and after: resolving adds each extension field to the type it extends.
    restoreDetails(root, cached.details);
    root.resolveAll();
    // Every detail saved has its object again, or the entry is not used (a root that lost options would serve without them).
    if (restoreDetails(root, cached.details) !== Object.keys(cached.details).length) return undefined;
  } catch {
    return undefined;
  }
  root.files = [...cached.rootFiles];
  return { root, files: new Map(cached.files.map((file) => [file.path, file])), passed: cached.passed, hashes: cached.hashes };
}

/** Parses the file set (see parseRoot) and saves the result for the next start (see cachedRoot). */
function parseAndCacheRoot(files: readonly string[], dirs: readonly string[]): ParsedRoot {
  const parsed = parseRoot(files, dirs, false);
  const { root } = parsed;
  const details: Record<string, ObjectDetails> = {};
  for (const object of reflectionObjects(root)) {
    const { filename, parsedOptions } = object;
    const valuesOptions = object instanceof protobuf.Enum ? object.valuesOptions : undefined;
    if (filename === null && !parsedOptions && !valuesOptions) continue;
    details[detailKey(object)] = { ...(filename !== null && { filename }), ...(parsedOptions && { parsedOptions }), ...(valuesOptions && { valuesOptions }) };
  }
  const hashes = fileHashes([...parsed.files.keys()].filter(isAbsolute));
  writeStartupCache(protosCacheName(files, dirs), {
    hashes,
    passed: parsed.passed,
    files: [...parsed.files.values()],
    root: root.toJSON({ keepComments: true }),
    rootFiles: root.files,
    details,
  } satisfies CachedProtos);
  return { ...parsed, hashes };
}

/** v3: types resolved as protoc does (type-scopes.ts); v2: details keyed by kind (detailKey). Run from the sources, entries carry no build: a change to the format (or to what parseRoot makes) needs a new version. */
function protosCacheName(files: readonly string[], dirs: readonly string[]): string {
  return `protos-v3-${contentHash(JSON.stringify([files, dirs]))}`;
}

/** A file set's parsed root as cached: protobufjs' JSON of it, and what that JSON leaves out. */
interface CachedProtos {
  /** Every file read, imports included, with its content hash. */
  hashes: Record<string, string>;
  passed: string[];
  files: ProtoFile[];
  root: protobuf.INamespace;
  /** `root.files`: the files protobufjs loaded. */
  rootFiles: string[];
  /** By detailKey: what the JSON leaves out, the file an object was declared in and its parsed options (google.api.resource on a message…). */
  details: Record<string, ObjectDetails>;
}

interface ObjectDetails {
  filename?: string;
  /** As protobufjs keeps them (a list of one-option objects, whatever its types say). */
  parsedOptions?: protobuf.ReflectionObject['parsedOptions'];
  /** An enum's options of each value, which Enum.fromJSON drops. */
  valuesOptions?: protobuf.Enum['valuesOptions'];
}

/** Gives the root's objects their saved details; returns how many of the saved details found their object. */
function restoreDetails(root: protobuf.Root, details: Readonly<Record<string, ObjectDetails>>): number {
  const restored = new Set<string>();
  for (const object of reflectionObjects(root)) {
    const key = detailKey(object);
    const saved = details[key];
    if (!saved) continue;
    restored.add(key);
    if (saved.filename !== undefined) object.filename = saved.filename;
    if (saved.parsedOptions !== undefined) object.parsedOptions = saved.parsedOptions;
    if (saved.valuesOptions !== undefined && object instanceof protobuf.Enum) object.valuesOptions = saved.valuesOptions;
  }
  return restored.size;
}

function isCachedProtos(value: unknown): value is CachedProtos {
  if (typeof value !== 'object' || value === null) return false;
  const cached = value as Partial<Record<keyof CachedProtos, unknown>>;
  const strings = (list: unknown): boolean => Array.isArray(list) && list.every((item) => typeof item === 'string');
  return (
    typeof cached.hashes === 'object' &&
    cached.hashes !== null &&
    Object.values(cached.hashes).every((hash) => typeof hash === 'string') &&
    strings(cached.passed) &&
    strings(cached.rootFiles) &&
    Array.isArray(cached.files) &&
    cached.files.every((file: Partial<ProtoFile>) => typeof file.path === 'string' && typeof file.name === 'string' && strings(file.imports)) &&
    typeof cached.root === 'object' &&
    cached.root !== null &&
    typeof cached.details === 'object' &&
    cached.details !== null
  );
}

/** Reflection classes by the kind detailKey names (not by constructor.name, which a minifying bundler may change). */
const KINDS = [
  ['field', protobuf.Field],
  ['oneof', protobuf.OneOf],
  ['method', protobuf.Method],
  ['enum', protobuf.Enum],
  ['type', protobuf.Type],
  ['service', protobuf.Service],
] as const;

/** An object's kind and full name: a field and a nested message may share a name. */
function detailKey(object: protobuf.ReflectionObject): string {
  const kind = KINDS.find(([, reflectionClass]) => object instanceof reflectionClass)?.[0] ?? 'namespace';
  return `${kind} ${object.fullName}`;
}

/** Every reflection object under `namespace`: nested namespaces, types, their fields and oneofs, services and their methods, enums. */
function* reflectionObjects(namespace: protobuf.NamespaceBase): Generator<protobuf.ReflectionObject> {
  for (const nested of namespace.nestedArray) {
    yield nested;
    if (nested instanceof protobuf.Type) {
      yield* nested.fieldsArray;
      yield* nested.oneofsArray;
    }
    if (nested instanceof protobuf.Service) yield* nested.methodsArray;
    if (nested instanceof protobuf.Namespace) yield* reflectionObjects(nested);
  }
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function* allServices(namespace: protobuf.NamespaceBase): Generator<protobuf.Service> {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Service) yield nested;
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) yield* allServices(nested);
  }
}

/** protobufjs says `illegal token 'x' (file, line 3)` or ENOENT; turn both into file:line. */
function toLoadError(error: unknown, missing: readonly { origin: string; target: string }[], files: readonly string[]): ProtoLoadError {
  const message = error instanceof Error ? error.message : String(error);
  const gone = missing[0];
  if (gone && /ENOENT|no such file/i.test(message)) {
    const line = lineOf(gone.origin, (text) => text.includes(`"${gone.target}"`) || text.includes(`'${gone.target}'`));
    return new ProtoLoadError(
      `${gone.origin} imports "${gone.target}", which is in none of the include dirs, the folders above the file or the working directory; add the directory its path starts from to the include dirs (--include-dir, or includeDirs in grpc({ … })) or fix the path`,
      gone.origin,
      line,
    );
  }
  const syntax = /^(.*) \((?:(.+?), )?line (\d+)\)$/.exec(message);
  if (syntax?.[3]) {
    const file = syntax[2] ?? files.find(failsToParse) ?? files[0];
    const edition = /^illegal edition '(\w+)'$/.exec(syntax[1] ?? '')?.[1];
    if (edition) {
      return new ProtoLoadError(
        `${file} is written in edition ${edition}, which mockstack cannot read yet (it reads proto2, proto3 and edition 2023); write edition = "2023" there if the file uses nothing newer (export/local, import option), or serve a copy that does`,
        file,
        Number(syntax[3]),
      );
    }
    return new ProtoLoadError(`syntax error in ${file}: ${syntax[1]}`, file, Number(syntax[3]));
  }
  const type = /no such type: ([\w.]+)/.exec(message);
  if (type?.[1]) {
    const name = type[1].split('.').pop() ?? type[1];
    for (const file of files) {
      const line = lineOf(file, (text) => new RegExp(`\\b${name}\\b`).test(text) && !/^\s*(message|enum)\b/.test(text));
      if (line) return new ProtoLoadError(`${file} refers to ${type[1]}, which no loaded proto defines (missing import?)`, file, line);
    }
  }
  return new ProtoLoadError(message, files[0], undefined);
}

/**
 * The folders above an importing file's own, nearest first: where an import is looked for after the
 * include dirs and the file's own folder, before the working directory (protoc's default). Imports are
 * written relative to the root of their proto tree (`import "acme/common/v1/money.proto"` in
 * acme/orders/v1/orders.proto, as buf modules and `protoc -I <root>` have them), so a file served with no
 * include dirs finds them as protoc given that root would.
 */
function treeRootsOf(origin: string): string[] {
  const roots: string[] = [];
  for (let dir = dirname(dirname(origin)); dir !== dirname(dir); dir = dirname(dir)) roots.push(dir);
  return roots;
}

/** protobufjs leaves the file out of some syntax errors; find the one that does not parse. */
function failsToParse(file: string): boolean {
  try {
    protobuf.parse(readFileSync(file, 'utf8'), new protobuf.Root());
    return false;
  } catch {
    return true;
  }
}

function lineOf(file: string, test: (line: string) => boolean): number | undefined {
  try {
    const index = readFileSync(file, 'utf8').split('\n').findIndex(test);
    return index === -1 ? undefined : index + 1;
  } catch {
    return undefined;
  }
}
