import * as grpc from '@grpc/grpc-js';
import { type Engine, type Headers, makeFault, type Outcome } from '@mockstack/core';
import type { GrpcAnswers } from './answers.js';
import { Inbox } from './inbox.js';
import type { MethodInfo } from './protos.js';
import type { GrpcProxyFallback } from './proxy-fallback.js';
import { GrpcRequest, writeUnary } from './request.js';

/** A call of any of the four kinds, as grpc-js hands it to a handler. */
export type AnyCall =
  | grpc.ServerUnaryCall<unknown, Buffer>
  | grpc.ServerReadableStream<unknown, Buffer>
  | grpc.ServerWritableStream<unknown, Buffer>
  | grpc.ServerDuplexStream<unknown, Buffer>;

/** A call the server answers with a stream (server streaming, bidi). */
export type WritableCall = grpc.ServerWritableStream<unknown, Buffer> | grpc.ServerDuplexStream<unknown, Buffer>;

/** What the grpc-js call handlers of one served service share. */
export interface ServiceCalls {
  /** The service's name, as journaled. */
  readonly name: string;
  readonly engine: Engine;
  readonly answers: GrpcAnswers;
  /** `grpc({ proxy })`: the real server that answers what no rule does, instead of the auto-mock. */
  readonly proxy: GrpcProxyFallback | undefined;
}

/** What a stream's handler `write`s goes through (see StreamWriter). */
interface MessageWriter {
  write(message: unknown): boolean;
}

/** The CoreRequest of a grpc-js call; `writer` for a call answered with a stream. */
export function requestOf(
  calls: ServiceCalls,
  method: MethodInfo,
  call: AnyCall,
  body: unknown,
  messages: unknown[],
  incoming: AsyncIterable<unknown> | Iterable<unknown>,
  writer: MessageWriter | undefined,
): GrpcRequest {
  const write = writer
    ? (message: unknown) => {
        try {
          writer.write(message);
        } catch (error) {
          throw calls.answers.shapeFault(method, { kind: 'aborted', rule: undefined }, error);
        }
      }
    : writeUnary;
  // Aborts the engine's delays at the deadline or when the client leaves (made on first use).
  const request = new GrpcRequest(calls.name, method, headersOf(call.metadata), body, messages, incoming, write, () => signalOf(call));
  if (incoming instanceof Inbox) request.streamLog = incoming.log;
  return request;
}

/**
 * A bug or an answer grpc-js refuses (e.g. a metadata name with a space) must not take the
 * process down: the call ends INTERNAL saying why, it is journaled and logged, and serving goes on.
 */
export function crashed(calls: ServiceCalls, method: MethodInfo, call: AnyCall, error: unknown, send: (status: grpc.StatusObject) => void): void {
  const message = `mockstack could not answer ${method.id}: ${error instanceof Error ? error.message : String(error)}`;
  try {
    send({ code: grpc.status.INTERNAL, details: message, metadata: new grpc.Metadata() });
  } catch {
    // The call is already over; the journal and the log still say what happened.
  }
  const fault = makeFault('INTERNAL', message);
  const request = requestOf(calls, method, call, undefined, [], [], undefined);
  calls.engine.record(
    request,
    { kind: 'fault', rule: undefined, fault },
    { status: 'INTERNAL', code: 'INTERNAL', error: message, startedAt: performance.now() },
  );
  calls.engine.logger.error(message, { service: calls.name, stack: error instanceof Error ? error.stack : undefined });
}

/** Journals a call cancelled by the client, or whose deadline passed, before it was answered. */
export function recordAborted(calls: ServiceCalls, request: GrpcRequest, outcome: Outcome, call: AnyCall, startedAt: number): void {
  const deadline = call.getDeadline();
  const remaining = deadline === Number.POSITIVE_INFINITY ? undefined : new Date(deadline).getTime() - Date.now();
  calls.answers.recordAborted(request, outcome, startedAt, remaining);
}

/**
 * A client that cancels a stream also ends its incoming side, and grpc-js marks the call cancelled a
 * tick later (both from the same socket event). Once the incoming side has ended, wait for those
 * ticks before telling a half-close (the call goes on, OK) from a cancellation (journaled CANCELLED).
 */
export function cancelSettled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Ends a stream with a status (grpc-js turns an 'error' event into the status and trailers). */
export function failOf(call: WritableCall): (status: grpc.StatusObject) => void {
  return (status) => {
    call.emit('error', { ...status, message: status.details });
  };
}

/** Request metadata as headers (first value per key; binary values as base64). */
function headersOf(metadata: grpc.Metadata): Headers {
  const map = metadata.getMap();
  for (const key in map) {
    const value = map[key];
    if (typeof value !== 'string') (map as Headers)[key] = value?.toString('base64');
  }
  return map as Headers;
}

function signalOf(call: AnyCall): AbortSignal {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else (call as NodeJS.EventEmitter).once('cancelled', () => controller.abort());
  return controller.signal;
}
