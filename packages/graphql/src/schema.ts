import { makeExecutableSchema } from '@graphql-tools/schema';
import { hashString, type Model, type Problem, type Service } from '@mockstack/core';
import { defaultRoot, displayPath, fileVersion, readTextFileSync, resolveContractPath } from '@mockstack/core/platform';
import {
  buildASTSchema,
  buildClientSchema,
  concatAST,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  type IntrospectionQuery,
  isObjectType,
  parse,
  printSchema,
  Source,
  validateSchema,
} from 'graphql';
import { validateSDL } from 'graphql/validation/validate.js';
import { isGraphqlIntrospection } from './contract-text.js';
import { FAKER_SDL } from './faker-directives.js';
import { isSubgraph, subgraphDocuments } from './federation.js';
import { loadPersistedDocuments } from './persisted-documents.js';
import { APPSYNC_SDL, missingDeclarations } from './platform-declarations.js';

export interface LoadedSchema {
  /** For checks only: a server mocks its schema in place, so it takes one with `claimSchema`. */
  schema?: GraphQLSchema | undefined;
  files: string[];
  problems: Problem[];
  /** Builds another copy from the parsed documents (no parsing or validation again). */
  rebuild?: (() => GraphQLSchema) | undefined;
  claimed?: boolean;
  /** With `config.lenient`: the SDL and schema problems the schema was loaded despite, for the server to log. */
  warnings?: string[] | undefined;
  /** A federation subgraph's SDL as written (see `BuiltSdl.subgraph`). */
  subgraph?: string | undefined;
}

/** A schema this caller may change (set resolvers on): the built one the first time, a fresh copy after. */
export function claimSchema(loaded: LoadedSchema): GraphQLSchema | undefined {
  if (!loaded.schema) return undefined;
  if (!loaded.claimed) {
    loaded.claimed = true;
    return loaded.schema;
  }
  return loaded.rebuild?.();
}

const cache = new Map<string, LoadedSchema>();

/**
 * Whether a `schema` entry is SDL written in the scenario (`schema: 'type Query { hello: String }'`, as
 * graphql-tools' `typeDefs`) rather than a path: no schema file's name holds a brace or a line break.
 */
function isInlineSdl(entry: string): boolean {
  return /[{}\n]/.test(entry);
}

/** What an inline schema is called in problems and in the schema's cache key: the scenario and the service. */
function inlineSdlName(service: Service, model: Pick<Model, 'file'>, index: number, count: number): string {
  const part = count > 1 ? ` (part ${index + 1})` : '';
  return `inline schema${part} of service "${service.name}" in ${model.file ? displayPath(model.file) : 'the scenario'}`;
}

/** The service's `schema` entries as read: SDL files (paths resolved against the scenario and project root) and inline SDL. */
function schemaEntries(service: Service, model: Pick<Model, 'file' | 'root'>): { file: string; inline?: string }[] {
  const given = service.config.schema;
  const list = (Array.isArray(given) ? given : typeof given === 'string' ? [given] : []).map(String);
  return list.map((entry, index) =>
    isInlineSdl(entry) ? { file: inlineSdlName(service, model, index, list.length), inline: entry } : { file: resolveContractPath(model, entry) },
  );
}

/**
 * Reads, parses and builds the service's schema from one or more SDL files (merged). Problems
 * point at the SDL file and line. Cached by file and modification time, so compile-time
 * validation and serving build it once.
 */
