import { type DescMessage, type DescMethod, fromBinary, type Message, type Registry, toBinary } from '@bufbuild/protobuf';
import { Code as ConnectCode, ConnectError, type ConnectRouter, createContextKey, encodeBinaryHeader, type HandlerContext } from '@connectrpc/connect';
import type { UniversalServerResponse } from '@connectrpc/connect/protocol';
import type * as grpc from '@grpc/grpc-js';
import { type Code, type Engine, type Headers, isCode, isFault, makeFault, type Outcome, StreamMessages, sendPaced } from '@mockstack/core';
import { AUTO_STREAM_LENGTH, abortedOf, badRequest, type GrpcAnswers, type StatusOverride } from './answers.js';
import { BadMessage, decoder, encode } from './codec.js';
import { Outbox } from './outbox.js';
import type { LoadedProtos, MethodInfo } from './protos.js';
import { GrpcRequest, type GrpcWire, writeUnary } from './request.js';
import { grpcStatusOfCode, STATUS_DETAILS_KEY } from './status.js';
import { streamOf } from './stream-body.js';

/** gRPC status numbers by core Code. */
const CODE_OF_STATUS = new Map(Object.entries(grpcStatusOfCode).map(([code, status]) => [status as number, code as Code]));

/** Set when a call reached the service's implementation (and so the engine, which journals it). */
export const CALL = createContextKey<{ ran: boolean }>({ ran: false }, { description: 'mockstack: the call reached the rules' });

/**
 * The calls of a gRPC service over Connect and gRPC-Web (and gRPC on the web port): each goes through the
 * same engine, rules, state, variants, faults and journal as a native gRPC call, answered by the same
 * GrpcAnswers; unary and client streaming answer one message, server streaming and bidi a stream.
 */
export class ConnectCalls {
  readonly #serviceName: string;
  readonly #engine: Engine;
  readonly #protos: LoadedProtos;
  readonly #answers: GrpcAnswers;

  constructor(serviceName: string, engine: Engine, protos: LoadedProtos, answers: GrpcAnswers) {
    this.#serviceName = serviceName;
    this.#engine = engine;
    this.#protos = protos;
    this.#answers = answers;
  }

