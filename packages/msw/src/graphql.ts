import type { Engine, Logger, Service } from '@mockstack/core';
import {
  batchRefusal,
  type Executed,
  errorsBody,
  GraphqlExecutor,
  type GraphqlParams,
  GraphqlRequest,
  journaledBody,
  recordAnswer,
  recordBatch,
  runBatch,
  sendable,
  unserialisable,
} from '@mockstack/graphql/graphql-executor';
import { UploadRequestError, uploadOperations } from '@mockstack/graphql/uploads';
import { headersOf, queryOf, readText, respond, transportStatus } from './http.js';

/**
 * A GraphQL service of the scenario answering intercepted requests at its endpoint: the same
 * executor (schema, auto-mock, rules, faults) and journal as its fastify server.
 */
export class GraphqlService {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #executor: GraphqlExecutor;

  constructor(service: Service, engine: Engine, logger: Logger) {
    this.#service = service;
    this.#engine = engine;
    this.#executor = new GraphqlExecutor(service, engine, logger);
  }

  /** `/graphql`, or the path the service names. */
  get path(): string {
    return this.#executor.path;
  }

  async answer(request: Request): Promise<Response> {
    const startedAt = performance.now();
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const target = `${method} ${url.pathname}${url.search}`;
    const headers = headersOf(request.headers);
    const signal = () => request.signal;
    if (method !== 'GET' && method !== 'POST') {
      const core = new GraphqlRequest(this.#service.name, undefined, headers, undefined, target, signal);
      const message = `${method} is not supported at ${this.path}; use POST (or GET for queries)`;
      return this.#finish(core, startedAt, { answer: { status: 405, body: errorsBody(message, 'BAD_REQUEST') } });
    }
    const query = method === 'GET' ? queryOf(url.searchParams) : undefined;
    const read = method === 'GET' ? { params: query as GraphqlParams } : await paramsOf(request);
    if ('error' in read) {
      const core = new GraphqlRequest(this.#service.name, undefined, headers, undefined, target, signal);
      return this.#finish(core, startedAt, { answer: { status: 400, body: errorsBody(read.error, 'BAD_REQUEST') } });
    }
    if (Array.isArray(read.params)) {
      const refusal = batchRefusal(read.params.length);
      if (refusal) {
        const core = new GraphqlRequest(this.#service.name, undefined, headers, undefined, target, signal);
        return this.#finish(core, startedAt, { answer: { status: 400, body: errorsBody(refusal, 'BAD_REQUEST') } });
      }
      const batch = await runBatch(this.#executor, read.params, (params) => new GraphqlRequest(this.#service.name, query, headers, params, target, signal));
      recordBatch(this.#engine, batch, startedAt, batch.transport && transportStatus(batch.transport));
      return batch.transport
        ? Response.error()
        : new Response(batch.text, { status: batch.status, headers: { 'content-type': 'application/json; charset=utf-8' } });
    }
    const params = read.params ?? {};
    const core = new GraphqlRequest(this.#service.name, query, headers, journaledBody(method, params), target, signal);
    return this.#finish(core, startedAt, await this.#executor.run(core, params, method));
  }

  #finish(core: GraphqlRequest, startedAt: number, given: Executed): Response {
    let done = sendable(given);
    const { answer } = done;
    const accept = core.headers.accept;
    const type =
      typeof accept === 'string' && accept.includes('application/graphql-response+json')
        ? 'application/graphql-response+json; charset=utf-8'
        : 'application/json; charset=utf-8';
    let written = respond(answer, false, type);
    let status = 'transport' in answer ? transportStatus(answer.transport) : answer.status;
    if (written.failure !== undefined) {
      done = unserialisable(done, new Error(written.failure));
      written = respond(done.answer, false, type);
      status = 500;
    }
    recordAnswer(this.#engine, core, startedAt, status, { ...done, answer });
    return written.response;
  }
}

/**
 * A POST's GraphQL parameters: JSON (`{ query, variables }`), the query itself as `application/graphql`,
 * or a multipart request's operations with their files (file uploads, see uploads.ts in @mockstack/graphql).
 */
async function paramsOf(request: Request): Promise<{ params: GraphqlParams | GraphqlParams[] | undefined } | { error: string }> {
  const type = request.headers.get('content-type') ?? '';
  if (/^multipart\/form-data\b/i.test(type)) {
    try {
      return { params: (await uploadOperations(request)) as GraphqlParams | GraphqlParams[] };
    } catch (error) {
      if (error instanceof UploadRequestError) return { error: error.message };
      throw error;
    }
  }
  const text = readText(new Uint8Array(await request.arrayBuffer()));
  if (/^application\/graphql\b/i.test(type)) return { params: { query: text } };
  if (text.trim() === '') return { params: undefined };
  try {
    return { params: JSON.parse(text) as GraphqlParams | GraphqlParams[] };
  } catch (error) {
    return { error: `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
