import * as grpc from '@grpc/grpc-js';
import { type Code, isCode, makeFault, makeReply, type Outcome, type Rule } from '@mockstack/core';
import { decoder, encode } from './codec.js';
import type { MethodInfo } from './protos.js';
import type { GrpcRequest } from './request.js';

/** Request metadata grpc-js sets itself on a call (sending them again is refused or wrong). */
const CALL_HEADERS = new Set(['content-type', 'te', 'user-agent', 'grpc-accept-encoding', 'grpc-encoding', 'grpc-timeout', 'accept-encoding', 'host']);

/**
 * `grpc({ proxy })`: the real gRPC server that answers the calls no rule answers (WireMock's
 * proxying), as REST and GraphQL services have. Its answer becomes the engine's outcome (a message,
 * a stream of them, or its status as a fault), so it is sent, journaled and timed as a rule's answer
 * is, under the rule `proxy:<service>`; an unreachable server is UNAVAILABLE, as grpc-js says it.
 * Only native gRPC calls are proxied (not Connect or gRPC-Web calls on the `web` port).
 */
export class GrpcProxyFallback {
  /** Not a rule of the model: the journal's name for answers that came from the real server. */
  readonly rule: Rule;
  readonly #client: grpc.Client;

  /** `target`: `host:port`, `grpc://host:port`, or `grpcs://host:port` (TLS, the system's CAs). */
  constructor(serviceName: string, target: string) {
    const url = /^grpcs?:\/\//.test(target) ? new URL(target) : undefined;
    const address = url ? url.host : target;
    this.#client = new grpc.Client(address, url?.protocol === 'grpcs:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure());
    this.rule = { id: `proxy:${serviceName}`, name: `proxy to ${target}`, operation: '*', matchers: [], respond: undefined };
  }

  /** Whether the real server answers a call the engine decided this way: no rule answered it (none of its method's matched, or it has none). */
  takes(outcome: Outcome): boolean {
    return outcome.kind === 'fallback' || outcome.kind === 'unmatched';
  }

  /** The real server's answer to `request` (a call of `method`), as an outcome. */
  answer(method: MethodInfo, request: GrpcRequest): Promise<Outcome> {
    const metadata = metadataOf(request.headers);
    const serialize = (value: unknown): Buffer => encode(method.requestType, value);
    const deserialize = decoder(method.responseType);
    const options: grpc.CallOptions = {};
    switch (method.kind) {
      case 'unary':
      case 'client-streaming':
        return new Promise((resolve) => {
          let headers: Record<string, string> | undefined;
          let call: grpc.ClientUnaryCall | grpc.ClientWritableStream<unknown>;
          const callback = (error: grpc.ServiceError | null, value?: unknown) => {
            resolve(error ? this.#faultOf(error) : this.#replyOf(value, headers, undefined));
          };
          if (method.kind === 'unary') call = this.#client.makeUnaryRequest(method.path, serialize, deserialize, request.body, metadata, options, callback);
          else {
            const stream = this.#client.makeClientStreamRequest(method.path, serialize, deserialize, metadata, options, callback);
            for (const message of request.messages) stream.write(message);
            stream.end();
            call = stream;
          }
          call.on('metadata', (received: grpc.Metadata) => {
            headers = textOf(received);
          });
          request.signal?.addEventListener('abort', () => call.cancel(), { once: true });
        });
      case 'server-streaming':
      case 'bidi': {
        const call =
          method.kind === 'bidi'
            ? this.#client.makeBidiStreamRequest(method.path, serialize, deserialize, metadata, options)
            : this.#client.makeServerStreamRequest(method.path, serialize, deserialize, request.body, metadata, options);
        request.signal?.addEventListener('abort', () => call.cancel(), { once: true });
        if (method.kind === 'bidi') void this.#forward(request.incoming, call as grpc.ClientDuplexStream<unknown, unknown>);
        return Promise.resolve(this.#replyOf(this.#messagesOf(call), undefined, undefined));
      }
    }
  }

  close(): void {
    this.#client.close();
  }

  /** The client's messages of a bidi call, sent on as they come. */
  async #forward(incoming: AsyncIterable<unknown> | Iterable<unknown>, call: grpc.ClientDuplexStream<unknown, unknown>): Promise<void> {
    try {
      for await (const message of incoming) call.write(message);
      call.end();
    } catch {
      call.cancel();
    }
  }

  /** The real server's messages, then its status as a fault item when it is not OK (the stream then ends with it). */
  async *#messagesOf(call: grpc.ClientReadableStream<unknown>): AsyncGenerator<unknown> {
    try {
      for await (const message of call) yield message;
    } catch (error) {
      yield this.#faultOf(error as grpc.ServiceError).fault;
    }
  }

  #replyOf(body: unknown, headers: Record<string, string> | undefined, trailers: Record<string, string> | undefined): Outcome {
    return { kind: 'reply', rule: this.rule, reply: makeReply({ body, ...(headers && { headers }), ...(trailers && { trailers }) }) };
  }

  #faultOf(error: grpc.ServiceError): Outcome & { kind: 'fault' } {
    const name = grpc.status[error.code] as string | undefined;
    const code: Code = name !== undefined && isCode(name) ? name : 'UNKNOWN';
    const trailers = error.metadata ? textOf(error.metadata) : undefined;
    return {
      kind: 'fault',
      rule: this.rule,
      fault: makeFault(code, error.details ?? error.message, trailers && Object.keys(trailers).length ? { headers: trailers } : {}),
    };
  }
}

/** The call's metadata as the real server should get it: what the client sent, less what grpc-js sets itself. */
function metadataOf(headers: GrpcRequest['headers']): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || key.startsWith(':') || CALL_HEADERS.has(key)) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      if (key.endsWith('-bin')) metadata.add(key, Buffer.from(one, 'base64'));
      else metadata.add(key, one);
    }
  }
  return metadata;
}

/** Metadata as text headers (binary values in base64, as mockstack's request headers carry them). */
function textOf(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) out[key] = typeof value === 'string' ? value : value.toString('base64');
  return out;
}
