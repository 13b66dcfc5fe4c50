import { createRegistry, type JsonValue, type Registry } from '@bufbuild/protobuf';
import {
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
} from '@bufbuild/protobuf/wkt';
import { type ContextValues, createConnectRouter, createContextValues } from '@connectrpc/connect';
import {
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
  universalServerRequestFromFetch,
  universalServerResponseToFetch,
} from '@connectrpc/connect/protocol';
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from '@connectrpc/connect-node';
import { CALL, type ConnectCalls } from './connect-calls.js';
import { fromGrpcWebText, isGrpcWebText, toGrpcWebText } from './grpc-web-text.js';
import { answerOf, googleErrorBody, type HttpTranscoding, type TranscodedCall, TranscodingError } from './http-transcoding.js';
import { once, parseErrorsAsInvalidArgument, readAll } from './parse-errors.js';
import type { WebHandler } from './web-cors.js';

/**
 * Connect's routes of `registry` to `calls`, by request path. JSON (Connect JSON, gRPC-Web JSON) reads and
 * writes a google.protobuf.Any by its type's name, found in `registry` and the well-known types: without
 * them, every answer holding an Any (a google.rpc.Status detail, Temporal's and Dapr's payloads, the auto-mock's
 * google.protobuf.Empty) was `internal`, and every request holding one `invalid_argument`.
 */
function routesOf(calls: ConnectCalls, registry: Registry, maxMessageBytes: number): ReadonlyMap<string, UniversalHandler> {
  const router = createConnectRouter({
    acceptCompression: [compressionGzip, compressionBrotli],
    readMaxBytes: maxMessageBytes,
    jsonOptions: { registry: createRegistry(...WELL_KNOWN_FILES, registry) },
  });
  calls.addRoutes(router, registry);
  return new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
}

/** The well-known types' files, which a client may name in an Any whatever the served protos import. */
const WELL_KNOWN_FILES = [
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
];

/** An answer written as JSON: an unknown method's, or a transcoded call's. */
interface JsonAnswer {
  status: number;
  body: string;
}

/** What a request gets when its path is no method and no HTTP binding: 404, which Connect and gRPC-Web clients read as `unimplemented`. */
function unknownMethodAnswer(calls: ConnectCalls, path: string): JsonAnswer {
  return { status: 404, body: JSON.stringify({ code: 'unimplemented', message: calls.unknownMethodMessage(path) }) };
}

/**
 * A node request handler serving the routes of `registry` to `calls`: connect-node's `connectNodeAdapter`,
 * thin as it is, with two changes: a path that is no method gets a message naming those served, and a call
 * whose answer cannot be written (the client left) goes to the service's logger at info, not to console.error.
 */
export function connectNodeHandler(calls: ConnectCalls, registry: Registry, maxMessageBytes: number, transcoding?: HttpTranscoding): WebHandler {
  const handlers = routesOf(calls, registry, maxMessageBytes);
  return (request, response) => {
    const handler = handlers.get(withoutQuery(request.url ?? ''));
    if (!handler) {
      const transcoded = transcoding?.size ? transcoding.match(request.method ?? 'GET', request.url ?? '/') : undefined;
      const write = ({ status, body }: JsonAnswer): void => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        response.end(body);
      };
      if (!transcoded) write(unknownMethodAnswer(calls, request.url ?? '/'));
      else
        void answerTranscoded(
          transcoded,
          handlers,
          calls,
          () => nodeBodyText(request, maxMessageBytes),
          (message, values) => universalRequestFromNodeRequest(request, response, message, values),
        )
          .then(write)
          .catch(() => response.destroy());
      return;
    }
    answerCall(handler, (values) => universalRequestFromNodeRequest(request, response, undefined, values), calls)
      .then((answer) => universalResponseToNodeResponse(answer, response))
      .catch((reason: unknown) => calls.undelivered(handler.requestPath, handler.protocolNames, reason));
  };
}

/** A gRPC service answered over fetch (`Request` in, `Response` out). */
export interface GrpcFetchHandler {
  /** Whether `path` (below the service's base URL, with its query) is one of the service's methods or HTTP bindings. */
  serves(method: string, path: string): boolean;
  /** The answer to `request`; `path` is its path below the service's base URL, with its query. */
  answer(request: Request, path: string): Promise<Response>;
}

/**
 * The routes of `registry` served to `calls` over fetch, as connectNodeHandler serves them over node's
 * HTTP: what mockstack/msw answers a Connect or gRPC-Web client's fetch with.
 */
