import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import {
  create,
  createFileRegistry,
  type DescMessage,
  type DescMethod,
  type FileRegistry,
  fromBinary,
  type Message,
  type Registry,
  toBinary,
} from '@bufbuild/protobuf';
import { type DescriptorProto, type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import {
  Code as ConnectCode,
  ConnectError,
  type ConnectRouter,
  cors as connectCors,
  createConnectRouter,
  createContextKey,
  createContextValues,
  encodeBinaryHeader,
  type HandlerContext,
} from '@connectrpc/connect';
import type { UniversalServerResponse } from '@connectrpc/connect/protocol';
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from '@connectrpc/connect-node';
import type * as grpc from '@grpc/grpc-js';
import {
  type Code,
  type Engine,
  ErrorCode,
  type Fault,
  type Headers,
  isCode,
  isFault,
  isLoopbackOrigin,
  MockstackError,
  makeFault,
  type Outcome,
  type Rule,
  type Service,
  type ServiceAddress,
  StreamMessages,
  sendPaced,
  type TlsMaterial,
  tlsOf,
} from '@mockstack/core';
import cors from 'cors';
import { BadMessage, decoder, encode } from './codec.js';
import type { GrpcWebConfig } from './config.js';
import type { LoadedProtos, MethodInfo } from './protos.js';
import { GrpcRequest, type GrpcWire } from './request.js';
import { grpcStatusOfCode, STATUS_DETAILS_KEY } from './status.js';
import { streamOf } from './stream-body.js';

/** How many messages an auto-mocked server stream sends (as over native gRPC). */
const AUTO_STREAM_LENGTH = 3;
/** The first bytes of every HTTP/2 connection (RFC 9113 §3.4): h2c with prior knowledge. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** Set when a call reached the service's implementation (and so the engine, which journals it). */
const CALL = createContextKey<{ ran: boolean }>({ ran: false }, { description: 'mockstack: the call reached the rules' });
/** gRPC status numbers by core Code. */
const CODE_OF_STATUS = new Map(Object.entries(grpcStatusOfCode).map(([code, status]) => [status as number, code as Code]));
/** Response headers a page may read, besides Connect's and gRPC-Web's own. */
const EXPOSED_HEADERS = ['retry-after', 'x-mockstack-unmatched'];

/**
 * What the gRPC server answers with, shared so that a call over Connect or gRPC-Web gets the same
 * contract answer, the same fault status (with its details) and the same journal entry as over gRPC.
 */
export interface GrpcAnswers {
  /** The auto-mock (or UNIMPLEMENTED) when no rule answered. */
  contract(method: MethodInfo, request: GrpcRequest, rule: Rule, count: number): Outcome & { kind: 'fault' | 'body' };
  /** Encodes a rule's answer (static answers cached); throws a ShapeError when it does not fit. */
  encodeAnswer(method: MethodInfo, outcome: Outcome & { kind: 'body' | 'reply' }, message: unknown): Buffer;
  /** A handler's throw or a wrong-shaped message as a Fault naming the rule. */
  shapeFault(method: MethodInfo, outcome: Outcome, error: unknown): Fault;
  /** The gRPC status of a Fault. */
  status(fault: Fault): grpc.StatusObject;
  /** Sends a fault or unmatched outcome through `send` and journals it (an override status replaces the outcome's). */
  finish(
    request: GrpcRequest,
    outcome: Outcome,
    startedAt: number,
    send: (status: grpc.StatusObject) => void,
    override?: grpc.StatusObject & { fault: Fault },
  ): void;
}

type WebHandler = (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => void;

/**
 * Connect (JSON and binary), gRPC-Web and gRPC for a gRPC service, on an HTTP port of its own, served
 * by the Connect project's Node server (`@connectrpc/connect-node`) from descriptors of the service's
 * .proto files. Each call goes through the same engine, rules, state, variants, faults and journal as a
 * native gRPC call. On a plain port, HTTP/1.1 (what browsers send to an http:// port) and HTTP/2 with prior
 * knowledge (h2c; client and bidi streaming) are told apart by the connection's first bytes; with the
 * service's `tls`, the same certificate serves h2 and HTTP/1.1, chosen by ALPN.
 */
export class GrpcWebServer {
  readonly #service: Service;
  readonly #config: GrpcWebConfig;
  readonly #engine: Engine;
  readonly #protos: LoadedProtos;
  readonly #answers: GrpcAnswers;
  readonly #tls: TlsMaterial | undefined;
  readonly #net: NetServer | Http2SecureServer;
  readonly #sockets = new Set<Socket>();

  constructor(service: Service, config: GrpcWebConfig, maxMessageBytes: number, engine: Engine, protos: LoadedProtos, answers: GrpcAnswers) {
    this.#service = service;
    this.#config = config;
    this.#engine = engine;
    this.#protos = protos;
    this.#answers = answers;
    this.#tls = tlsOf(service.config, service.name);
    const handler = withCors(config.cors, this.#connectHandler(descriptorRegistry(protos), maxMessageBytes));
    const track = (socket: Socket): void => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    };
    if (this.#tls) {
      this.#net = createSecureServer({ cert: this.#tls.cert, key: this.#tls.key, allowHTTP1: true }, handler);
      this.#net.on('connection', track);
      return;
    }
    const http1 = createHttp1Server(handler);
    const http2 = createHttp2Server(handler);
    this.#net = createNetServer((socket) => {
      track(socket);
      sniff(socket, (h2, connection) => (h2 ? http2 : http1).emit('connection', connection));
    });
  }

  listen(): Promise<ServiceAddress> {
    const host = this.#config.host ?? this.#service.host;
    return new Promise((resolve, reject) => {
      this.#net.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') return reject(error);
        const message = `service "${this.#service.name}" cannot listen on its web port ${host}:${this.#config.port}: the port is in use. Stop what uses it, or give \`web: { port }\` another port (0 picks a free one)`;
        reject(new MockstackError(ErrorCode.PortInUse, message, { cause: error }));
      });
      this.#net.listen(this.#config.port, host, () => {
        this.#net.removeAllListeners('error');
        const address = this.#net.address();
        const port = typeof address === 'object' && address ? address.port : this.#config.port;
        const url = `${this.#tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
        resolve({ name: this.#service.name, protocol: 'connect', host, port, url, ...(this.#tls?.caFile && { ca: this.#tls.caFile }) });
      });
    });
  }

  /** Stops accepting; connections still open after `graceMs` are cut. */
  close(graceMs = 0): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#net.listening) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        for (const socket of this.#sockets) socket.destroy();
      }, graceMs);
      this.#net.close(() => {
        clearTimeout(timer);
        resolve();
      });
      if (graceMs === 0) for (const socket of this.#sockets) socket.destroy();
    });
  }

  /**
   * connect-node's `connectNodeAdapter`, thin as it is, with two changes: a path that is no method gets a message
   * naming those served, and a call whose answer cannot be written (the client left) goes to the service's logger
   * at info, not to console.error.
   */
  #connectHandler(registry: Registry, maxMessageBytes: number): WebHandler {
    const router = createConnectRouter({ acceptCompression: [compressionGzip, compressionBrotli], readMaxBytes: maxMessageBytes });
    this.#routes(router, registry);
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

  #routes(router: ConnectRouter, registry: Registry): void {
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
      this.#service.name,
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
  #fail(request: GrpcRequest, outcome: Outcome, startedAt: number, override?: grpc.StatusObject & { fault: Fault }): ConnectError {
    let sent: grpc.StatusObject | undefined;
    this.#answers.finish(request, outcome, startedAt, (status) => (sent = status), override);
    return sent ? this.#connectError(sent) : new ConnectError('mockstack could not answer', ConnectCode.Internal);
  }

  /** The client cancelled, or its deadline (`connect-timeout-ms`, `grpc-timeout`) passed. */
  #aborted(request: GrpcRequest, outcome: Outcome, context: HandlerContext, startedAt: number): ConnectError {
    // A client usually gives up (and cuts the call) a little before the server's own timer fires: within a
    // tenth of the timeout (at least 250 ms) of the deadline, it is the deadline (as over native gRPC).
    const remaining = context.timeoutMs();
    const timeout = remaining === undefined ? undefined : remaining + (performance.now() - startedAt);

    const passed = remaining !== undefined && timeout !== undefined && remaining <= Math.max(250, timeout / 10);
    const code: Code = passed ? 'DEADLINE_EXCEEDED' : 'CANCELLED';
    const error = code === 'DEADLINE_EXCEEDED' ? `the client's deadline passed before ${request.operation} answered` : 'the client cancelled the call';
    this.#engine.record(request, outcome.kind === 'aborted' ? outcome : { kind: 'aborted', rule: 'rule' in outcome ? outcome.rule : undefined }, {
      status: code,
      code,
      error,
      startedAt,
      messages: request.streamLog,
    });
    return new ConnectError(error, code === 'DEADLINE_EXCEEDED' ? ConnectCode.DeadlineExceeded : ConnectCode.Canceled);
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

  /** A path no loaded service has: 404, which Connect and gRPC-Web clients read as `unimplemented`, with a message saying what is served. */
  #unknownMethod(request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse): void {
    const served = [...this.#protos.methods.values()].map((m) => m.path);
    const message = `service "${this.#service.name}" has no method ${request.url ?? '/'} over Connect or gRPC-Web; it serves ${served.join(', ')} (POST)`;
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ code: 'unimplemented', message }));
  }
}

