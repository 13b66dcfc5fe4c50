import { type CoreRequest, type Engine, forwardHttp, makeFault, makeReply, type Rule } from '@mockstack/core';
import { headerFields } from '@mockstack/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BREAK, type DocumentNode, type GraphQLSchema, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { errorsBody } from './graphql-executor.js';

/**
 * `graphql({ proxy })`: the real endpoint answers the operations no rule answers (neither the
 * operation's nor a selected field's), sent the request as it came. Journaled under the rule
 * `proxy:<service>`; an unreachable service is a 502.
 */
export class GraphqlProxy {
  readonly #upstream: URL;
  /** Not a rule of the model: only the journal's name for answers that came from the real service. */
  readonly #rule: Rule;
  readonly #engine: Engine;
  readonly #schema: GraphQLSchema;
  readonly #ruled: ReadonlyMap<string, unknown>;

  constructor(service: string, upstream: URL, engine: Engine, schema: GraphQLSchema, ruled: ReadonlyMap<string, unknown>) {
    this.#upstream = upstream;
    this.#rule = { id: `proxy:${service}`, name: `proxy to ${upstream.href}`, operation: '*', matchers: [], respond: undefined };
    this.#engine = engine;
    this.#schema = schema;
    this.#ruled = ruled;
  }

  /** Whether the real service answers a document no operation rule answered: it selects no field the scenario has rules for. */
  readonly takes = (document: DocumentNode): boolean => !this.#selectsRuledField(document);

  #selectsRuledField(document: DocumentNode): boolean {
    const types = new TypeInfo(this.#schema);
    let found = false;
    visit(
      document,
      visitWithTypeInfo(types, {
        Field: (node) => {
          const parent = types.getParentType();
          if (parent && this.#ruled.has(`${parent.name}.${node.name.value}`)) found = true;
          return found ? BREAK : undefined;
        },
      }),
    );
    return found;
  }

  async forward(request: FastifyRequest, reply: FastifyReply, core: CoreRequest, startedAt: number): Promise<void> {
    const upstream = this.#upstream;
    const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const url = `${upstream.pathname}${search || upstream.search}`;
    try {
      const answer = await forwardHttp(upstream.origin, { method: request.method, url, headers: request.headers, body: request.body }, core.signal);
      reply
        .code(answer.status)
        .headers(headerFields(answer.headers))
        .send(Buffer.from(answer.raw.buffer, answer.raw.byteOffset, answer.raw.byteLength));
      this.#engine.record(
        core,
        { kind: 'reply', rule: this.#rule, reply: makeReply({ status: answer.status, headers: answer.headers, body: answer.body }) },
        { status: answer.status, startedAt },
      );
    } catch (error) {
      const cause = (error as Error).cause ?? error;
      const message = `proxy to ${upstream.href} failed: ${cause instanceof Error ? cause.message : String(cause)}; is the real service up?`;
      if (!reply.sent)
        reply
          .code(502)
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(errorsBody(message, 'BAD_GATEWAY')));
      this.#engine.record(core, { kind: 'fault', rule: this.#rule, fault: makeFault('UNAVAILABLE', message) }, { status: 502, startedAt, error: message });
    }
  }
}
