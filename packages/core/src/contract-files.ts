/**
 * What kind of contract a file is, and where a project's contracts are: the one place `up`, `init`,
 * `gen` and `check` ask. Reads files only (no protocol library), so `up` pays nothing for it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { Adapter, ContractFileKind } from './adapter.js';
import { escapeRegExp } from './escape-regexp.js';

/** Every kind of contract file the protocols read, in their order. */
export function contractKindsOf(protocols: readonly Adapter[]): ContractFileKind[] {
  return protocols.flatMap((protocol) => protocol.contractFiles ?? []);
}

/**
 * The kind of a contract file among the registered protocols' kinds (`Adapter.contractFiles`): the
 * first whose endings include the file's and whose `matches` accepts its text (read only when a
 * kind asks). Undefined when no kind takes it (a JSON file that is no OpenAPI document).
 */
export function contractKindOf(file: string, kinds: readonly ContractFileKind[], text?: string): ContractFileKind | undefined {
  const candidates = kindsByEnding(file, kinds);
  if (candidates.length === 0) return undefined;
  let content = text;
  return candidates.find((kind) => {
    if (!kind.matches) return true;
    content ??= readFileSync(file, 'utf8');
    return kind.matches(content);
  });
}

/** The kinds whose endings include the file's (its text unread). */
export function kindsByEnding(file: string, kinds: readonly ContractFileKind[]): ContractFileKind[] {
  const ending = extname(file).toLowerCase();
  return kinds.filter((kind) => kind.endings.includes(ending));
}

/** `.proto (gRPC), .graphql/.graphqls/.gql (GraphQL SDL), …` in the order given: for messages. */
export function describeKinds(kinds: readonly ContractFileKind[]): string {
  return kinds.map((kind) => `${kind.endings.join('/')} (${kind.label})`).join(', ');
}

/** JSON whose first key says it is OpenAPI or Swagger: most documents, told apart without parsing 20 MB (Microsoft Graph's). */
export const OPENAPI_FIRST_KEY = /^\s*\{\s*"(?:openapi"\s*:\s*"3\.|swagger"\s*:\s*"2\.0")/;

/**
 * True for an OpenAPI 3 document, or a Swagger 2.0 one (converted when loaded): JSON with a
 * top-level `"openapi": "3.…"` or `"swagger": "2.0"` (pretty or minified), or YAML with such a top-level line.
 */
export function isOpenApiDocument(text: string): boolean {
  if (OPENAPI_FIRST_KEY.test(text.slice(0, 200))) return true;
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

/** A project's contracts. */
export interface ProjectContracts {
  /** Every contract, sorted. */
  files: string[];
  /** Per kind name (`'grpc'`, `'graphql-operations'`…), its files, sorted; only kinds with files. */
  byKind: Map<string, string[]>;
  /**
   * Those a scenario names inside an object literal that also says `lenient: true`
   * (`graphql({ schema: 'partner.graphql', lenient: true })`): `gen` types them despite small
   * validity problems, as `up` serves them.
   */
  lenient: ReadonlySet<string>;
}

/**
 * The contracts of a project, of the kinds given (the registered protocols'): every contract under
 * `protos/` and `schemas/`, plus every contract file a scenario module under `scenarios/` names in a
 * string literal (`schema: 'schema.graphql'`, `openapi: '../api/openapi.json'`), resolved against
 * the scenario's directory, then the project root.
 */
export function findContracts(root: string, kinds: readonly ContractFileKind[]): ProjectContracts {
  const named = scenarioContracts(root, kinds);
  const lenient = new Set([...named].filter(([, isLenient]) => isLenient).map(([file]) => file));
  const found: ProjectContracts = { files: [], byKind: new Map(), lenient };
  const files = new Set([...walkFiles(join(root, 'protos')), ...walkFiles(join(root, 'schemas')), ...named.keys()]);
  for (const file of [...files].sort(byPath)) {
    const kind = contractKindOf(file, kinds);
    if (!kind) continue;
    found.files.push(file);
    found.byKind.set(kind.kind, [...(found.byKind.get(kind.kind) ?? []), file]);
  }
  return found;
}

/** Each contract file the scenario modules name (absolute), and whether one naming of it is lenient. */
function scenarioContracts(root: string, kinds: readonly ContractFileKind[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const endings = [...new Set(kinds.flatMap((kind) => kind.endings))].map(escapeRegExp);
  if (endings.length === 0) return out;
  // A string literal naming a file with one of the endings.
  const literal = new RegExp(`(['"\`])([^'"\`\\n]+(?:${endings.join('|')}))\\1`, 'gi');
  for (const module of walkFiles(join(root, 'scenarios'))) {
    if (!/\.(?:[mc]?ts|[mc]?js)$/.test(module) || module.endsWith('.d.ts')) continue;
    const text = readFileSync(module, 'utf8');
    for (const match of text.matchAll(literal)) {
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
