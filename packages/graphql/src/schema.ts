import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Model, Problem, Service, SourceLocation } from '@mockstack/core';
import { resolveContractPath } from '@mockstack/core';
import { buildASTSchema, concatAST, type DocumentNode, type GraphQLError, type GraphQLSchema, parse, Source, validateSchema } from 'graphql';
import { validateSDL } from 'graphql/validation/validate.js';

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

/** The SDL paths a service names, resolved against the scenario and project root. */
export function schemaFiles(service: Service, model: Pick<Model, 'file' | 'root'>): string[] {
  const paths = service.config.schema;
  const list = Array.isArray(paths) ? paths : typeof paths === 'string' ? [paths] : [];
  return list.map((p) => resolveContractPath(model, String(p)));
}

/**
 * Reads, parses and builds the service's schema from one or more SDL files (merged). Problems
 * point at the SDL file and line. Cached by file and modification time, so compile-time
 * validation and serving build it once.
 */
export function loadSchema(service: Service, model: Pick<Model, 'file' | 'root'>): LoadedSchema {
  const files = schemaFiles(service, model);
  if (files.length === 0) {
    return {
      files,
      problems: [{ message: `GraphQL service "${service.name}" names no schema; give it schema: 'schemas/<name>.graphql'`, source: service.source }],
    };
  }
  const stamps: string[] = [];
  for (const file of files) {
    try {
      const stat = statSync(file);
      stamps.push(`${file}@${stat.mtimeMs}:${stat.size}`);
    } catch {
      stamps.push(`${file}@missing`);
    }
  }
  const lenient = service.config.lenient === true;
  const key = `${lenient ? 'lenient\n' : ''}${stamps.join('\n')}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const loaded = build(service, model, files, lenient);
  if (cache.size > 32) cache.clear();
  cache.set(key, loaded);
  return loaded;
}

function build(service: Service, model: Pick<Model, 'file' | 'root'>, files: string[], lenient: boolean): LoadedSchema {
  const problems: Problem[] = [];
  const documents: DocumentNode[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const root = model.root ?? process.cwd();
      problems.push({
        message: `GraphQL service "${service.name}": cannot read schema ${relative(root, file) || file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); paths resolve against the scenario file, then the project root ${root}`,
        source: service.source,
      });
      continue;
    }
    try {
      documents.push(parse(new Source(text, file)));
    } catch (error) {
      problems.push(sdlProblem(service, error as GraphQLError, file));
    }
  }
  if (problems.length) return { files, problems };

  const document = concatAST(documents);
  // The fast path skips graphql's SDL validation (a third of the load time of a large schema):
  // the schema is built and validated as a schema; only when that fails, or a type is defined
  // twice, does the SDL validation run, for its messages with file and line.
  let schema: GraphQLSchema | undefined;
  let rebuild: () => GraphQLSchema = () => buildASTSchema(document, { assumeValidSDL: true });
  if (!definesTypeTwice(document)) {
    try {
      schema = rebuild();
      if (validateSchema(schema).length) schema = undefined;
    } catch {
      schema = undefined;
    }
  }
  if (!schema) {
    const sdlErrors = validateSDL(document);
    if (sdlErrors.length === 0) {
      schema = rebuild();
    } else if (sdlErrors.every((e) => /can only be defined once|There can be only one type named/.test(e.message))) {
      // The same type in several files: merge them, as graphql-tools does.
      rebuild = () => makeExecutableSchema({ typeDefs: documents });
      try {
        schema = rebuild();
      } catch (error) {
        return {
          files,
          problems: [{ message: `GraphQL service "${service.name}": cannot merge ${files.join(', ')}: ${(error as Error).message}`, source: service.source }],
        };
      }
    } else if (lenient) {
      return lenientSchema(service, document, files, sdlErrors);
    } else {
      return { files, problems: sdlErrors.map((e) => sdlProblem(service, e, files[0] ?? '')) };
    }
  }
  const schemaErrors = validateSchema(schema); // cached by graphql-js: free on the fast path
  if (schemaErrors.length && lenient) return lenientSchema(service, document, files, schemaErrors);
  if (schemaErrors.length) return { files, problems: schemaErrors.map((e) => sdlProblem(service, e, files[0] ?? '')) };
  if (!schema.getQueryType()) {
    return {
      files,
      problems: [
        { message: `GraphQL service "${service.name}": the schema in ${files.join(', ')} has no Query type; add \`type Query { … }\``, source: service.source },
      ],
    };
  }
  return { schema, files, problems, rebuild };
}

/**
 * `config.lenient`: a schema built despite SDL problems (unknown directives such as federation's
 * `@key`, repeated directives, descriptions or fields in conflict), as graphql-js builds it with
 * `assumeValidSDL` and `assumeValid`; the problems become warnings. What cannot be built at all
 * (an unknown type) still fails.
 */
function lenientSchema(service: Service, document: DocumentNode, files: string[], errors: readonly GraphQLError[]): LoadedSchema {
  const rebuild = (): GraphQLSchema => buildASTSchema(document, { assumeValidSDL: true, assumeValid: true });
  let schema: GraphQLSchema;
  try {
    schema = rebuild();
  } catch (error) {
    return { files, problems: [...errors.map((e) => sdlProblem(service, e, files[0] ?? '')), sdlProblem(service, error as GraphQLError, files[0] ?? '')] };
  }
  if (!schema.getQueryType()) {
    return {
      files,
      problems: [
        { message: `GraphQL service "${service.name}": the schema in ${files.join(', ')} has no Query type; add \`type Query { … }\``, source: service.source },
      ],
    };
  }
  const warnings = errors.map((e) => {
    const problem = sdlProblem(service, e, files[0] ?? '');
    const at = problem.source ? `${relative(process.cwd(), problem.source.file) || problem.source.file}:${problem.source.line}:${problem.source.column}: ` : '';
    return `loaded leniently despite ${at}${e.message}`;
  });
  return { schema, files, problems: [], rebuild, warnings };
}

function definesTypeTwice(document: DocumentNode): boolean {
  const names = new Set<string>();
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name || definition.kind.endsWith('Extension') || !definition.kind.endsWith('Definition')) continue;
    if (definition.kind === 'OperationDefinition' || definition.kind === 'FragmentDefinition') continue;
    if (names.has(definition.name.value)) return true;
    names.add(definition.name.value);
  }
  return false;
}

function sdlProblem(service: Service, error: GraphQLError, fallbackFile: string): Problem {
  const location = error.locations?.[0];
  const file = error.source?.name ?? error.nodes?.[0]?.loc?.source.name ?? fallbackFile;
  const source: SourceLocation | undefined = location ? { file, line: location.line, column: location.column } : service.source;
  return { message: `GraphQL schema of service "${service.name}": ${error.message}`, source };
}
