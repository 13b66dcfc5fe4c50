import type { CoreRequest, Fault, Problem, Reply, RuleDefinition, Webhook } from '@mockstack/core';
import type { AnswerBreach } from './response-check.js';

/**
 * An operation's answer from the document when no rule answers it. `url`: the URL the client asked
 * for, as it named it (scheme, host, path and query), which links in the answer point back at.
 */
export type ContractResponder = (request: CoreRequest, url: URL) => Reply | Fault;

/** What a real service's answer (status, content type, decoded body) breaks of an operation's documented responses; undefined when it fits. */
export type RealAnswerCheck = (status: number, contentType: string | undefined, body: unknown) => AnswerBreach | undefined;

/** What a request breaks of its operation's document, in one line; undefined when it fits. */
export type RequestCheck = (request: Pick<CoreRequest, 'params' | 'query' | 'headers' | 'body'>) => string | undefined;

/** What an expanded OpenAPI service keeps in its config, for the server and for `validate`. */
export interface OpenApiServiceInfo {
  file: string;
  /** Operation ids served from the document (`GET /v2/rates/:id`). */
  operations: ReadonlySet<string>;
  /** Per operation id: the document's answer, given when no rule answers (the engine's `fallback` outcome). */
  contract: ReadonlyMap<string, ContractResponder>;
  /** Per operation id with OpenAPI `callbacks`: the webhooks a request answered 2xx fires. */
  callbacks: ReadonlyMap<string, (request: CoreRequest) => Webhook[]>;
  /**
   * With `proxy`: per operation id, what the real service's answer breaks of the documented responses
   * (Prism's validation proxy); undefined when it fits.
   */
  realAnswerChecks: ReadonlyMap<string, RealAnswerCheck>;
  /**
   * With `proxy` and `checkProxied: 'warn'` (default): per operation id, what a request breaks of the
   * document. Such a request is sent on, the breach named, not refused (with 'fail' it is refused).
   */
  requestChecks: ReadonlyMap<string, RequestCheck>;
  /**
   * A rule added while serving (Stack.addRules), made as the document's own overrides are: mapped to
   * the operation it names (operationId, path with or without base path), faults shaped, answers
   * checked. A problem when the document has no such operation.
   */
  adopt: (rule: RuleDefinition) => RuleDefinition | Problem;
  warnings: readonly string[];
  /** The running engine's seed, set when the server is created; generated values follow it. */
  seed: { value: number };
  /** Where request-check problems found on first use go (the server's logger, once created). */
  report: { warn: (message: string) => void };
}

export const OPENAPI_INFO = 'openapiInfo';

/** Where the mock says what a request (refused, or sent on by a validation proxy) or a real answer breaks of the contract. */
export const VIOLATION_HEADER = 'x-mockstack-contract-violation';

/** `text` as one header line: printable ASCII, at most 1,000 characters. */
export function headerSafe(text: string): string {
  const line = text.replace(/[^\x20-\x7e]+/g, ' ');
  return line.length > 1000 ? `${line.slice(0, 997)}...` : line;
}
