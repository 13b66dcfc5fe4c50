import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { ErrorCode, MockstackError } from '@mockstack/core';
import { ProtoLoadError } from '@mockstack/grpc';
import { loadOpenApi } from '@mockstack/openapi';
import { buildSchema, GraphQLError } from 'graphql';
import { type ContractTypes, compare, type RegistryPart } from './gen-common.js';
import { graphqlTypes } from './gen-graphql.js';
import { openapiTypes } from './gen-openapi.js';
import { protoTypes } from './gen-proto.js';

/** Where `mockstack gen` writes, relative to the project root (git-ignored). */
export const GENERATED_DIR = join('scenarios', 'generated');
export const GENERATED_FILE = 'contracts.d.ts';

export interface GenerateOptions {
  /** The project root: contracts are looked up in its `protos/` and `schemas/`. Default: cwd. */
  root?: string | undefined;
  /** Output directory (default `scenarios/generated` under the root). */
  outDir?: string | undefined;
  /** Extra directories where proto imports are looked up. */
  includeDirs?: readonly string[] | undefined;
}

export interface GenerateResult {
  /** The generated file. */
  file: string;
  /** Contracts read, relative to the root. */
  contracts: string[];
  /** False when the file already had these bytes. */
  written: boolean;
}

interface Contracts {
  protos: string[];
  graphql: string[];
  openapi: string[];
}

/** The contracts of a project: `.proto` under `protos/`, GraphQL SDL and OpenAPI documents under `schemas/`, sorted. */
export function findContracts(root: string): Contracts {
  const found: Contracts = { protos: [], graphql: [], openapi: [] };
  for (const file of walk(join(root, 'protos'))) if (extname(file) === '.proto') found.protos.push(file);
  for (const file of walk(join(root, 'schemas'))) {
    const ext = extname(file).toLowerCase();
    if (ext === '.graphql' || ext === '.gql' || ext === '.graphqls') found.graphql.push(file);
    else if (['.yaml', '.yml', '.json'].includes(ext) && isOpenApiDocument(file)) found.openapi.push(file);
  }
  return found;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out.sort(compare);
}

/** A document declaring `openapi: 3.x` at its top (shared component files are bundled by the documents using them). */
function isOpenApiDocument(file: string): boolean {
  const head = readFileSync(file, 'utf8').slice(0, 4096);
  return /^\s*["']?openapi["']?\s*:\s*["']?3\./m.test(head);
}

/** The generated file of a project. */
export function generatedFile(options: GenerateOptions = {}): string {
  const root = resolve(options.root ?? process.cwd());
  return resolve(root, options.outDir ?? GENERATED_DIR, GENERATED_FILE);
}

/** True when the generated types are missing or older than a contract. */
export function isStale(options: GenerateOptions = {}): boolean {
  const file = generatedFile(options);
  if (!existsSync(file)) return true;
  const generatedAt = statSync(file).mtimeMs;
  const root = resolve(options.root ?? process.cwd());
  const { protos, graphql, openapi } = findContracts(root);
  const inputs = [...protos, ...graphql, ...openapi, ...walk(join(root, 'schemas'))];
  return inputs.some((input) => statSync(input).mtimeMs > generatedAt);
}

/**
 * Writes TypeScript types for every contract of the project that augment `mockstack`'s
 * `Contracts` registry. Same contracts, same bytes: everything is sorted and nothing depends on
 * time or paths outside the project.
 */
export async function generate(options: GenerateOptions = {}): Promise<GenerateResult> {
  const root = resolve(options.root ?? process.cwd());
  const file = generatedFile(options);
  const found = findContracts(root);
  const rel = (path: string) => relative(root, path).split(sep).join('/');
  const parts: ContractTypes[] = [];

  if (found.protos.length) {
    try {
      parts.push(protoTypes(found.protos, [join(root, 'protos'), ...(options.includeDirs ?? []).map((d) => resolve(root, d))]));
    } catch (error) {
      throw contractError(error, rel);
    }
  }
  for (const path of found.graphql) {
    const sdl = readFileSync(path, 'utf8');
    let schema: ReturnType<typeof buildSchema>;
    try {
      schema = buildSchema(sdl);
    } catch (error) {
      const location = error instanceof GraphQLError ? error.locations?.[0] : undefined;
      throw new MockstackError(
        ErrorCode.ContractLoad,
        `${rel(path)}${location ? `:${location.line}:${location.column}` : ''}: the GraphQL schema does not parse: ${(error as Error).message.split('\n')[0]}`,
        { source: { file: path, line: location?.line ?? 1, column: location?.column ?? 1 }, cause: error },
      );
    }
    parts.push(graphqlTypes(rel(path), schema));
  }
  for (const path of found.openapi) {
    let api: Awaited<ReturnType<typeof loadOpenApi>>;
    try {
      api = await loadOpenApi(path, { skipSchemaCheck: true });
    } catch (error) {
      throw contractError(error, rel);
    }
    parts.push(openapiTypes(rel(path), api));
  }

  const text = await compose(parts, [...found.protos, ...found.graphql, ...found.openapi].map(rel));
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  mkdirSync(dirname(file), { recursive: true });
  if (previous !== text) writeFileSync(file, text);
  else writeFileSync(file, text); // refresh the mtime, so `isStale` sees it is up to date
  return { file, contracts: [...found.protos, ...found.graphql, ...found.openapi].map(rel), written: previous !== text };
}

function contractError(error: unknown, rel: (path: string) => string): MockstackError {
  if (error instanceof MockstackError) return error;
  if (error instanceof ProtoLoadError) {
    const where = error.file ? `${rel(error.file)}${error.line ? `:${error.line}` : ''}: ` : '';
    return new MockstackError(ErrorCode.ContractLoad, `${where}${error.message}`, {
      ...(error.file && { source: { file: error.file, line: error.line ?? 1, column: 1 } }),
      cause: error,
    });
  }
  return new MockstackError(ErrorCode.ContractLoad, `cannot read a contract: ${(error as Error).message}`, { cause: error });
}

/** One declaration file: per-contract types at module scope, then the registry augmentation, composed and printed by ts-morph. */
async function compose(parts: readonly ContractTypes[], contracts: readonly string[]): Promise<string> {
  const { ModuleDeclarationKind, Project, IndentationText, QuoteKind } = await import('ts-morph');
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
  });
  const source = project.createSourceFile('contracts.d.ts', '', { overwrite: true });
  source.addStatements([
    '// Generated by `mockstack gen`; do not edit. Run `mockstack gen` again after changing a contract.',
    `// Contracts: ${contracts.join(', ') || '(none)'}`,
    'export {};',
    ...parts.flatMap((p) => p.declarations),
  ]);
  const registry = new Map<RegistryPart, string[]>();
  for (const part of parts) {
    for (const [key, entries] of Object.entries(part.registry) as [RegistryPart, string[]][]) {
      registry.set(key, [...(registry.get(key) ?? []), ...entries]);
    }
  }
  const module = source.addModule({ name: "'mockstack'", declarationKind: ModuleDeclarationKind.Module, hasDeclareKeyword: true });
  module.addInterface({
    name: 'Contracts',
    properties: (['grpc', 'graphql', 'openapi', 'rest'] as const)
      .filter((key) => registry.has(key))
      .map((key) => ({ name: key, type: `{\n${(registry.get(key) ?? []).join('\n')}\n}` })),
  });
  source.formatText({ indentSize: 2, convertTabsToSpaces: true });
  return source.getFullText();
}
