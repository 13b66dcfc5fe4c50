import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind, type OperationTypeNode, parse, validate } from 'graphql';
import { checkLimits, type QueryLimits } from './limits.js';

export interface OperationInfo {
  type: OperationTypeNode;
  name: string | undefined;
  /** The operation id the engine and the journal know it by: `query GetCart`, `mutation (anonymous)`. */
  id: string;
}

/** A query text after parse, validation and the size limits: either a document or the errors. */
export type CompiledDocument =
  | { ok: true; text: string; document: DocumentNode; operations: ReadonlyMap<string, OperationInfo>; only: OperationInfo | undefined }
  | { ok: false; errors: readonly GraphQLError[] };

/** The operation `operationName` picks in a compiled document: the only one when no name is given. */
export function operationOf(compiled: Extract<CompiledDocument, { ok: true }>, operationName: string | undefined): OperationInfo | undefined {
  return operationName === undefined ? compiled.only : compiled.operations.get(operationName);
}

/** Query texts longer than this are compiled but not kept. */
const MAX_CACHED_TEXT = 100_000;

/** What the cache may hold in all, in (estimated) bytes: text, AST and validation results. */
export const DEFAULT_DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Bytes a cached document costs, estimated from its text: a parsed document (AST nodes with their
 * locations) measured ~5 bytes of heap per character of query text; 8 leaves room for the rest.
 */
const BYTES_PER_CHARACTER = 8;

/**
 * Bracket nesting ({ [ ( ) beyond which a query is refused before it is parsed: graphql-js parses and
 * validates recursively, and a query nested thousands deep overflows the stack (a 500, not a 400).
 */
const MAX_NESTING = 500;

/**
 * Parsed and validated documents by query text, least recently used dropped first. Clients send
 * the same few query texts over and over, so parse and validate run once per text.
 */
export class DocumentCache {
  readonly #entries = new Map<string, CompiledDocument>();
  readonly #schema: GraphQLSchema;
  readonly #limits: QueryLimits;
  readonly #size: number;
  readonly #maxBytes: number;
  #bytes = 0;
  /** The entry last used (the Map's last): a hit on it needs no move, as when one query is sent over and over. */
  #newest: CompiledDocument | undefined;

  constructor(schema: GraphQLSchema, limits: QueryLimits, size = 1000, maxBytes = DEFAULT_DOCUMENT_CACHE_BYTES) {
    this.#schema = schema;
    this.#limits = limits;
    this.#size = size;
    this.#maxBytes = maxBytes;
  }

  /** Estimated bytes held now (see BYTES_PER_CHARACTER). */
  get bytes(): number {
    return this.#bytes;
  }

  get(query: string): CompiledDocument {
    const hit = this.#entries.get(query);
    if (hit) {
      if (hit !== this.#newest) {
        this.#entries.delete(query);
        this.#entries.set(query, hit);
        this.#newest = hit;
      }
      return hit;
    }
    const compiled = this.#compile(query);
    const cost = query.length * BYTES_PER_CHARACTER;
    if (query.length <= MAX_CACHED_TEXT && cost <= this.#maxBytes) {
      while (this.#entries.size > 0 && (this.#entries.size >= this.#size || this.#bytes + cost > this.#maxBytes)) {
        const oldest = this.#entries.keys().next().value as string;
        this.#entries.delete(oldest);
        this.#bytes -= oldest.length * BYTES_PER_CHARACTER;
      }
      this.#entries.set(query, compiled);
      this.#newest = compiled;
      this.#bytes += cost;
    }
    return compiled;
  }

  #compile(query: string): CompiledDocument {
    const nesting = nestingOf(query);
    if (nesting > MAX_NESTING) {
      const message = `the query nests brackets ${nesting} deep; this service reads at most ${MAX_NESTING} (and allows ${this.#limits.maxDepth} levels of fields)`;
      return { ok: false, errors: [new GraphQLError(message, { extensions: { code: 'QUERY_TOO_DEEP' } })] };
    }
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      if (error instanceof GraphQLError) return { ok: false, errors: [withCode(error, 'GRAPHQL_PARSE_FAILED')] };
      throw error;
    }
    const errors = validate(this.#schema, document);
    if (errors.length) return { ok: false, errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
    const tooBig = checkLimits(document, this.#limits);
    if (tooBig) return { ok: false, errors: [new GraphQLError(tooBig.message, { extensions: { code: tooBig.code } })] };
    const operations = new Map<string, OperationInfo>();
    let only: OperationInfo | undefined;
    let count = 0;
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = definition.name?.value;
      const info = { type: definition.operation, name, id: `${definition.operation} ${name ?? '(anonymous)'}` };
      operations.set(info.name ?? '', info);
      only = info;
      count++;
    }
    return { ok: true, text: query, document, operations, only: count === 1 ? only : undefined };
  }
}

/** The deepest nesting of { [ ( in a query text, outside strings and comments. */
function nestingOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) depth--;
    else if (c === 0x23) {
      // A comment runs to the end of the line.
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
    } else if (c === 0x22) {
      // A string (or a block string) to its closing quote; brackets inside do not count.
      const block = text.startsWith('"""', i);
      const end = block ? text.indexOf('"""', i + 3) : skipString(text, i + 1);
      if (end === -1) break;
      i = block ? end + 2 : end;
    }
  }
  return deepest;
}

/** The index of the quote that closes a string starting at `from`, or -1. */
function skipString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22 || c === 0x0a) return i;
  }
  return -1;
}

/** The error with `extensions.code` set (the codes Apollo Server gives: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT). */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    extensions: { ...error.extensions, code },
  });
}
