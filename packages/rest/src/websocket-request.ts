import { Code, type CoreRequest, type Headers, makeFault, type Outcome, type Rule } from '@mockstack/core';
import { queryOf } from './query.js';

/**
 * A WebSocket handshake as the journal and the log show it: `GET /rooms/42 (WebSocket)`. Shared by the
 * REST server's endpoint and mockstack/msw (no node builtin here: it runs in the browser too).
 */
export class WebSocketRequest implements CoreRequest {
  readonly protocol = 'rest';
  readonly operation: string;
  readonly params: Record<string, string> = {};
  readonly query: CoreRequest['query'];
  readonly body = undefined;
  readonly target: string;
  /** See CoreRequest.answerLate: set once the connection is open (its listeners are the code that may be stopped). */
  answerLate: ((outcome: Outcome) => void) | undefined = undefined;
  /** Set by the engine's guard (this request is the context of the code it runs). */
  state: unknown = undefined;
  call = 0;

  constructor(
    readonly service: string,
    readonly headers: Headers,
    readonly url: string,
  ) {
    const q = url.indexOf('?');
    this.operation = `GET ${q === -1 ? url : url.slice(0, q)} (WebSocket)`;
    this.target = `GET ${url} (WebSocket)`;
    this.query = q === -1 ? {} : queryOf(url.slice(q + 1));
  }
}

/** The rule a connection's code runs as (its guard, its journal entry). */
export function websocketRule(operation: string): Rule {
  return { id: 'websocket', operation, name: 'websocket', respond: undefined, matchers: [] };
}

/** The subprotocols a client offered, from `Sec-WebSocket-Protocol`. */
export function protocolsOf(header: string | readonly string[] | undefined): string[] {
  const value = typeof header === 'string' ? header : (header ?? []).join(',');
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** How a connection ended, as its journal entry's outcome: served, or failed with `failure`. */
export function connectionOutcome(rule: Rule, failure: string | undefined): Outcome {
  return failure === undefined ? { kind: 'body', rule, body: undefined } : { kind: 'fault', rule, fault: makeFault(Code.Internal, failure) };
}

/** A refused handshake, as its journal entry's outcome. */
export function refusalOutcome(status: 400 | 404 | 405 | 500, message: string): Outcome {
  const code = status === 404 ? Code.NotFound : status === 500 ? Code.Internal : Code.InvalidArgument;
  return { kind: 'fault', rule: undefined, fault: makeFault(code, message) };
}
