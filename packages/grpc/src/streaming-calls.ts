import type * as grpc from '@grpc/grpc-js';
import { type Code, isFault, type Outcome, type StreamMessages, sendPaced } from '@mockstack/core';
import { AUTO_STREAM_LENGTH, badRequest } from './answers.js';
import { BadMessage, encode } from './codec.js';
import { Inbox } from './inbox.js';
import { cancelSettled, crashed, failOf, recordAborted, requestOf, type ServiceCalls, type WritableCall } from './native-call.js';
import type { MethodInfo } from './protos.js';
import { metadataOf } from './status.js';
import { streamOf } from './stream-body.js';

/** How a stream ended: all sent, a status to send (a fault item, a handler's throw), or the client left. */
type Ending = { kind: 'ok' } | { kind: 'status'; status: grpc.StatusObject; code: Code; error: string } | { kind: 'aborted' };

/** grpc-js' handler of a server-streaming method: one message in, the rule's messages out at their pace. */
export function serverStreamingHandler(calls: ServiceCalls, method: MethodInfo): grpc.handleServerStreamingCall<unknown, Buffer> {
  return (call) => {
    streaming(calls, method, call, new Inbox([call.request])).catch((error: unknown) => crashed(calls, method, call, error, failOf(call)));
  };
}

/** grpc-js' handler of a bidi method: the client's messages readable as they come (`incoming`), the rule's messages out. */
export function bidiHandler(calls: ServiceCalls, method: MethodInfo): grpc.handleBidiStreamingCall<unknown, Buffer> {
  return (call) => {
    streaming(calls, method, call, Inbox.of(call)).catch((error: unknown) => crashed(calls, method, call, error, failOf(call)));
  };
}

async function streaming(calls: ServiceCalls, method: MethodInfo, call: WritableCall, inbox: Inbox): Promise<void> {
  const { answers, engine } = calls;
  const startedAt = performance.now();
  const first = inbox.received[0];
  const fail = failOf(call);
  if (first instanceof BadMessage) {
    answers.finish(requestOf(calls, method, call, first, inbox.received, inbox, undefined), badRequest(first), startedAt, fail);
    return;
  }
  const writer = new StreamWriter(call, method, inbox.log);
  const request = requestOf(calls, method, call, method.kind === 'bidi' ? inbox.received : first, inbox.received, inbox, writer);
  let outcome = await engine.handle(request, 'unruled');
  if (calls.proxy?.takes(outcome)) outcome = await calls.proxy.answer(method, request);
  else if (outcome.kind === 'fallback') outcome = answers.contract(method, request, outcome.rule, AUTO_STREAM_LENGTH);
  if (outcome.kind === 'aborted' || call.cancelled) {
    recordAborted(calls, request, outcome, call, startedAt);
    return;
  }
  if (outcome.kind === 'fault' || outcome.kind === 'unmatched') {
    answers.finish(request, outcome, startedAt, fail);
    return;
  }

  const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
  if (reply?.headers) call.sendMetadata(metadataOf(reply.headers));
  if (typeof outcome.rule.respond !== 'function' && outcome.rule !== calls.proxy?.rule) writer.encode = (message) => answers.encodeStatic(method, message);
  let ending: Ending;
  try {
    ending = await writer.writeAll(reply ? reply.body : outcome.kind === 'body' ? outcome.body : undefined, request.signal);
  } catch (error) {
    ending = endingOf(calls, method, outcome, error);
  }
  if (inbox.bad) ending = endingOf(calls, method, outcome, badRequest(inbox.bad).fault);
  if (method.kind === 'bidi') request.body = inbox.received;
  if (inbox.ended) await cancelSettled();
  if (ending.kind === 'aborted' || call.cancelled) {
    recordAborted(calls, request, { kind: 'aborted', rule: outcome.rule }, call, startedAt);
    return;
  }
  if (ending.kind === 'status') {
    fail(ending.status);
    engine.record(request, outcome, { status: ending.code, code: ending.code, error: ending.error, startedAt, messages: request.streamLog });
    return;
  }
  call.end(reply?.trailers ? metadataOf(reply.trailers) : undefined);
  engine.record(request, outcome, { status: 'OK', startedAt, messages: request.streamLog });
}

/** A throw while streaming (a fault item, a handler's throw, a wrong-shaped message) as the status that ends the stream. */
function endingOf(calls: ServiceCalls, method: MethodInfo, outcome: Outcome, error: unknown): Ending {
  const fault = calls.answers.shapeFault(method, outcome, error);
  return { kind: 'status', status: calls.answers.status(fault), code: fault.code, error: fault.message };
}

/** Writes messages of a server or bidi stream in order, honouring backpressure, pauses and faults. */
class StreamWriter {
  readonly #call: WritableCall;
  readonly #log: StreamMessages;
  /** Encodes one message; the server swaps in a caching encoder for a rule's static items. */
  encode: (message: unknown) => Buffer;

  constructor(call: WritableCall, method: MethodInfo, log: StreamMessages) {
    this.#call = call;
    this.#log = log;
    this.encode = (message) => encode(method.responseType, message);
  }

  write(message: unknown): boolean {
    if (this.#call.cancelled || this.#call.writableEnded) return false;
    const buffer = this.encode(message);
    this.#log.add('out', message);
    return this.#call.write(buffer);
  }

  /** Sends every item at its pace; a Fault item ends the stream with that status. Awaits only for pauses, backpressure and async sources. */
  async writeAll(body: unknown, signal: AbortSignal | undefined): Promise<Ending> {
    if (body === undefined || body === null) return { kind: 'ok' };
    const { items, interval } = streamOf(body);
    const sentAll = await sendPaced(
      items,
      interval,
      (item) => {
        if (signal?.aborted || this.#call.cancelled) return false;
        if (isFault(item)) throw item;
        if (this.write(item)) return true;
        if (this.#call.cancelled) return false;
        return new Promise<boolean>((resolve) => {
          (this.#call as NodeJS.EventEmitter).once('drain', () => resolve(true));
          signal?.addEventListener('abort', () => resolve(false), { once: true });
        });
      },
      signal,
    );
    return sentAll ? { kind: 'ok' } : { kind: 'aborted' };
  }
}
