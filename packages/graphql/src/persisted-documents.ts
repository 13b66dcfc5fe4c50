/**
 * Persisted documents (trusted documents): a frontend built with Relay's persisted queries, GraphQL
 * Codegen's persisted documents or Apollo's persisted query lists sends a document's id instead of its
 * text, and the server looks the text up in the manifest the build wrote. The service's
 * `persistedDocuments` option names that manifest.
 */
import { hashString, type Model, messageClause, type Problem, type Service } from '@mockstack/core';
import { displayPath, fileVersion, readTextFileSync, resolveContractPath } from '@mockstack/core/platform';

/** The documents of a manifest by id, and the file they came from (for messages). */
export interface PersistedDocuments {
  file: string;
  byId: ReadonlyMap<string, string>;
}

/** What the request parameters name a persisted document by: Relay's `doc_id`, the GraphQL-over-HTTP `documentId`, or `id`. */
const ID_PARAMS = ['doc_id', 'documentId', 'id'] as const;

/** The persisted document id a request sends instead of a query, if any. */
export function documentIdOf(params: Readonly<Partial<Record<(typeof ID_PARAMS)[number], unknown>>>): string | undefined {
  for (const name of ID_PARAMS) {
    const value = params[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * A document by id: as written, then without an algorithm prefix (`sha256:<hash>`, as Codegen's client
 * preset can send it), then lower-cased (a hash in capitals).
 */
export function persistedDocument(documents: PersistedDocuments, id: string): string | undefined {
  const bare = id.replace(/^[a-z0-9]+:/i, '');
  return documents.byId.get(id) ?? documents.byId.get(bare) ?? documents.byId.get(bare.toLowerCase());
}

const cache = new Map<string, PersistedDocuments | Problem>();

/**
 * The service's manifest (`persistedDocuments`), read and parsed: undefined when it names none, a problem
 * naming the file when it cannot be read or is no manifest. Cached by file version.
 */
export function loadPersistedDocuments(service: Service, model: Pick<Model, 'file' | 'root' | 'contracts'>): PersistedDocuments | Problem | undefined {
  const written = service.config.persistedDocuments;
  if (written === undefined) return undefined;
  if (typeof written !== 'string' || written === '') {
    return {
      message: `GraphQL service "${service.name}": persistedDocuments must be the path of a manifest (JSON), e.g. 'persisted-queries.json'`,
      source: service.source,
    };
  }
  const file = resolveContractPath(model, written);
  const given = model.contracts?.get(file);
  const key = `${file}@${given === undefined ? fileVersion(file) : `text:${hashString(given)}:${given.length}`}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let loaded: PersistedDocuments | Problem;
  try {
    loaded = { file, byId: documentsOf(JSON.parse(given ?? readTextFileSync(file)) as unknown) };
  } catch (error) {
    const why =
      error instanceof ManifestError || error instanceof SyntaxError ? messageClause(error) : ((error as NodeJS.ErrnoException).code ?? String(error));
    loaded = {
      message: `GraphQL service "${service.name}": cannot read the persisted documents manifest ${displayPath(file)}: ${why}. It is JSON: { "<id>": "<document>" } (Relay, GraphQL Codegen) or Apollo's persisted query manifest`,
      source: service.source,
    };
  }
  if (cache.size > 32) cache.clear();
  cache.set(key, loaded);
  return loaded;
}

class ManifestError extends Error {}

/**
 * Documents by id from a manifest: an object of id → document text (Relay's persisted_queries.json, Codegen's
 * persisted-documents.json), Apollo's `{ format: "apollo-persisted-query-manifest", operations: [{ id, body }] }`,
 * or a list of `{ id, body }` (`document` or `query` for the text).
 */
function documentsOf(manifest: unknown): Map<string, string> {
  const byId = new Map<string, string>();
  const entries = Array.isArray(manifest)
    ? manifest
    : typeof manifest === 'object' && manifest !== null && Array.isArray((manifest as { operations?: unknown }).operations)
      ? (manifest as { operations: unknown[] }).operations
      : undefined;
  if (entries) {
    for (const [index, entry] of entries.entries()) {
      const { id, body, document, query } = (entry ?? {}) as Record<string, unknown>;
      const text = body ?? document ?? query;
      if (typeof id !== 'string' || typeof text !== 'string') throw new ManifestError(`operation ${index} has no string "id" and "body"`);
      byId.set(id, text);
    }
    return byId;
  }
  if (typeof manifest !== 'object' || manifest === null) throw new ManifestError('it is not a JSON object');
  for (const [id, text] of Object.entries(manifest)) {
    if (typeof text !== 'string') throw new ManifestError(`the document of "${id}" is not a string`);
    byId.set(id, text);
  }
  return byId;
}
