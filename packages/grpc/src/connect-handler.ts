import type { Registry } from '@bufbuild/protobuf';
import { createConnectRouter, createContextValues } from '@connectrpc/connect';
import type { UniversalServerResponse } from '@connectrpc/connect/protocol';
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from '@connectrpc/connect-node';
import { CALL, type ConnectCalls } from './connect-calls.js';
import { fromGrpcWebText, isGrpcWebText, toGrpcWebText } from './grpc-web-text.js';
import { once, parseErrorsAsInvalidArgument } from './parse-errors.js';
import type { WebHandler } from './web-cors.js';

/**
 * A node request handler serving the routes of `registry` to `calls`: connect-node's `connectNodeAdapter`,
 * thin as it is, with two changes: a path that is no method gets a message naming those served, and a call
 * whose answer cannot be written (the client left) goes to the service's logger at info, not to console.error.
 */
export function connectNodeHandler(calls: ConnectCalls, registry: Registry, maxMessageBytes: number): WebHandler {
  const router = createConnectRouter({ acceptCompression: [compressionGzip, compressionBrotli], readMaxBytes: maxMessageBytes });
  calls.addRoutes(router, registry);
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  return (request, response) => {
    const handler = handlers.get((request.url ?? '').split('?', 1)[0] ?? '');
    if (!handler) {
      calls.unknownMethod(request, response);
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
/** Passes a response body through, keeping what was sent; `ended` runs once it is all sent. */
async function* keep(body: AsyncIterable<Uint8Array>, sent: Uint8Array[], ended: () => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    sent.push(chunk);
    yield chunk;
  }
  ended();
}
