import { Code, type CoreRequest, type Engine, type Fault, faultStatusAndHeaders, makeFault, type Outcome, type Service } from '@mockstack/core';
import { unsendableFault } from '@mockstack/http/answer-check';
import { parseForm, TEXT } from '@mockstack/rest/form';
import { contractAnswer, contractsOf, documentedMethods, faultBody, methodNotAllowed, problemOf, unmatchedAnswer } from '@mockstack/rest/rest-model';
import { type HttpAnswer, headersOf, queryOf, readText, respond, transportStatus } from './http.js';
import { RestRoutes } from './routes.js';

/**
 * A REST service of the scenario answering intercepted requests: the same operations, rules,
 * contract answers and journal as its fastify server, written as a fetch Response.
 */
export class RestService {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #routes: RestRoutes;
  readonly #methodsOf: ((path: string) => string[]) | undefined;
  /** The base URL's path (`/api` of `https://example.test/api`), taken off before routing. */
  readonly #basePath: string;

  constructor(service: Service, engine: Engine, basePath: string) {
    this.#service = service;
    this.#engine = engine;
    this.#routes = new RestRoutes(service);
    this.#methodsOf = contractsOf(service) ? documentedMethods(service) : undefined;
    this.#basePath = basePath;
  }

  async answer(request: Request): Promise<Response> {
    const startedAt = performance.now();
    const url = new URL(request.url);
    const path = url.pathname.slice(this.#basePath.length) || '/';
    const method = request.method.toUpperCase();
    const found = this.#routes.find(method, path);
    const allowed = found ? undefined : this.#methodsOf?.(path);
    const operation = found?.operation ?? `${method} ${path}`;
    const contract = found ? contractsOf(this.#service)?.get(operation) : undefined;
    const core = new MswRestRequest(this.#service.name, operation, found?.params ?? {}, url, request, `${method} ${path}${url.search}`);

    const body = await readBody(request);
    if (body instanceof Error) {
      const message = `request body is not valid JSON: ${body.message}`;
      const fault = makeFault(Code.InvalidArgument, message);
      return this.#finish(
        core,
        { kind: 'fault', rule: undefined, fault },
        startedAt,
        { status: 400, body: { error: { code: 'BAD_REQUEST', message } } },
        message,
      );
    }
    core.body = body;
    if (allowed?.length) {
      const refused = methodNotAllowed(method, path, allowed);
      const fault = { code: 'UNIMPLEMENTED', message: refused.message } as Fault;
      const headers = { allow: allowed.join(', '), 'content-type': 'application/problem+json' };
      return this.#finish(core, { kind: 'fault', rule: undefined, fault }, startedAt, { status: 405, headers, body: refused.body }, refused.message);
    }
    const decided = await this.#engine.handle(core, contract ? 'unmatched' : undefined);
    const outcome = decided.kind === 'fallback' ? contractAnswer(core, url, decided.rule, contract) : decided;
    const rule = 'rule' in outcome ? outcome.rule : undefined;
    const problem = problemOf(outcome);
    if (problem) {
      const fault = unsendableFault(rule, problem);
      return this.#finish(core, { kind: 'fault', rule, fault }, startedAt, answerOf({ kind: 'fault', rule, fault }));
    }
    return this.#finish(core, outcome, startedAt, answerOf(outcome));
  }

  #finish(core: CoreRequest, outcome: Outcome, startedAt: number, answer: HttpAnswer, error?: string): Response {
    const { response, failure } = respond(answer, core.target.startsWith('HEAD '));
    if (failure !== undefined) {
      // A body with no JSON text (a BigInt deep inside, a cycle): one clear 500 naming the rule.
      const rule = 'rule' in outcome ? outcome.rule : undefined;
      const fault = unsendableFault(rule, `its body is not JSON: ${failure}`);
      this.#engine.record(core, { kind: 'fault', rule, fault }, { status: 500, startedAt });
      return respond(answerOf({ kind: 'fault', rule, fault }), false).response;
    }
    this.#engine.record(core, outcome, { status: 'transport' in answer ? transportStatus(answer.transport) : answer.status, startedAt, error });
    return response;
  }
}

/** How an outcome reads as HTTP (the fastify server writes the same statuses, headers and bodies). */
function answerOf(outcome: Exclude<Outcome, { kind: 'fallback' }>): HttpAnswer {
  switch (outcome.kind) {
    case 'body':
      return { status: outcome.body === undefined ? 204 : 200, body: outcome.body };
    case 'reply': {
      const { status, headers, body } = outcome.reply;
      return { status: status ?? (body === undefined ? 204 : 200), headers, body };
    }
    case 'fault': {
      if (outcome.fault.transport) return { transport: outcome.fault.transport };
      const { status, headers } = faultStatusAndHeaders(outcome.fault);
      return { status, headers, body: faultBody(outcome.fault) };
    }
    case 'unmatched':
      return unmatchedAnswer(outcome.miss);
    case 'aborted':
      return { transport: 'aborted' };
  }
}

/**
 * The body as the REST server's parsers give it: JSON (and `+json`) parsed, forms nested, text as a
 * string, anything else as bytes; an Error for JSON that does not parse. Multipart bodies stay bytes.
 */
async function readBody(request: Request): Promise<unknown> {
  if (request.method === 'GET' || request.method === 'HEAD' || request.body === null) return undefined;
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length === 0) return undefined;
  const type = request.headers.get('content-type') ?? undefined;
  if (type !== undefined && /^application\/(?:[^;,\s]+\+)?json\b/i.test(type)) {
    try {
      return JSON.parse(readText(bytes));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
  if (type !== undefined && /^application\/x-www-form-urlencoded\b/i.test(type)) return parseForm(readText(bytes));
  return type === undefined || TEXT.test(type) ? readText(bytes) : bytes;
}

/** The CoreRequest of an intercepted REST request; the engine hands it to handlers as their context. */
class MswRestRequest implements CoreRequest {
  readonly protocol = 'rest';
  readonly service: string;
  readonly operation: string;
  readonly params: Record<string, string>;
  readonly query: CoreRequest['query'];
  readonly headers: CoreRequest['headers'];
  body: unknown = undefined;
  readonly target: string;
  /** Set by the engine before a handler runs: this request is the handler's context. */
  state: unknown = undefined;
  call = 0;
  readonly signal: AbortSignal;
  /** The URL the client asked for (its base path included): what an OpenAPI example rule's answer points links back at. */
  readonly requestedUrl: URL;

  constructor(service: string, operation: string, params: Record<string, string>, url: URL, request: Request, target: string) {
    this.requestedUrl = url;
    this.service = service;
    this.operation = operation;
    this.params = params;
    this.query = queryOf(url.searchParams);
    // A server sees the Host header; a fetch Request (and a browser's) does not carry it.
    this.headers = { host: url.host, ...headersOf(request.headers) };
    this.target = target;
    this.signal = request.signal;
  }

  /** The REST handler context's `request`: the protocol-neutral request, which is this object. */
  get request(): CoreRequest {
    return this;
  }
}
