import type { CoreRequest } from '@mockstack/core';
import { clientGoneSignal } from '@mockstack/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type GraphqlParams, GraphqlRequest, journaledBody } from './graphql-executor.js';
import { uploadOperations } from './uploads.js';

// GraphQL over HTTP on fastify: the parameters of a POST (JSON, or `application/graphql`) and a GET
// (the query string), and the CoreRequest the engine and the journal know the request by.

/**
 * A POST whose body is the query itself (`application/graphql`) carries it as `{ query }`; a
 * multipart one (file uploads) the operations it names, its files in their variables (see uploads.ts).
 */
export function acceptsGraphqlBody(app: FastifyInstance): void {
  app.addContentTypeParser('application/graphql', { parseAs: 'string' }, (_request, text, done) => done(null, { query: String(text) }));
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    uploadOperations(new Response(body as Buffer, { headers: { 'content-type': request.headers['content-type'] ?? '' } })).then(
      (operations) => done(null, operations),
      (error: Error) => done(error, undefined),
    );
  });
}

/** A service's GraphQL endpoint: its name, path, and the target a POST to it is journaled with. */
export interface GraphqlEndpoint {
  service: string;
  path: string;
  postTarget: string;
}

/** The CoreRequest of one request at (or refused near) the GraphQL path. */
export function graphqlRequestOf(endpoint: GraphqlEndpoint, request: FastifyRequest, reply: FastifyReply, params: GraphqlParams): GraphqlRequest {
  const method = request.method;
  const url = request.url;
  return new GraphqlRequest(
    endpoint.service,
    method === 'GET' ? (request.query as CoreRequest['query']) : undefined,
    request.headers,
    journaledBody(method, params),
    method === 'POST' && url === endpoint.path ? endpoint.postTarget : `${method} ${url}`,
    () => clientGoneSignal(reply.raw),
  );
}
