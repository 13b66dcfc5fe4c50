import type * as grpc from '@grpc/grpc-js';
import type { Outcome, StreamMessages } from '@mockstack/core';
import { abortedOf, badRequest, type StatusOverride } from './answers.js';
import { BadMessage } from './codec.js';
import { Inbox } from './inbox.js';
import { type AnyCall, cancelSettled, crashed, recordAborted, requestOf, type ServiceCalls } from './native-call.js';
import type { MethodInfo } from './protos.js';
import type { GrpcRequest } from './request.js';
import { metadataOf } from './status.js';

/** grpc-js' handler of a unary method: one message in, one answer (or a status) out. */
export function unaryHandler(calls: ServiceCalls, method: MethodInfo): grpc.handleUnaryCall<unknown, Buffer> {
  return (call, callback) => {
    const body = call.request;
    try {
      answerMessages(calls, method, call, body, body instanceof BadMessage ? [] : [body], callback);
    } catch (error) {
      crashed(calls, method, call, error, (s) => callback(s));
    }
  };
}

/** grpc-js' handler of a client-streaming method: answered like a unary call once the client has sent all its messages. */
export function clientStreamingHandler(calls: ServiceCalls, method: MethodInfo): grpc.handleClientStreamingCall<unknown, Buffer> {
  return (call, callback) => {
    clientStreaming(calls, method, call, callback).catch((error: unknown) => crashed(calls, method, call, error, (s) => callback(s)));
  };
}

async function clientStreaming(
  calls: ServiceCalls,
  method: MethodInfo,
  call: grpc.ServerReadableStream<unknown, Buffer>,
  callback: grpc.sendUnaryData<Buffer>,
): Promise<void> {
  const startedAt = performance.now();
  const inbox = Inbox.of(call);
  const bad = await inbox.drain();
  await cancelSettled();
  if (call.cancelled) {
    recordAborted(
      calls,
      requestOf(calls, method, call, inbox.received, inbox.received, inbox, undefined),
      { kind: 'aborted', rule: undefined },
      call,
      startedAt,
    );
    return;
  }
  answerMessages(calls, method, call, bad ?? inbox.received, inbox.received, callback, inbox.log);
}

/** `messages` is what the client sent: one message, or all of a client stream. */
function answerMessages(
  calls: ServiceCalls,
  method: MethodInfo,
  call: AnyCall,
  body: unknown,
  messages: unknown[],
  callback: grpc.sendUnaryData<Buffer>,
  streamLog?: StreamMessages,
): void {
  const startedAt = performance.now();
  const request = requestOf(calls, method, call, body, messages, messages, undefined);
  request.streamLog = streamLog;
  if (body instanceof BadMessage) {
    calls.answers.finish(request, badRequest(body), startedAt, (s) => callback(s));
    return;
  }
  // Answered in the same tick when the engine can (sync responder, no delay): grpc-js then
  // writes the reply with the request's own flush.
  const handled = calls.engine.handle(request, 'unruled');
  const proxy = calls.proxy;
  // No rule answered and the service has a real server to ask: its answer is the outcome.
  const outcome = proxy && !(handled instanceof Promise) && proxy.takes(handled) ? proxy.answer(method, request) : handled;
  if (outcome instanceof Promise) {
    outcome
      .then((o) => (proxy?.takes(o) ? proxy.answer(method, request) : o))
      .then(
        (o) => answer(calls, method, call, request, o, startedAt, callback),
        (error: unknown) =>
          answer(
            calls,
            method,
            call,
            request,
            { kind: 'fault', rule: undefined, fault: calls.answers.shapeFault(method, { kind: 'aborted', rule: undefined }, error) },
            startedAt,
            callback,
          ),
      )
      .catch((error: unknown) => crashed(calls, method, call, error, (s) => callback(s)));
  } else answer(calls, method, call, request, outcome, startedAt, callback);
}

/** Sends the engine's outcome as the call's one answer (or its status) and journals it. */
function answer(
  calls: ServiceCalls,
  method: MethodInfo,
  call: AnyCall,
  request: GrpcRequest,
  result: Outcome,
  startedAt: number,
  callback: grpc.sendUnaryData<Buffer>,
): void {
  const outcome = result.kind === 'fallback' ? calls.answers.contract(method, request, result.rule, 1) : result;
  // Gone during a delay.
  if (outcome.kind === 'aborted' || call.cancelled) {
    recordAborted(calls, request, abortedOf(outcome), call, startedAt);
    return;
  }
  if (outcome.kind === 'fault' || outcome.kind === 'unmatched') {
    calls.answers.finish(request, outcome, startedAt, (s) => callback(s));
    return;
  }
  const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
  let buffer: Buffer;
  let headers: grpc.Metadata | undefined;
  let trailers: grpc.Metadata | undefined;
  try {
    buffer = calls.answers.encodeAnswer(method, outcome, reply ? reply.body : (outcome as { body: unknown }).body);
    // grpc-js refuses some metadata (a key with a space): found here, it is the rule's fault, not a crash.
    headers = reply?.headers ? metadataOf(reply.headers) : undefined;
    trailers = reply?.trailers ? metadataOf(reply.trailers) : undefined;
  } catch (error) {
    const override: StatusOverride = calls.answers.wrongShape(method, outcome, error);
    calls.answers.finish(request, outcome, startedAt, (s) => callback(s), override);
    return;
  }
  if (headers) call.sendMetadata(headers);
  callback(null, buffer, trailers);
  calls.engine.record(request, outcome, { status: 'OK', startedAt, messages: request.streamLog });
}
