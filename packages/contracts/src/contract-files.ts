/**
 * Where a project's contracts and generated types are, and whether the types are stale. Kept apart
 * from the generators so that `mockstack up` can ask without loading graphql, ajv or ts-morph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { compare } from './gen-common.js';

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
  /** Generate from GraphQL SDL with validity problems (as `up --lenient` serves it), a warning per problem. Default false. */
  lenient?: boolean | undefined;
}

interface Contracts {
  protos: string[];
  graphql: string[];
  /** GraphQL documents holding only operations and fragments: what clients send (`query GetCart { … }`). */
  graphqlOperations: string[];
  openapi: string[];
}

/**
 * The contracts of a project: `.proto` under `protos/`; under `schemas/`, GraphQL SDL, GraphQL
 * operation documents (only operations and fragments) and OpenAPI documents; sorted.
 */
export function findContracts(root: string): Contracts {
  const found: Contracts = { protos: [], graphql: [], graphqlOperations: [], openapi: [] };
  for (const file of walk(join(root, 'protos'))) if (extname(file) === '.proto') found.protos.push(file);
  for (const file of walk(join(root, 'schemas'))) {
    const ext = extname(file).toLowerCase();
    if (ext === '.graphql' || ext === '.gql' || ext === '.graphqls') {
      if (isOperationsDocument(readFileSync(file, 'utf8'))) found.graphqlOperations.push(file);
      else found.graphql.push(file);
    } else if (['.yaml', '.yml', '.json'].includes(ext) && isOpenApiDocument(file)) found.openapi.push(file);
  }
  return found;
}

const EXECUTABLE = new Set(['query', 'mutation', 'subscription', 'fragment', '{']);

/**
 * True when a GraphQL document holds only operations and fragments (no type system definitions).
 * A scan of the top-level definitions' first words, so that `up` can ask without loading graphql.
 */
export function isOperationsDocument(text: string): boolean {
  // Strings and comments may hold anything; blank them out before looking at the structure.
  const code = text.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*/g, ' ');
  const heads: string[] = [];
  let depth = 0;
  let expectHead = true;
  for (const match of code.matchAll(/[A-Za-z_][A-Za-z0-9_]*|[{}()[\]]/g)) {
    const token = match[0];
    if (depth === 0 && expectHead) {
      heads.push(token);
      expectHead = false;
    }
    if (token === '{' || token === '(' || token === '[') depth++;
    else if (token === '}' || token === ')' || token === ']') {
      depth--;
      // A definition ends where its selection set or field list closes.
      if (depth === 0 && token === '}') expectHead = true;
    }
  }
  return heads.length > 0 && heads.every((head) => EXECUTABLE.has(head));
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
  const { protos, openapi } = findContracts(root);
  const inputs = [...protos, ...openapi, ...walk(join(root, 'schemas'))];
  return inputs.some((input) => statSync(input).mtimeMs > generatedAt);
}
