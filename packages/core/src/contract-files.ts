/**
 * What kind of contract a file is, and where a project's contracts are: the one place `up`, `init`,
 * `gen` and `check` ask. Reads files only (no protocol library), so `up` pays nothing for it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';

/** A contract file's kind: a proto, GraphQL SDL, a GraphQL operations document (what clients send), an OpenAPI 3 document. */
export type ContractKind = 'grpc' | 'graphql' | 'graphql-operations' | 'openapi';

/** The file endings of each protocol's contracts, as `up`, `init`, `gen` and `check` accept them. */
export const CONTRACT_ENDINGS = {
  grpc: ['.proto'],
  graphql: ['.graphql', '.graphqls', '.gql'],
  openapi: ['.json', '.yaml', '.yml'],
} as const;

/** The protocol a file ending stands for, or undefined (not a contract ending). */
export function protocolOfEnding(file: string): keyof typeof CONTRACT_ENDINGS | undefined {
  const ending = extname(file).toLowerCase();
  for (const [protocol, endings] of Object.entries(CONTRACT_ENDINGS)) {
    if ((endings as readonly string[]).includes(ending)) return protocol as keyof typeof CONTRACT_ENDINGS;
  }
  return undefined;
}

/** `.proto (gRPC), .graphql/.graphqls/.gql (GraphQL SDL), OpenAPI 3 .json/.yaml/.yml`: for error messages. */
export const CONTRACT_ENDINGS_TEXT = `${CONTRACT_ENDINGS.grpc.join('/')} (gRPC), ${CONTRACT_ENDINGS.graphql.join('/')} (GraphQL SDL), OpenAPI 3 or Swagger 2.0 ${CONTRACT_ENDINGS.openapi.join('/')}`;

/**
 * The kind of a contract file, from its ending and (for GraphQL and JSON/YAML) its text: a GraphQL
 * document of only operations and fragments is `graphql-operations`; a JSON/YAML file is a contract
 * only when it is an OpenAPI 3 document (shared component files are not). Undefined otherwise.
 */
export function sniffContract(file: string, text?: string): ContractKind | undefined {
  const protocol = protocolOfEnding(file);
  if (protocol === 'grpc') return 'grpc';
  if (protocol === undefined) return undefined;
  const content = text ?? readFileSync(file, 'utf8');
  if (protocol === 'graphql') return isOperationsDocument(content) ? 'graphql-operations' : 'graphql';
  return isOpenApiDocument(content) ? 'openapi' : undefined;
}

/**
 * True for an OpenAPI 3 document, or a Swagger 2.0 one (converted when loaded): JSON with a
 * top-level `"openapi": "3.…"` or `"swagger": "2.0"` (pretty or minified), or YAML with such a top-level line.
 */
export function isOpenApiDocument(text: string): boolean {
  const start = text.trimStart();
  if (start.startsWith('{')) {
    try {
      const { openapi, swagger } = JSON.parse(start) as { openapi?: unknown; swagger?: unknown };
      return (typeof openapi === 'string' && openapi.startsWith('3.')) || swagger === '2.0';
    } catch {
      // Not JSON after all: YAML flow style, or a broken file. The YAML check below decides.
    }
  }
  return /^["']?(?:openapi["']?\s*:\s*["']?3\.|swagger["']?\s*:\s*["']?2\.0)/m.test(text);
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

/** Every file under a directory (sorted), skipping dot entries, node_modules and generated/. */
export function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'generated') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkFiles(path));
    else out.push(path);
  }
  return out.sort(byPath);
}

/** A project's contracts by kind, each list sorted. */
export interface ProjectContracts {
  grpc: string[];
  graphql: string[];
  /** GraphQL documents holding only operations and fragments: what clients send (`query GetCart { … }`). */
  graphqlOperations: string[];
  openapi: string[];
  /**
   * Those a scenario names inside an object literal that also says `lenient: true`
   * (`graphql({ schema: 'partner.graphql', lenient: true })`): `gen` types them despite small
   * validity problems, as `up` serves them.
   */
  lenient: ReadonlySet<string>;
}

/**
 * The contracts of a project: every contract under `protos/` and `schemas/`, plus every contract
 * file a scenario module under `scenarios/` names in a string literal (`schema: 'schema.graphql'`,
 * `openapi: '../api/openapi.json'`), resolved against the scenario's directory, then the project root.
 */
export function findContracts(root: string): ProjectContracts {
  const named = scenarioContracts(root);
  const lenient = new Set([...named].filter(([, isLenient]) => isLenient).map(([file]) => file));
  const found: ProjectContracts = { grpc: [], graphql: [], graphqlOperations: [], openapi: [], lenient };
  const files = new Set([...walkFiles(join(root, 'protos')), ...walkFiles(join(root, 'schemas')), ...named.keys()]);
  for (const file of [...files].sort(byPath)) {
    const kind = sniffContract(file);
    if (kind === 'graphql-operations') found.graphqlOperations.push(file);
    else if (kind) found[kind].push(file);
  }
  return found;
}

/** A string literal naming a file with a contract ending. */
const CONTRACT_LITERAL = /(['"`])([^'"`\n]+\.(?:proto|graphqls?|gql|json|ya?ml))\1/gi;

/** Each contract file the scenario modules name (absolute), and whether one naming of it is lenient. */
function scenarioContracts(root: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const module of walkFiles(join(root, 'scenarios'))) {
    if (!/\.(?:[mc]?ts|[mc]?js)$/.test(module) || module.endsWith('.d.ts')) continue;
    const text = readFileSync(module, 'utf8');
    for (const match of text.matchAll(CONTRACT_LITERAL)) {
      const named = match[2] ?? '';
      const candidates = isAbsolute(named) ? [named] : [resolve(dirname(module), named), resolve(root, named)];
      const file = candidates.find((c) => existsSync(c) && statSync(c).isFile());
      if (file) out.set(file, out.get(file) === true || LENIENT.test(enclosingObject(text, match.index ?? 0)));
    }
  }
  return out;
}

const LENIENT = /\blenient\s*:\s*true\b/;

/** The text of the flat object literal around `index` (from the `{` before it to the `}` after it). */
function enclosingObject(text: string, index: number): string {
  const start = text.lastIndexOf('{', index);
  const end = text.indexOf('}', index);
  return start < 0 || end < 0 ? '' : text.slice(start, end);
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
