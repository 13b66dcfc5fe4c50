import { contentHash, readStartupCacheText, unchanged, writeStartupCacheText } from '@mockstack/core/startup-cache';
import { isObject, type JsonObject } from './pointer.js';

/**
 * A document with its external `$ref`s bundled in, and the content hash of each file they named
 * (hashed once per load: they name the cache entries of the bundle and of the checks).
 */
export interface Bundled {
  document: JsonObject;
  refHashes: Readonly<Record<string, string>>;
  /** It was Swagger 2.0, converted. */
  swagger: boolean;
}

/**
 * The bundled document as read before, or undefined. Parsing YAML and bundling `$ref`s (with
 * loading their libraries) cost ~0.1 s of a cold start, and decoding and parsing GitHub's 13 MB of
 * JSON ~0.4 s, so a document that loaded once is kept, keyed by its path and text, and used while
 * every file it `$ref`s still has the same content.
 *
 * Each entry of `components` and of the webhooks is parsed when first read (see DEFERRED_SECTIONS):
 * a start routes every path but needs few of them, and parsing all of GitHub's (4.7 of its 6.9 MB
 * of JSON, with the garbage collections its objects bring) took a third of a warm start.
 */
export function readCachedDocument(file: string, textHash: string): Bundled | undefined {
  const cached = readStartupCacheText(documentCacheName(file, textHash), decodeCachedDocument);
  return cached && unchanged(cached.refs) ? { document: cached.document, refHashes: cached.refs, swagger: cached.swagger } : undefined;
}

export function writeCachedDocument(file: string, textHash: string, { document, refHashes, swagger }: Bundled): void {
  writeStartupCacheText(documentCacheName(file, textHash), encodeCachedDocument({ refs: { ...refHashes }, document, swagger }));
}

function documentCacheName(file: string, textHash: string): string {
  return `openapi-document-v5-${contentHash(`${file}\n${textHash}`)}`;
}

/** A cached, bundled document: `refs` are the other files it was bundled from, with the hash of their content. */
interface CachedDocument {
  refs: Record<string, string>;
  document: JsonObject;
  swagger: boolean;
}

/** Sections whose entries are each kept as their own JSON, parsed when first read: `components/schemas/Pet`. */
const DEFERRED_SECTIONS: readonly (readonly string[])[] = [
  ['components', 'schemas'],
  ['components', 'responses'],
  ['components', 'parameters'],
  ['components', 'examples'],
  ['components', 'requestBodies'],
  ['components', 'headers'],
  ['components', 'callbacks'],
  ['components', 'pathItems'],
  ['webhooks'],
  // GitHub's OpenAPI 3.0 documents keep their webhooks here.
  ['x-webhooks'],
];

/** An entry smaller than this stays in the outline: a deferred one costs a property accessor and a line. */
const DEFERRED_MIN_CHARS = 256;

/**
 * The cached form: one line of JSON, the outline (`{"refs","swagger","document","deferred"}`, each
 * deferred entry `null` in the document and its path in `deferred`), then one line of JSON per
 * deferred entry, in that order. JSON holds no raw line break, so lines split it.
 */
function encodeCachedDocument(cached: CachedDocument): string {
  const document = { ...cached.document };
  const deferred: string[][] = [];
  const lines: string[] = [];
  for (const section of DEFERRED_SECTIONS) {
    const entries = copyAlong(document, section);
    if (!entries) continue;
    for (const [key, value] of Object.entries(entries)) {
      const json = JSON.stringify(value);
      if (json === undefined || json.length < DEFERRED_MIN_CHARS) continue;
      entries[key] = null;
      deferred.push([...section, key]);
      lines.push(json);
    }
  }
  return [JSON.stringify({ ...cached, document, deferred }), ...lines].join('\n');
}

/**
 * The object at `path` in `document`, after copying it and each object on the way there (so the
 * caller's document is left as it is), or undefined when there is none.
 */
function copyAlong(document: JsonObject, path: readonly string[]): JsonObject | undefined {
  let node = document;
  for (const key of path) {
    const next = node[key];
    if (!isObject(next)) return undefined;
    node[key] = { ...next };
    node = node[key] as JsonObject;
  }
  return node;
}

/** The document of a cached form (see encodeCachedDocument), its deferred entries parsed when first read; undefined when it is not one. */
function decodeCachedDocument(text: string): CachedDocument | undefined {
  let at = text.indexOf('\n');
  let outline: unknown;
  try {
    outline = JSON.parse(at < 0 ? text : text.slice(0, at));
  } catch {
    return undefined;
  }
  if (!isCachedOutline(outline)) return undefined;
  for (const path of outline.deferred) {
    const parent = parentOf(outline.document, path);
    const key = path[path.length - 1] as string;
    if (at < 0 || !parent || parent[key] !== null) return undefined;
    const end = text.indexOf('\n', at + 1);
    deferParse(parent, key, text.slice(at + 1, end < 0 ? text.length : end));
    at = end;
  }
  // Every line was used, and none is missing.
  return at < 0 ? outline : undefined;
}

function isCachedOutline(value: unknown): value is CachedDocument & { deferred: string[][] } {
  if (!isObject(value) || !isObject(value.refs) || !isObject(value.document) || typeof value.swagger !== 'boolean') return false;
  if (!Array.isArray(value.deferred) || !value.deferred.every((path) => Array.isArray(path) && path.length > 0 && path.every((key) => typeof key === 'string')))
    return false;
  return Object.values(value.refs).every((hash) => typeof hash === 'string') && typeof value.document.openapi === 'string';
}

function parentOf(document: JsonObject, path: readonly string[]): JsonObject | undefined {
  let node: unknown = document;
  for (let i = 0; i < path.length - 1; i++) node = isObject(node) ? node[path[i] as string] : undefined;
  return isObject(node) ? node : undefined;
}

/**
 * Makes `parent[key]` the value of `json` when it is first read (or replaced), a plain property from
 * then on: code that walks the document sees the same object it would have parsed whole.
 */
function deferParse(parent: JsonObject, key: string, json: string): void {
  const settle = (value: unknown): void => {
    Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(parent, key, {
    get() {
      // The entry's text passed the cache's hash check with the rest: it parses.
      const value: unknown = JSON.parse(json);
      settle(value);
      return value;
    },
    set: settle,
    enumerable: true,
    configurable: true,
  });
}