export function connectFetchHandler(calls: ConnectCalls, registry: Registry, maxMessageBytes: number, transcoding?: HttpTranscoding): GrpcFetchHandler {
  const handlers = routesOf(calls, registry, maxMessageBytes);
  const json = ({ status, body }: JsonAnswer): Response => new Response(body, { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  const bindingOf = (method: string, path: string) => (transcoding?.size ? transcoding.match(method, path) : undefined);
  const fromFetch = (request: Request, contextValues: ContextValues): UniversalServerRequest => ({
    ...universalServerRequestFromFetch(request, {}),
    contextValues,
  });
  return {
    serves: (method, path) => handlers.has(withoutQuery(path)) || bindingOf(method, path) !== undefined,
    answer: async (request, path) => {
      const handler = handlers.get(withoutQuery(path));
      if (handler) return universalServerResponseToFetch(await answerCall(handler, (values) => fromFetch(request, values), calls));
      const transcoded = bindingOf(request.method, path);
      if (!transcoded) return json(unknownMethodAnswer(calls, withoutQuery(path)));
      return json(
        await answerTranscoded(
          transcoded,
          handlers,
          calls,
          () => fetchBodyText(request, maxMessageBytes),
          // The body was read for the call's message: the message stands for it.
          (message, values) => ({ ...fromFetch(request, values), ...(message !== undefined && { body: message }) }),
        ),
      );
    },
  };
}

function withoutQuery(path: string): string {
  return path.split('?', 1)[0] ?? '';
}

/**
 * One call through its method's route: what to send back. gRPC-Web's text format is served as the binary one,
 * translated on the way in and out. A call refused before any rule ran (a malformed message, bad framing, a
 * content type Connect does not serve) is journaled here; one a rule answered, by the engine.
 */
async function answerCall(
  handler: UniversalHandler,
  requestOf: (values: ContextValues) => UniversalServerRequest,
  calls: ConnectCalls,
): Promise<UniversalServerResponse> {
  const startedAt = performance.now();
  const values = createContextValues();
  const call = { ran: false };
  values.set(CALL, call);
  const universal = requestOf(values);
  const text = isGrpcWebText(universal);
  const contentType = universal.header.get('content-type') ?? undefined;
  const sent = (answer: UniversalServerResponse): UniversalServerResponse => (text ? toGrpcWebText(answer) : answer);
  const answer = await parseErrorsAsInvalidArgument(await handler(text ? fromGrpcWebText(universal) : universal));
  if (call.ran) return sent(answer);
  if (answer.status === 200 && !answer.header?.has('grpc-status')) {
    // A stream whose messages come as the implementation runs (it starts once the body is read), or an
    // error in the stream's last frame: passed through, and journaled at its end (before the response
    // ends) if no rule ran. (universalResponseToNodeResponse waits for an 'end' event HTTP/1.1 responses never emit.)
    const chunks: Uint8Array[] = [];
    const record = (): void => {
      if (!call.ran) calls.recordRejected(handler.requestPath, contentType, answer, Buffer.concat(chunks), startedAt);
    };
    return sent({ ...answer, body: keep(answer.body ?? once(new Uint8Array()), chunks, record) });
  }
  // Connect answered with an error before any rule ran: small, read whole so that it is journaled before the client has it.
  const body = await readAll(answer.body);
  calls.recordRejected(handler.requestPath, contentType, answer, body, startedAt);
  return sent({ ...answer, body: once(body) });
}

/**
 * A request to a method's HTTP binding (see HttpTranscoding): made into the method's Connect JSON call, served by
 * the same route (rules, state, journal), and answered as Google's REST APIs answer: the response (or its
 * `response_body` field) as JSON, an error as `{ "error": { code, message, status } }` with its HTTP status.
 * A request that cannot be made into the call is a 400; an answer Connect could not give, a 500.
 */
async function answerTranscoded(
  transcode: (body: string) => TranscodedCall,
  handlers: ReadonlyMap<string, UniversalHandler>,
  calls: ConnectCalls,
  bodyText: () => Promise<string>,
  universalOf: (message: JsonValue | undefined, values: ContextValues) => UniversalServerRequest,
): Promise<JsonAnswer> {
  const startedAt = performance.now();
  try {
    const call = transcode(await bodyText());
    const handler = handlers.get(call.connectPath) as UniversalHandler;
    const values = createContextValues();
    const ran = { ran: false };
    values.set(CALL, ran);
    const universal = universalOf(call.message as JsonValue, values);
    const header = new Headers(universal.header);
    header.set('content-type', 'application/json');
    header.delete('content-encoding');
    const answer = await handler({ ...universal, method: 'POST', url: new URL(call.connectPath, universal.url).toString(), header });
    const bytes = await readAll(answer.body);
    const text = bytes.toString('utf8');
    if (!ran.ran) calls.recordRejected(call.connectPath, 'application/json', answer, bytes, startedAt);
    if (answer.status !== 200) return { status: answer.status, body: JSON.stringify(googleErrorBody(answer.status, text ? JSON.parse(text) : {})) };
    // Connect's JSON answer is the response's proto3 JSON: sent as it is, unless a field of it is the body.
    if (call.responseBody === undefined) return { status: 200, body: text || '{}' };
    return { status: 200, body: JSON.stringify(answerOf(call, JSON.parse(text || '{}') as Record<string, unknown>)) };
  } catch (error) {
    const status = error instanceof TranscodingError ? 400 : 500;
    const message = error instanceof TranscodingError ? error.message : `mockstack: ${error instanceof Error ? error.message : String(error)}`;
    return { status, body: JSON.stringify(googleErrorBody(status, { code: status === 400 ? 'invalid_argument' : 'internal', message })) };
  }
}

/** A request's body as text, refused past `maxBytes`. */
async function nodeBodyText(request: Parameters<WebHandler>[0], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new TranscodingError(`the request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A fetch request's body as text, refused past `maxBytes`. */
async function fetchBodyText(request: Request, maxBytes: number): Promise<string> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw new TranscodingError(`the request body is larger than ${maxBytes} bytes`);
  return new TextDecoder().decode(bytes);
}

/** Passes a response body through, keeping what was sent; `ended` runs once it is all sent. */
async function* keep(body: AsyncIterable<Uint8Array>, sent: Uint8Array[], ended: () => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    sent.push(chunk);
    yield chunk;
  }
  ended();
}
