import type { CoreRequest } from '@mockstack/core';

/** An answer to write: a status, headers and body, or none at all (the connection drops). */
export type HttpAnswer = { status: number; headers?: Record<string, string> | undefined; body: unknown } | { transport: 'reset' | 'empty' | 'aborted' };

/** Statuses whose responses have no body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * The fetch Response of an answer, typed as the servers type it: text as text/plain, bytes as
 * octet-stream, anything else as JSON; the answer's own content type wins. A dropped connection is
 * a network error. `failure`: why the body has no JSON text (then `response` is not to be sent).
 */
export function respond(answer: HttpAnswer, head: boolean, type?: string): { response: Response; failure?: string | undefined } {
  if ('transport' in answer) return { response: Response.error() };
  const headers = new Headers(answer.headers);
  const { body } = answer;
  let payload: string | Uint8Array | null = null;
  if (body !== undefined && !NO_BODY.has(answer.status)) {
    if (typeof body === 'string') {
      payload = body;
      if (!headers.has('content-type')) headers.set('content-type', type ?? 'text/plain; charset=utf-8');
    } else if (body instanceof Uint8Array) {
      payload = body;
      if (!headers.has('content-type')) headers.set('content-type', 'application/octet-stream');
    } else {
      try {
        payload = JSON.stringify(body);
      } catch (error) {
        return { response: Response.error(), failure: error instanceof Error ? error.message : String(error) };
      }
      if (type) headers.set('content-type', type);
      else if (!headers.has('content-type')) headers.set('content-type', 'application/json; charset=utf-8');
    }
  }
  return { response: new Response(head ? null : (payload as ConstructorParameters<typeof Response>[0]), { status: answer.status, headers }) };
}

/** What the journal records for an answer that never went out (as the servers record it). */
export function transportStatus(transport: 'reset' | 'empty' | 'aborted'): string | number {
  return transport === 'reset' ? 'connection reset' : transport === 'empty' ? 'empty reply' : 499;
}

/** Request headers as node gives them to the servers: lower-case names, one string each. */
export function headersOf(headers: Headers): CoreRequest['headers'] {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

/** A query string as the servers parse it: a repeated name is a list. */
export function queryOf(search: URLSearchParams): CoreRequest['query'] {
  const query: Record<string, string | string[]> = {};
  search.forEach((value, name) => {
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  });
  return query;
}

const decoder = new TextDecoder();

export function readText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
