import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Registry } from '@bufbuild/protobuf';
import { createConnectRouter, createContextValues } from '@connectrpc/connect';
import type { UniversalServerResponse } from '@connectrpc/connect/protocol';
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from '@connectrpc/connect-node';
import { type Code, type Engine, isCode, makeFault, type Service } from '@mockstack/core';
import { CALL, type ConnectCalls } from './connect-calls.js';
import type { LoadedProtos } from './protos.js';
import { GrpcRequest, type GrpcWire, writeUnary } from './request.js';
import { grpcStatusOfCode } from './status.js';
import type { WebHandler } from './web-cors.js';

/** gRPC status numbers by core Code. */
const CODE_OF_STATUS = new Map(Object.entries(grpcStatusOfCode).map(([code, status]) => [status as number, code as Code]));

/**
 * connect-node's `connectNodeAdapter`, thin as it is, with two changes: a path that is no method gets a message
 * naming those served, and a call whose answer cannot be written (the client left) goes to the service's logger
 * at info, not to console.error.
 */
export class ConnectNodeHandler {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #protos: LoadedProtos;
  readonly #calls: ConnectCalls;

  constructor(service: Service, engine: Engine, protos: LoadedProtos, calls: ConnectCalls) {
    this.#service = service;
    this.#engine = engine;
    this.#protos = protos;
    this.#calls = calls;
  }

  /** The node request handler serving the routes of `registry`. */
  handler(registry: Registry, maxMessageBytes: number): WebHandler {
    const router = createConnectRouter({ acceptCompression: [compressionGzip, compressionBrotli], readMaxBytes: maxMessageBytes });
    this.#calls.addRoutes(router, registry);
    const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
    return (request, response) => {
      const handler = handlers.get((request.url ?? '').split('?', 1)[0] ?? '');
      if (!handler) {
        this.#unknownMethod(request, response);
        return;
      }
      const startedAt = performance.now();
      const values = createContextValues();
      const call = { ran: false };
      values.set(CALL, call);
      handler(universalRequestFromNodeRequest(request, response, undefined, values))
        .then(async (answer) => {
          if (call.ran) return universalResponseToNodeResponse(answer, response);
          if (answer.status === 200 && !answer.header?.has('grpc-status')) {
            // A stream whose messages come as the implementation runs (it starts once the body is read), or an
            // error in the stream's last frame: passed through, and journaled at its end (before the response
            // ends) if no rule ran. (universalResponseToNodeResponse waits for an 'end' event HTTP/1.1 responses never emit.)
            const sent: Uint8Array[] = [];
            const record = (): void => {
              if (!call.ran) this.#recordRejected(handler.requestPath, request.headers['content-type'], answer, Buffer.concat(sent), startedAt);
            };
            return universalResponseToNodeResponse({ ...answer, body: keep(answer.body ?? once(new Uint8Array()), sent, record) }, response);
          }
          // Connect answered with an error before any rule ran (a malformed message, bad framing, a content type
          // it does not serve): small, read whole so that it is journaled before the client has it.
          const chunks: Uint8Array[] = [];
          if (answer.body) for await (const chunk of answer.body) chunks.push(chunk);
          const body = Buffer.concat(chunks);
          this.#recordRejected(handler.requestPath, request.headers['content-type'], answer, body, startedAt);
          return universalResponseToNodeResponse({ ...answer, body: once(body) }, response);
        })
        .catch((reason: unknown) => {
          this.#engine.logger.info(`the answer to ${handler.requestPath} over ${handler.protocolNames.join('/')} was not delivered: ${String(reason)}`, {
            service: this.#service.name,
          });
        });
    };
  }

  /** Journals a call Connect refused before any rule ran, with the status and message it sent. */
  #recordRejected(path: string, contentType: string | undefined, answer: UniversalServerResponse, body: Buffer, startedAt: number): void {
    const info = this.#protos.methods.get(path.slice(1));
    if (!info) return;
    const text = body.toString('latin1');
    const json = /json/.test(answer.header?.get('content-type') ?? '') ? parseJson(body.toString('utf8')) : undefined;
    const grpcStatus = answer.header?.get('grpc-status') ?? answer.trailer?.get('grpc-status') ?? /grpc-status:\s*(\d+)/.exec(text)?.[1];
    if (answer.status === 200 && (grpcStatus === undefined || grpcStatus === '0') && json?.error === undefined) return;
    const error = json?.error ?? json;
    const named = typeof error?.code === 'string' ? error.code.toUpperCase().replace('CANCELED', 'CANCELLED') : undefined;
    const code = grpcStatus !== undefined ? CODE_OF_STATUS.get(Number(grpcStatus)) : isCode(named) ? named : undefined;
    const message =
      answer.header?.get('grpc-message') ??
      answer.trailer?.get('grpc-message') ??
      /grpc-message:\s*([^\r\n]*)/.exec(text)?.[1] ??
      (typeof error?.message === 'string' ? error.message : `HTTP ${answer.status}`);
    const wire: GrpcWire = /^application\/grpc-web/.test(contentType ?? '') ? 'grpc-web' : /^application\/grpc/.test(contentType ?? '') ? 'grpc' : 'connect';
    const request = new GrpcRequest(this.#service.name, info, {}, undefined, [], [], writeUnary, undefined, wire);
    const reason = `refused before any rule ran: ${decodeURIComponent(message)}`;
    this.#engine.record(
      request,
      { kind: 'fault', rule: undefined, fault: makeFault(code ?? 'INVALID_ARGUMENT', reason) },
      { status: code ?? answer.status, ...(code && { code }), error: reason, startedAt },
    );
  }

  /** A path no loaded service has: 404, which Connect and gRPC-Web clients read as `unimplemented`, with a message saying what is served. */
  #unknownMethod(request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse): void {
    const served = [...this.#protos.methods.values()].map((m) => m.path);
    const message = `service "${this.#service.name}" has no method ${request.url ?? '/'} over Connect or gRPC-Web; it serves ${served.join(', ')} (POST)`;
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ code: 'unimplemented', message }));
  }
}

/** Passes a response body through, keeping what was sent; `ended` runs once it is all sent. */
async function* keep(body: AsyncIterable<Uint8Array>, sent: Uint8Array[], ended: () => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    sent.push(chunk);
    yield chunk;
  }
  ended();
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.byteLength) yield bytes;
}

function parseJson(text: string): { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
