import { type CoreRequest, type Headers, makeFault, type StreamMessages } from '@mockstack/core';
import type { MethodInfo } from './protos.js';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** The wire a gRPC service's call came over: native gRPC, or Connect / gRPC-Web on the service's web port. */
export type GrpcWire = 'grpc' | 'connect' | 'grpc-web';

/**
 * A CoreRequest over one gRPC call, and the handler's context as the DSL's `GrpcContext` reads it
 * (request, messages, incoming, write, metadata, method): built once per call, one shape for every
 * call, handed to handlers as is. The engine sets `state` and `call` before a handler runs.
 */
export class GrpcRequest implements CoreRequest {
  /** `grpc`; `connect` or `grpc-web` for a call on the web port (the journal's protocol). */
  readonly protocol: GrpcWire;
  readonly service: string;
  readonly operation: string;
  readonly params = EMPTY;
  readonly query = EMPTY;
  readonly headers: Headers;
  /** Request metadata as headers: the same object as `headers`. */
  readonly metadata: Headers;
  /** The message; for client streaming and bidi, the list of messages (for bidi, set again once the stream ends). */
  body: unknown;
  readonly target: string;
  /** Set, or made on first use (see `signal`). */
  #signal: AbortSignal | (() => AbortSignal) | undefined;
  /** The request message; for client streaming, the last one received. */
  readonly request: unknown;
  readonly messages: unknown[];
  /** An async iterable for bidi; the received messages (an array) otherwise, which `for await` reads too. */
  readonly incoming: AsyncIterable<unknown> | Iterable<unknown>;
  readonly write: (message: unknown) => void;
  readonly method: string;
  /** A stream's messages both ways with their timing, for the journal; undefined for a unary call. */
  streamLog: StreamMessages | undefined = undefined;
  state: unknown = undefined;
  call = 0;
  /** Set by the engine before a handler runs (declared here so every request keeps one shape). */
  publish: ((topic: string, payload: unknown) => number) | undefined = undefined;

  constructor(
    service: string,
    method: MethodInfo,
    headers: Headers,
    body: unknown,
    messages: unknown[],
    incoming: AsyncIterable<unknown> | Iterable<unknown>,
    write: (message: unknown) => void,
    signal: AbortSignal | (() => AbortSignal) | undefined,
    protocol: GrpcWire = 'grpc',
  ) {
    this.protocol = protocol;
    this.service = service;
    this.operation = method.id;
    this.method = method.id;
    this.target = method.path;
    this.headers = headers;
    this.metadata = headers;
    this.body = body;
    this.request = Array.isArray(body) ? body[body.length - 1] : body;
    this.messages = messages;
    this.incoming = incoming;
    this.write = write;
    this.#signal = signal;
  }

  /**
   * Aborted at the deadline or when the client leaves. A native call's is made on first use (a delay,
   * a stream, a handler that asks), keeping an AbortController and a listener off most unary calls.
   */
  get signal(): AbortSignal | undefined {
    if (typeof this.#signal === 'function') this.#signal = this.#signal();
    return this.#signal;
  }
}

/** `write` of a call answered with one message (unary, client streaming). */
export function writeUnary(): never {
  throw makeFault('INTERNAL', 'this method answers with one message: return it instead of calling write()');
}
