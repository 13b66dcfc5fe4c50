/**
 * Automatic persisted queries (APQ: Apollo Client's PersistedQueryLink, urql's persistedExchange):
 * a client sends `extensions: { persistedQuery: { version: 1, sha256Hash } }` without the query, and
 * the query with its hash only after the server answered PersistedQueryNotFound. The server keeps
 * what it was sent, by hash.
 */

/** What a request that cannot go on gets instead: a status and a GraphQL errors body. */
export interface PersistedQueryRefusal {
  status: number;
  body: { errors: { message: string; extensions: { code: string } }[] };
}

/** The errors Apollo's and urql's clients look for (by message or by code) to send the query itself. */
const NOT_FOUND: PersistedQueryRefusal = {
  status: 200,
  body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
};

const SHA256_HEX = /^[0-9a-f]{64}$/i;

function refusal(message: string): PersistedQueryRefusal {
  return { status: 400, body: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] } };
}

/**
 * The `persistedQuery` hash of a request's (parsed) extensions: undefined when it asks for none, a
 * refusal when it is not APQ's version 1 with a SHA-256 hex hash.
 */
export function persistedQueryHash(extensions: unknown): string | PersistedQueryRefusal | undefined {
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (persisted === undefined) return undefined;
  const { version, sha256Hash } = (persisted ?? {}) as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1) return refusal(`unsupported persisted query version ${JSON.stringify(version)}; this mock serves version 1 (sha256Hash)`);
  if (typeof sha256Hash !== 'string' || !SHA256_HEX.test(sha256Hash)) {
    return refusal('persistedQuery.sha256Hash must be the SHA-256 of the query as 64 hex digits');
  }
  return sha256Hash.toLowerCase();
}

async function sha256Hex(text: string): Promise<string> {
  // Web Crypto: the executor also runs in the browser (mockstack/msw).
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Query texts clients registered, by hash; the oldest dropped past `maxEntries`. */
export class PersistedQueries {
  readonly #queries = new Map<string, string>();
  readonly #maxEntries: number;

  constructor(maxEntries = 1000) {
    this.#maxEntries = maxEntries;
  }

  /**
   * The query a persisted-query request stands for: the one it sends (registered once its hash is
   * checked), or the one registered under its hash; a refusal when there is none or the hash is wrong.
   */
  resolve(hash: string, query: unknown): string | PersistedQueryRefusal | Promise<string | PersistedQueryRefusal> {
    const known = this.#queries.get(hash);
    if (typeof query !== 'string' || query === '') return known ?? NOT_FOUND;
    if (known === query) return query;
    return sha256Hex(query).then((actual) => {
      if (actual !== hash) return refusal(`provided sha does not match query: the query's SHA-256 is ${actual}, the request says ${hash}`);
      this.#queries.set(hash, query);
      if (this.#queries.size > this.#maxEntries) this.#queries.delete(this.#queries.keys().next().value as string);
      return query;
    });
  }
}