export function loadSchema(service: Service, model: Pick<Model, 'file' | 'root' | 'contracts'>): LoadedSchema {
  const entries = schemaEntries(service, model);
  const files = entries.map((entry) => entry.file);
  if (files.length === 0) {
    return {
      files,
      problems: [{ message: `GraphQL service "${service.name}" names no schema; give it schema: 'schemas/<name>.graphql'`, source: service.source }],
    };
  }
  const stamps: string[] = [];
  for (const { file, inline } of entries) {
    const given = inline ?? model.contracts?.get(file);
    const version = given === undefined ? fileVersion(file) : `text:${hashString(given)}:${given.length}`;
    stamps.push(`${file}@${version || 'missing'}`);
  }
  const lenient = service.config.lenient === true;
  const key = `${lenient ? 'lenient\n' : ''}${stamps.join('\n')}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const loaded = build(service, model, entries, lenient);
  if (cache.size > 32) cache.clear();
  cache.set(key, loaded);
  return loaded;
}

function build(
  service: Service,
  model: Pick<Model, 'file' | 'root' | 'contracts'>,
  entries: { file: string; inline?: string }[],
  lenient: boolean,
): LoadedSchema {
  const files = entries.map((entry) => entry.file);
  const sources: Source[] = [];
  const problems: Problem[] = [];
  for (const { file, inline } of entries) {
    try {
      sources.push(new Source(inline ?? model.contracts?.get(file) ?? readTextFileSync(file), file));
    } catch (error) {
      const root = model.root ?? defaultRoot(undefined);
      problems.push({
        message: `GraphQL service "${service.name}": cannot read schema ${displayPath(file)} (${(error as NodeJS.ErrnoException).code ?? String(error)}); paths resolve against the scenario file, then the project root ${root}`,
        source: service.source,
      });
    }
  }
  if (problems.length) return { files, problems };
  const built = buildSdl(sources, { lenient });
  if (built.problems.length || !built.schema) {
    return {
      files,
      problems: built.problems.map((p) => {
        // Inline SDL has no file of its own: the problem is placed at the service, with the line in the SDL.
        const inline = p.file !== undefined && entries.some((entry) => entry.inline !== undefined && entry.file === p.file);
        return inline
          ? { message: `GraphQL schema of service "${service.name}": ${p.file}, line ${p.line}:${p.column}: ${p.message}`, source: service.source }
          : {
              message: `GraphQL schema of service "${service.name}": ${p.message}`,
              source: p.file ? { file: p.file, line: p.line, column: p.column } : service.source,
            };
      }),
    };
  }
  return {
    schema: built.schema,
    files,
    problems: [],
    rebuild: built.rebuild,
    warnings: built.warnings.length ? built.warnings : undefined,
    subgraph: built.subgraph,
  };
}

/** A problem of an SDL document, at its file (the Source name), line and column. */
export interface SdlProblem {
  message: string;
  file: string;
  line: number;
  column: number;
}

export interface BuiltSdl {
  schema?: GraphQLSchema | undefined;
  /** Builds another copy from the parsed documents (no parsing or validation again). */
  rebuild?: (() => GraphQLSchema) | undefined;
  /** Why there is no schema (strict mode, or what even lenient mode cannot build). */
  problems: SdlProblem[];
  /** Lenient mode: `loaded leniently despite file:line:col: problem`, one per problem the schema was built despite. */
  warnings: string[];
  /** A federation subgraph's SDL as written (what `_service { sdl }` answers); undefined for other schemas. */
  subgraph?: string | undefined;
}

/** Declarations platforms give their schemas (graphql-faker's, AWS AppSync's), added where a schema uses them undeclared. */
const PLATFORM_SDL = FAKER_SDL + APPSYNC_SDL;

/**
 * The one way mockstack reads GraphQL SDL (`up`, `gen` and `check` all come here, so they agree).
 * Strict by default: every problem graphql-js' SDL and schema validation finds is reported with its
 * file, line and column (a field defined twice, an extension of a missing type, an unknown directive).
 * The same type in several files is merged, as graphql-tools merges modular schemas.
 * With `lenient`, the schema is built despite those problems, as graphql-js builds it with
 * `assumeValidSDL`, and each becomes a warning; what cannot be built at all still fails.
 */
export function buildSdl(sources: readonly Source[], options: { lenient?: boolean | undefined } = {}): BuiltSdl {
  const documents: DocumentNode[] = [];
  const problems: SdlProblem[] = [];
  for (const given of sources) {
    try {
      const source = isGraphqlIntrospection(given.body) ? introspectionSdl(given) : given;
      documents.push(parse(source));
    } catch (error) {
      problems.push(problemOf(error as GraphQLError, given.name));
    }
  }
  const fallback = sources[0]?.name ?? '';
  if (problems.length) return { problems, warnings: [] };
  // A federation subgraph's SDL builds as @apollo/subgraph builds it (see federation.ts).
  const subgraph = isSubgraph(documents) ? sources.map((s) => s.body).join('\n') : undefined;
  if (subgraph !== undefined) documents.splice(0, documents.length, ...subgraphDocuments(documents));
  // SDL written for graphql-faker, or exported from AWS AppSync: the platform's directives and scalars it uses declared (see platform-declarations.ts).
  const platform = missingDeclarations(documents, PLATFORM_SDL);
  if (platform) documents.unshift(platform);
  const document = concatAST(documents);
  let errors: readonly GraphQLError[] = validateSDL(document);
  // The same type in several files: merge them, as graphql-tools does (other problems stay problems).
  const merged = errors.some(acrossFiles);
  if (merged) errors = errors.filter((error) => !acrossFiles(error));
  const build = (assumeValid: boolean): GraphQLSchema =>
    merged
      ? makeExecutableSchema({ typeDefs: documents, assumeValidSDL: assumeValid, assumeValid })
      : buildASTSchema(document, { assumeValidSDL: true, assumeValid });
  let rebuild = () => build(false);
  let schema: GraphQLSchema | undefined;
  if (errors.length === 0) {
    try {
      schema = rebuild();
      errors = validateSchema(schema);
    } catch (error) {
      return { problems: [problemOf(error as GraphQLError, fallback)], warnings: [] };
    }
  }
  if (errors.length && !options.lenient) return { problems: errors.map((e) => problemOf(e, fallback)), warnings: [] };
  if (errors.length) {
    rebuild = () => build(true);
    try {
      schema = rebuild();
    } catch (error) {
      return { problems: [...errors, error as GraphQLError].map((e) => problemOf(e, fallback)), warnings: [] };
    }
  }
  if (!schema?.getQueryType()) {
    return {
      problems: [
        { message: `the schema in ${sources.map((s) => s.name).join(', ')} has no Query type; add \`type Query { … }\``, file: '', line: 1, column: 1 },
      ],
      warnings: [],
    };
  }
  const warnings = errors.map((e) => {
    const p = problemOf(e, fallback);
    return `loaded leniently despite ${displayPath(p.file)}:${p.line}:${p.column}: ${p.message}`;
  });
  return { schema, rebuild, problems: [], warnings, subgraph };
}