  /** Routes every method of the loaded services that `registry` describes to the engine. */
  addRoutes(router: ConnectRouter, registry: Registry): void {
    for (const [name, methods] of this.#protos.services) {
      const service = registry.getService(name);
      if (!service) continue;
      for (const info of methods) {
        const method = service.methods.find((m) => m.name === info.name);
        if (!method) continue;
        if (info.responseStream) router.rpc(method, ((input: unknown, context: HandlerContext) => this.#stream(info, method, input, context)) as never);
        else router.rpc(method, ((input: unknown, context: HandlerContext) => this.#unary(info, method, input, context)) as never);
      }
    }
  }

  /** Unary and client streaming: one answer message, or a ConnectError. */
  async #unary(info: MethodInfo, method: DescMethod, input: unknown, context: HandlerContext): Promise<Message> {
    context.values.get(CALL).ran = true;
    const startedAt = performance.now();
    const decode = decoder(info.requestType);
    const messages: unknown[] = [];
    // A client stream's messages with their timing, for the journal, as over gRPC (a unary call has none).
    const log = info.requestStream ? new StreamMessages(startedAt) : undefined;
    let body: unknown;
    if (info.requestStream) {
      for await (const message of input as AsyncIterable<Message>) {
        const decoded = decode(bytesOf(method.input, message));
        if (decoded instanceof BadMessage) {
          body = decoded;
          break;
        }
        messages.push(decoded);
        log?.add('in', decoded);
      }
      body ??= messages;
    } else {
      body = decode(bytesOf(method.input, input as Message));
      if (!(body instanceof BadMessage)) messages.push(body);
    }
    const request = this.#request(info, context, body, messages, messages, undefined);
    request.streamLog = log;
    if (body instanceof BadMessage) throw this.#fail(request, badRequest(body), startedAt);
    const handled = await this.#handle(info, request);
    const outcome = handled.kind === 'fallback' ? this.#answers.contract(info, request, handled.rule, 1) : handled;
    if (outcome.kind === 'aborted' || context.signal.aborted) throw this.#aborted(request, outcome, context, startedAt);
    if (outcome.kind === 'fault' || outcome.kind === 'unmatched') throw this.#fail(request, outcome, startedAt);
    const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
    let answer: Message;
    try {
      answer = fromBinary(method.output, this.#answers.encodeAnswer(info, outcome, reply ? reply.body : (outcome as { body: unknown }).body));
      setAll(context.responseHeader, reply?.headers);
      setAll(context.responseTrailer, reply?.trailers);
    } catch (error) {
      const fault = this.#answers.shapeFault(info, outcome, error);
      throw this.#fail(request, outcome, startedAt, { ...this.#answers.status(fault), fault });
    }
    this.#engine.record(request, outcome, { status: 'OK', startedAt, messages: log });
    return answer;
  }

  /** Server streaming and bidi: the messages the rule answers (and those its handler `write`s), then OK or a ConnectError. */
  async *#stream(info: MethodInfo, method: DescMethod, input: unknown, context: HandlerContext): AsyncGenerator<Message> {
    context.values.get(CALL).ran = true;
    const startedAt = performance.now();
    const decode = decoder(info.requestType);
    const outbox = new Outbox();
    const messages: unknown[] = [];
    // The call's messages both ways with their timing, for the journal, as over gRPC.
    const log = new StreamMessages(startedAt);
    const write = (message: unknown): void => {
      outbox.push(this.#encodeWritten(info, method, message));
      log.add('out', message);
    };
    let request: GrpcRequest;
    if (info.requestStream) {
      const incoming = (async function* () {
        for await (const message of input as AsyncIterable<Message>) {
          const decoded = decode(bytesOf(method.input, message));
          if (decoded instanceof BadMessage) throw badRequest(decoded).fault;
          messages.push(decoded);
          log.add('in', decoded);
          yield decoded;
        }
      })();
      request = this.#request(info, context, messages, messages, incoming, write);
    } else {
      const body = decode(bytesOf(method.input, input as Message));
      if (!(body instanceof BadMessage)) messages.push(body);
      request = this.#request(info, context, body, messages, messages, write);
      if (body instanceof BadMessage) throw this.#fail(request, badRequest(body), startedAt);
    }
    request.streamLog = log;
    let recorded = false;
    let outcome: Outcome = { kind: 'aborted', rule: undefined };
    try {
      const handling = this.#handle(info, request);
      yield* outbox.until(handling);
      const handled = await handling;
      const answered = handled.kind === 'fallback' ? this.#answers.contract(info, request, handled.rule, AUTO_STREAM_LENGTH) : handled;
      outcome = answered;
      if (answered.kind === 'aborted' || context.signal.aborted) {
        recorded = true;
        throw this.#aborted(request, answered, context, startedAt);
      }
      if (answered.kind === 'fault' || answered.kind === 'unmatched') {
        recorded = true;
        throw this.#fail(request, answered, startedAt);
      }
      const reply = answered.kind === 'reply' ? answered.reply : undefined;
      setAll(context.responseHeader, reply?.headers);
      const body = answered.kind === 'reply' ? answered.reply.body : answered.body;
      try {
        if (body !== undefined && body !== null) {
          // The rule's items at their pace, each handed over once Connect takes the one before (backpressure).
          const { items, interval } = streamOf(body);
          const sending = sendPaced(
            items,
            interval,
            (item) => {
              if (isFault(item)) throw item;
              const message = fromBinary(method.output, this.#answers.encodeAnswer(info, answered, item));
              log.add('out', item);
              return outbox.deliver(message);
            },
            context.signal,
          );
          yield* outbox.until(sending);
          await sending;
        }
        yield* outbox.flush();
      } catch (error) {
        const fault = this.#answers.shapeFault(info, outcome, error);
        recorded = true;
        throw this.#fail(request, outcome, startedAt, { ...this.#answers.status(fault), fault });
      }
      if (info.requestStream) request.body = messages;
      recorded = true;
      if (context.signal.aborted) throw this.#aborted(request, outcome, context, startedAt);
      setAll(context.responseTrailer, reply?.trailers);
      this.#engine.record(request, outcome, { status: 'OK', startedAt, messages: log });
    } finally {
      outbox.close();
      // The client left while messages were going out: Connect stops this generator.
      if (!recorded) this.#aborted(request, outcome, context, startedAt);
    }
  }

  /** A message a handler `write`s, checked against the response type now, as over gRPC. */
  #encodeWritten(info: MethodInfo, method: DescMethod, message: unknown): Message {
    try {
      return fromBinary(method.output, encode(info.responseType, message));
    } catch (error) {
      throw this.#answers.shapeFault(info, { kind: 'aborted', rule: undefined }, error);
    }
  }

  /** The engine's outcome; a handler that throws is a fault outcome, as over gRPC. */
  async #handle(info: MethodInfo, request: GrpcRequest): Promise<Outcome> {
    try {
      return await this.#engine.handle(request, 'unruled');
    } catch (error) {
      return { kind: 'fault', rule: undefined, fault: this.#answers.shapeFault(info, { kind: 'aborted', rule: undefined }, error) };
    }
  }

  #request(
    info: MethodInfo,
    context: HandlerContext,
    body: unknown,
    messages: unknown[],
    incoming: AsyncIterable<unknown> | Iterable<unknown>,
    write: ((message: unknown) => void) | undefined,
  ): GrpcRequest {
    return new GrpcRequest(
      this.#serviceName,
      info,
      headersOf(context.requestHeader),
      body,
      messages,
      incoming,
      write ?? writeUnary,
      context.signal,
      wireOf(context.protocolName),
    );
  }

  /** Journals a fault or unmatched outcome exactly as over gRPC and returns it as the ConnectError to throw. */
  #fail(request: GrpcRequest, outcome: Outcome, startedAt: number, override?: StatusOverride): ConnectError {
    let sent: grpc.StatusObject | undefined;
    this.#answers.finish(request, outcome, startedAt, (status) => (sent = status), override);
    return sent ? this.#connectError(sent) : new ConnectError('mockstack could not answer', ConnectCode.Internal);
  }

  /** The client cancelled, or its deadline (`connect-timeout-ms`, `grpc-timeout`) passed: journaled as over native gRPC. */
  #aborted(request: GrpcRequest, outcome: Outcome, context: HandlerContext, startedAt: number): ConnectError {
    const code = this.#answers.recordAborted(request, abortedOf(outcome), startedAt, context.timeoutMs());
    return code === 'DEADLINE_EXCEEDED'
      ? new ConnectError(`the client's deadline passed before ${request.operation} answered`, ConnectCode.DeadlineExceeded)
      : new ConnectError('the client cancelled the call', ConnectCode.Canceled);
  }

  /** A gRPC status as a ConnectError: same code and message, metadata as headers, `grpc-status-details-bin`'s details as error details. */
  #connectError(status: grpc.StatusObject): ConnectError {
    const headers = new globalThis.Headers();
    let details: { type: string; value: Uint8Array }[] = [];
    for (const [key, value] of Object.entries(status.metadata.getMap())) {
      if (key === STATUS_DETAILS_KEY && Buffer.isBuffer(value)) details = detailsOf(this.#protos, value);
      else headers.set(key, typeof value === 'string' ? value : encodeBinaryHeader(value));
    }
    const error = new ConnectError(status.details, status.code as number as ConnectCode, headers);
    error.details.push(...details);
    return error;
  }

  /** Journals a call Connect refused before any rule ran, with the status and message it sent. */
  recordRejected(path: string, contentType: string | undefined, answer: UniversalServerResponse, body: Buffer, startedAt: number): void {
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
    const request = new GrpcRequest(this.#serviceName, info, {}, undefined, [], [], writeUnary, undefined, wire);
    const reason = `refused before any rule ran: ${decodeURIComponent(message)}`;
    this.#engine.record(
      request,
      { kind: 'fault', rule: undefined, fault: makeFault(code ?? 'INVALID_ARGUMENT', reason) },
      { status: code ?? answer.status, ...(code && { code }), error: reason, startedAt },
    );
  }

  /** What a request to a path no loaded service has is told: what is served. */
  unknownMethodMessage(path: string): string {
    const served = [...this.#protos.methods.values()].map((m) => m.path);
    return `service "${this.#serviceName}" has no method ${path} over Connect or gRPC-Web; it serves ${served.join(', ')} (POST)`;
  }

  /** A call whose answer could not be written (the client left): the service's logger, at info. */
  undelivered(path: string, protocols: readonly string[], reason: unknown): void {
    this.#engine.logger.info(`the answer to ${path} over ${protocols.join('/')} was not delivered: ${String(reason)}`, { service: this.#serviceName });
  }
}

function bytesOf(desc: DescMessage, message: Message): Buffer {
  const bytes = toBinary(desc, message);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `google.rpc.Status.details` of `grpc-status-details-bin`, as Connect error details. */
function detailsOf(protos: LoadedProtos, bytes: Buffer): { type: string; value: Uint8Array }[] {
  const status = protos.statusType.toObject(protos.statusType.decode(bytes), { bytes: Array }) as {
    details?: { type_url?: string; typeUrl?: string; value?: number[] }[];
  };
  return (status.details ?? []).map((any) => {
    const url = any.type_url ?? any.typeUrl ?? '';
    return { type: url.slice(url.lastIndexOf('/') + 1), value: Uint8Array.from(any.value ?? []) };
  });
}

function wireOf(protocolName: string): GrpcWire {
  return protocolName === 'grpc-web' ? 'grpc-web' : protocolName === 'grpc' ? 'grpc' : 'connect';
}

/** Request headers as the handler's metadata (lower-case names, one value each), as over gRPC. */
function headersOf(headers: globalThis.Headers): Headers {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function setAll(target: globalThis.Headers, values: Readonly<Record<string, string>> | undefined): void {
  if (!values) return;
  for (const [key, value] of Object.entries(values)) target.set(key, String(value));
}

function parseJson(text: string): { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
