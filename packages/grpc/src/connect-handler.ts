import type { JsonValue, Registry } from '@bufbuild/protobuf';
import { createConnectRouter, createContextValues } from '@connectrpc/connect';
import type { UniversalHandler, UniversalServerResponse } from '@connectrpc/connect/protocol';
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from '@connectrpc/connect-node';
import { CALL, type ConnectCalls } from './connect-calls.js';
import { fromGrpcWebText, isGrpcWebText, toGrpcWebText } from './grpc-web-text.js';
import { answerOf, googleErrorBody, type HttpTranscoding, type TranscodedCall, TranscodingError } from './http-transcoding.js';
import { once, parseErrorsAsInvalidArgument } from './parse-errors.js';
import type { WebHandler } from './web-cors.js';

/**
 * A node request handler serving the routes of `registry` to `calls`: connect-node's `connectNodeAdapter`,
 * thin as it is, with two changes: a path that is no method gets a message naming those served, and a call
 * whose answer cannot be written (the client left) goes to the service's logger at info, not to console.error.
 */
export function connectNodeHandler(calls: ConnectCalls, registry: Registry, maxMessageBytes: number, transcoding?: HttpTranscoding): WebHandler {
  const router = createConnectRouter({ acceptCompression: [compressionGzip, compressionBrotli], readMaxBytes: maxMessageBytes });
  calls.addRoutes(router, registry);
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  return (request, response) => {
    const handler = handlers.get((request.url ?? '').split('?', 1)[0] ?? '');
    if (!handler) {
      const transcoded = transcoding?.size ? transcoding.match(request.method ?? 'GET', request.url ?? '/') : undefined;
      if (transcoded) void serveTranscoded(transcoded, handlers, calls, request, response, maxMessageBytes);
      else calls.unknownMethod(request, response);
      return;
    }
    const startedAt = performance.now();
    const values = createContextValues();
    const call = { ran: false };
    values.set(CALL, call);
    const universal = universalRequestFromNodeRequest(request, response, undefined, values);
    // gRPC-Web's text format is served as the binary one, translated on the way in and out.
    const text = isGrpcWebText(universal);
    const send = (answer: UniversalServerResponse): Promise<void> => universalResponseToNodeResponse(text ? toGrpcWebText(answer) : answer, response);
    handler(text ? fromGrpcWebText(universal) : universal)
      .then(parseErrorsAsInvalidArgument)
      .then(async (answer) => {
        if (call.ran) return send(answer);
        if (answer.status === 200 && !answer.header?.has('grpc-status')) {
          // A stream whose messages come as the implementation runs (it starts once the body is read), or an
          // error in the stream's last frame: passed through, and journaled at its end (before the response
          // ends) if no rule ran. (universalResponseToNodeResponse waits for an 'end' event HTTP/1.1 responses never emit.)
          const sent: Uint8Array[] = [];
          const record = (): void => {
            if (!call.ran) calls.recordRejected(handler.requestPath, request.headers['content-type'], answer, Buffer.concat(sent), startedAt);
          };
          return send({ ...answer, body: keep(answer.body ?? once(new Uint8Array()), sent, record) });
        }
        // Connect answered with an error before any rule ran (a malformed message, bad framing, a content type
        // it does not serve): small, read whole so that it is journaled before the client has it.
        const chunks: Uint8Array[] = [];
        if (answer.body) for await (const chunk of answer.body) chunks.push(chunk);
        const body = Buffer.concat(chunks);
        calls.recordRejected(handler.requestPath, request.headers['content-type'], answer, body, startedAt);
        return send({ ...answer, body: once(body) });
      })
      .catch((reason: unknown) => calls.undelivered(handler.requestPath, handler.protocolNames, reason));
  };
}
/**
 * A request to a method's HTTP binding (see HttpTranscoding): made into the method's Connect JSON call, served by
 * the same route (rules, state, journal), and answered as Google's REST APIs answer: the response (or its
 * `response_body` field) as JSON, an error as `{ "error": { code, message, status } }` with its HTTP status.
 */
async function serveTranscoded(
  transcode: (body: string) => TranscodedCall,
  handlers: ReadonlyMap<string, UniversalHandler>,
  calls: ConnectCalls,
  request: Parameters<WebHandler>[0],
  response: Parameters<WebHandler>[1],
  maxMessageBytes: number,
): Promise<void> {
  const startedAt = performance.now();
  const write = (status: number, body: string): void => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(body);
  };
  try {
    const call = transcode(await bodyText(request, maxMessageBytes));
    const handler = handlers.get(call.connectPath) as UniversalHandler;
    const values = createContextValues();
    const ran = { ran: false };
    values.set(CALL, ran);
    const universal = universalRequestFromNodeRequest(request, response, call.message as JsonValue, values);
    const header = new Headers(universal.header);
    header.set('content-type', 'application/json');
    header.delete('content-encoding');
    const answer = await handler({ ...universal, method: 'POST', url: new URL(call.connectPath, universal.url).toString(), header });
    const chunks: Uint8Array[] = [];
    if (answer.body) for await (const chunk of answer.body) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    const text = bytes.toString('utf8');
    if (!ran.ran) calls.recordRejected(call.connectPath, 'application/json', answer, bytes, startedAt);
    if (answer.status !== 200) write(answer.status, JSON.stringify(googleErrorBody(answer.status, text ? JSON.parse(text) : {})));
    // Connect's JSON answer is the response's proto3 JSON: sent as it is, unless a field of it is the body.
    else if (call.responseBody === undefined) write(200, text || '{}');
    else write(200, JSON.stringify(answerOf(call, JSON.parse(text || '{}') as Record<string, unknown>)));
  } catch (error) {
    // A request that cannot be made into the call (400), or an answer Connect could not give: never left open.
    const status = error instanceof TranscodingError ? 400 : 500;
    const message = error instanceof TranscodingError ? error.message : `mockstack: ${error instanceof Error ? error.message : String(error)}`;
    if (!response.headersSent) write(status, JSON.stringify(googleErrorBody(status, { code: status === 400 ? 'invalid_argument' : 'internal', message })));
    else response.destroy();
  }
}

/** A request's body as text, refused past `maxBytes`. */
async function bodyText(request: Parameters<WebHandler>[0], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new TranscodingError(`the request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Passes a response body through, keeping what was sent; `ended` runs once it is all sent. */
async function* keep(body: AsyncIterable<Uint8Array>, sent: Uint8Array[], ended: () => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    sent.push(chunk);
    yield chunk;
  }
  ended();
}
