import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { cors as connectCors } from '@connectrpc/connect';
import { isLoopbackOrigin } from '@mockstack/core';
import cors from 'cors';
import type { GrpcWebConfig } from './config.js';

/** A node HTTP/1.1 or HTTP/2 request handler. */
export type WebHandler = (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => void;

/** Response headers a page may read, besides Connect's and gRPC-Web's own. */
const EXPOSED_HEADERS = ['retry-after', 'x-mockstack-unmatched'];

type CorsHandler = ReturnType<typeof cors>;

/** CORS for pages calling from another origin: loopback origins by default, as for REST and GraphQL services. */
export function withCors(setting: GrpcWebConfig['cors'], next: WebHandler): WebHandler {
  if (setting === false) return next;
  const options = setting === true || setting === undefined ? {} : setting;
  const handler: CorsHandler = cors({
    origin: options.origins
      ? options.origins.includes('*')
        ? true
        : [...options.origins]
      : (origin, callback) => callback(null, origin !== undefined && isLoopbackOrigin(origin)),
    credentials: options.credentials ?? true,
    methods: [...connectCors.allowedMethods],
    exposedHeaders: [...connectCors.exposedHeaders, ...EXPOSED_HEADERS, ...(options.exposeHeaders ?? [])],
    maxAge: options.maxAge ?? 600,
  });
  return (request, response) => {
    if (request.headers.origin === undefined) return next(request, response);
    handler(request as IncomingMessage, response as ServerResponse, () => next(request, response));
  };
}
