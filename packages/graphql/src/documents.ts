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

/** Query texts longer than this are compiled but not kept. */
const MAX_CACHED_TEXT = 100_000;

/**
 * Parsed and validated documents by query text, least recently used dropped first. Clients send
 * the same few query texts over and over, so parse and validate run once per text.
 */
export class DocumentCache {
  readonly #entries = new Map<string, CompiledDocument>();
  readonly #schema: GraphQLSchema;
  readonly #limits: QueryLimits;
  readonly #size: number;

  constructor(schema: GraphQLSchema, limits: QueryLimits, size = 1000) {
    this.#schema = schema;
    this.#limits = limits;
    this.#size = size;
  }

  get(query: string): CompiledDocument {
    const hit = this.#entries.get(query);
    if (hit) {
      this.#entries.delete(query);
      this.#entries.set(query, hit);
      return hit;
    }
    const compiled = this.#compile(query);
    if (query.length <= MAX_CACHED_TEXT) {
      if (this.#entries.size >= this.#size) this.#entries.delete(this.#entries.keys().next().value as string);
      this.#entries.set(query, compiled);
    }
    return compiled;
  }

  #compile(query: string): CompiledDocument {
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

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    extensions: { ...error.extensions, code },
  });
}