/**
 * The SDL an introspection result describes (graphql-js' buildClientSchema, then printSchema), named
 * as its JSON file so that problems point there. Throws a GraphQLError saying why it is not one.
 */
function introspectionSdl(source: Source): Source {
  let parsed: { data?: unknown; __schema?: unknown };
  try {
    parsed = JSON.parse(source.body.replace(/^\uFEFF/, '')) as typeof parsed;
  } catch (error) {
    throw new GraphQLError(
      `${displayPath(source.name)} is not valid JSON (${(error as Error).message}); an introspection result is { "__schema": … } or { "data": { "__schema": … } }`,
    );
  }
  const introspection = (parsed.__schema === undefined ? parsed.data : parsed) as IntrospectionQuery;
  try {
    return new Source(printSchema(buildClientSchema(introspection)), source.name);
  } catch (error) {
    throw new GraphQLError(`${displayPath(source.name)} is not a GraphQL introspection result graphql-js can build a schema from: ${(error as Error).message}`);
  }
}

/** A definition repeated in different files (a modular schema), not twice in one. */
function acrossFiles(error: GraphQLError): boolean {
  if (!/can only be defined once|There can be only one type named/.test(error.message)) return false;
  const files = new Set((error.nodes ?? []).map((n) => n.loc?.source.name));
  return files.size > 1;
}

function problemOf(error: GraphQLError, fallbackFile: string): SdlProblem {
  const location = error.locations?.[0];
  const file = error.source?.name ?? error.nodes?.[0]?.loc?.source.name ?? fallbackFile;
  return { message: error.message, file, line: location?.line ?? 1, column: location?.column ?? 1 };
}

/** Compile-time checks: the SDL parses and builds, and every resolver names a type and field that exist. */
export function validateGraphqlService(service: Service, model: Model): Problem[] {
  const loaded = loadSchema(service, model);
  if (!loaded.schema) return loaded.problems;
  const schema = loaded.schema;
  const problems: Problem[] = [];
  const objectTypes = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
    .map((t) => t.name);
  for (const operation of service.operations.values()) {
    if (operation.meta.kind !== 'field') continue;
    const typeName = String(operation.meta.type);
    const fieldName = String(operation.meta.field);
    const source = operation.rules[0]?.source ?? service.source;
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) {
      problems.push({
        message: `GraphQL service "${service.name}" resolves ${operation.id}, but the schema has no object type "${typeName}"${type ? ` (it is ${type.constructor.name.replace('GraphQL', '').replace('Type', '').toLowerCase()})` : ''}; object types: ${list(objectTypes)}`,
        source,
      });
      continue;
    }
    if (!type.getFields()[fieldName]) {
      problems.push({
        message: `GraphQL service "${service.name}" resolves ${operation.id}, but type ${typeName} has no field "${fieldName}"; its fields: ${list(Object.keys(type.getFields()))}`,
        source,
      });
    }
  }
  const manifest = loadPersistedDocuments(service, model);
  if (manifest !== undefined && !('byId' in manifest)) problems.push(manifest);
  const proxy = service.config.proxy;
  if (proxy !== undefined && !/^https?:$/.test(URL.parse(String(proxy))?.protocol ?? '')) {
    problems.push({
      message: `GraphQL service "${service.name}" has proxy ${JSON.stringify(proxy)}, which is not an http(s) URL; give the real endpoint, e.g. 'http://localhost:4000/graphql'`,
      source: service.source,
    });
  }
  const mocks = service.config.mocks;
  if (mocks && typeof mocks === 'object') {
    for (const name of Object.keys(mocks)) {
      if (!schema.getType(name)) {
        problems.push({
          message: `GraphQL service "${service.name}" has mocks for "${name}", which the schema does not define; types: ${list(Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__')))}`,
          source: service.source,
        });
      }
    }
  }
  return problems;
}

function list(names: readonly string[]): string {
  return names.length > 40 ? `${names.slice(0, 40).join(', ')} … (${names.length} in all)` : names.join(', ');
}
