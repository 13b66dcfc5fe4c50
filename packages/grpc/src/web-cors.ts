import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { cors as connectCors } from '@connectrpc/connect';
import { CorsOriginPolicy } from '@mockstack/core';
import cors from 'cors';
import type { GrpcWebConfig } from './config.js';

/** A node HTTP/1.1 or HTTP/2 request handler. */
export type WebHandler = (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => void;

/** Response headers a page may read, besides Connect's and gRPC-Web's own. */
const EXPOSED_HEADERS = ['retry-after', 'x-mockstack-unmatched'];

type CorsHandler = ReturnType<typeof cors>;

/**
 * CORS for pages calling from another origin: loopback origins by default, as for REST and GraphQL
 * services; `warn` hears of the first refusal of each origin (see CorsOriginPolicy).
 */
export function withCors(setting: GrpcWebConfig['cors'], next: WebHandler, warn?: (message: string) => void): WebHandler {
  if (setting === false) return next;
  const options = setting === true || setting === undefined ? {} : setting;
  const policy = new CorsOriginPolicy(options.origins, warn);
  const fixed = {
    credentials: options.credentials ?? true,
    methods: [...connectCors.allowedMethods],
    exposedHeaders: [...connectCors.exposedHeaders, ...EXPOSED_HEADERS, ...(options.exposeHeaders ?? [])],
    maxAge: options.maxAge ?? 600,
  };
  const handler: CorsHandler = cors((request, callback) => {
    const { origin, host } = request.headers;
    callback(null, { ...fixed, origin: origin !== undefined && policy.allows(origin, host) });
  });
  return (request, response) => {
    if (request.headers.origin === undefined) return next(request, response);
    handler(request as IncomingMessage, response as ServerResponse, () => next(request, response));
  };
}