/**
 * A @bufbuild/protobuf registry of every loaded file, built from the descriptors the reflection
 * service serves: what Connect serves from, and what a Connect client in a test can call with.
 */
export function descriptorRegistry(protos: LoadedProtos): FileRegistry {
  const files = protos.fileDescriptorProtos().map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  for (const file of files) for (const message of file.messageType) withJsonNames(message);
  const byName = new Map(files.map((file) => [file.name, file]));
  // Dependencies first: a file set is resolved in order.
  const ordered: FileDescriptorProto[] = [];
  const seen = new Set<string>();
  const visit = (file: FileDescriptorProto): void => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    for (const dependency of file.dependency) {
      const found = byName.get(dependency);
      if (found) visit(found);
    }
    ordered.push(file);
  };
  for (const file of files) visit(file);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
}

/**
 * protoc sets every field's json_name, and @bufbuild/protobuf reads JSON by it; the descriptors
 * reflection serves leave it out unless the .proto sets it, so it is filled in as protoc would.
 */
function withJsonNames(message: DescriptorProto): void {
  for (const field of message.field) field.jsonName ||= field.name.replace(/_+([^_])?/g, (_, next: string | undefined) => (next ?? '').toUpperCase());
  for (const nested of message.nestedType) withJsonNames(nested);
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

function badRequest(bad: BadMessage): Outcome & { kind: 'fault' } {
  return { kind: 'fault', rule: undefined, fault: makeFault('INVALID_ARGUMENT', bad.reason) };
}

function writeUnary(): never {
  throw makeFault('INTERNAL', 'this method answers with one message: return it instead of calling write()');
}

/** Messages of a stream (those a handler `write`s, the rule's items), handed to Connect in order. */
class Outbox {
  /** Messages not yet taken by Connect; `taken` says whether one was (false: the call ended first). */
  readonly #pending: { message: Message; taken?: ((taken: boolean) => void) | undefined }[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  push(message: Message): void {
    this.#pending.push({ message });
    this.#wake?.();
  }

  /** Pushes `message`; resolves true once Connect took it, false if the call ended first. */
  deliver(message: Message): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((taken) => {
      this.#pending.push({ message, taken });
      this.#wake?.();
    });
  }

  /** Yields what is pushed until `done` settles (whether it fulfils or rejects: its caller awaits it). */
  async *until(done: Promise<unknown>): AsyncGenerator<Message> {
    let settled = false;
    const settle = (): void => {
      settled = true;
      this.#wake?.();
    };
    done.then(settle, settle);
    for (;;) {
      yield* this.flush();
      if (settled) return;
      // yield* hops through microtasks: a message may have come since flush() saw none, with no one to wake.
      if (this.#pending.length) continue;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  *flush(): Generator<Message> {
    for (let next = this.#pending[0]; next; next = this.#pending[0]) {
      yield next.message;
      this.#pending.shift();
      next.taken?.(true);
    }
  }

  /** The call is over: what was waiting to be taken never will be. */
  close(): void {
    this.#closed = true;
    for (const { taken } of this.#pending.splice(0)) taken?.(false);
  }
}

/**
 * Hands a connection to HTTP/2 when it opens with the h2 preface, else to HTTP/1.1, with the bytes
 * read so far. Node's HTTP/2 reads a net.Socket's handle directly (bytes put back with `unshift` would
 * be lost), so it gets a stream over the socket instead.
 */
function sniff(socket: Socket, route: (h2: boolean, connection: Duplex) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const length = Math.min(seen.length, H2_PREFACE.length);
    const h2 = seen.subarray(0, length).equals(H2_PREFACE.subarray(0, length));
    if (h2 && length < H2_PREFACE.length) return; // could still be either: wait for more
    socket.off('data', onData);
    socket.pause();
    if (!h2) {
      socket.unshift(seen);
      route(false, socket);
      socket.resume();
      return;
    }
    const stream = new Duplex({
      read: () => socket.resume(),
      write: (data, encoding, callback) => socket.write(data, encoding, callback),
      final: (callback) => socket.end(callback),
      destroy: (error, callback) => {
        socket.destroy(error ?? undefined);
        callback(error);
      },
    });
    stream.push(seen);
    socket.on('data', (data: Buffer) => {
      if (!stream.push(data)) socket.pause();
    });
    socket.once('end', () => stream.push(null));
    socket.once('close', () => stream.destroy());
    route(true, stream);
  };
  socket.on('data', onData);
  socket.once('error', () => socket.destroy());
}

type CorsHandler = ReturnType<typeof cors>;

/** CORS for pages calling from another origin: loopback origins by default, as for REST and GraphQL services. */
function withCors(setting: GrpcWebConfig['cors'], next: WebHandler): WebHandler {
  if (setting === false) return next;
  const options = setting === true || setting === undefined ? {} : setting;
  const handler: CorsHandler = cors({
    origin: options.origins
      ? options.origins.includes('*')
        ? true
        : [...options.origins]
      : (origin, callback) => callback(null, origin !== undefined && isLoopbackOrigin(origin)),
    credentials: options.credentials ?? true,
    methods: [...connectCors.allowedMethods],
    exposedHeaders: [...connectCors.exposedHeaders, ...EXPOSED_HEADERS, ...(options.exposeHeaders ?? [])],
    maxAge: options.maxAge ?? 600,
  });
  return (request, response) => {
    if (request.headers.origin === undefined) return next(request, response);
    handler(request as IncomingMessage, response as ServerResponse, () => next(request, response));
  };
}
