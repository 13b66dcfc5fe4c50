import { setTimeout } from 'node:timers';
import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import {
  type Adapter,
  type AdapterContext,
  type Code,
  displayPath,
  type Engine,
  type Fault,
  type Headers,
  isFault,
  makeFault,
  type Outcome,
  type Rule,
  type Service,
  type ServiceAddress,
  type ServiceServer,
  StreamMessages,
  sendPaced,
  tlsOf,
} from '@mockstack/core';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type protobuf from 'protobufjs';
import { AutoMocker } from './automock.js';
import { BadMessage, decoder, encode, ShapeError } from './codec.js';
import { grpcConfigOf, loadServiceProtos } from './config.js';
import { descriptorName } from './descriptors.js';
import { type LoadedProtos, type MethodInfo, protoFileDescriptors } from './protos.js';
import { GrpcRequest } from './request.js';
import { grpcStatusOfCode, metadataOf, statusOfFault } from './status.js';
import { streamOf } from './stream-body.js';
import { validateGrpcService } from './validate.js';
import type { GrpcWebServer } from './web.js';

/** How many messages an auto-mocked server stream sends. */
const AUTO_STREAM_LENGTH = 3;

/**
 * Serves the gRPC services of the model's proto files with @grpc/grpc-js, plus reflection and the
 * standard health service on the same port.
 */
export const grpcAdapter: Adapter = {
  protocol: 'grpc',
  validate: (service, model) => validateGrpcService(service, model),
  create: (service, context) => new GrpcServer(service, context),
};

type AnyCall =
  | grpc.ServerUnaryCall<unknown, Buffer>
  | grpc.ServerReadableStream<unknown, Buffer>
  | grpc.ServerWritableStream<unknown, Buffer>
  | grpc.ServerDuplexStream<unknown, Buffer>;
type Writable = grpc.ServerWritableStream<unknown, Buffer> | grpc.ServerDuplexStream<unknown, Buffer>;
type Ending = { kind: 'ok' } | { kind: 'status'; status: grpc.StatusObject; code: Code; error: string } | { kind: 'aborted' };

class GrpcServer implements ServiceServer {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #protos: LoadedProtos;
  readonly #server: grpc.Server;
  readonly #autoMock: boolean;
  readonly #configKey: string;
  readonly #mocker: AutoMocker;
  readonly #statuses = new WeakMap<Fault, grpc.StatusObject>();
  readonly #encoded = new WeakMap<object, Map<protobuf.Type, Buffer>>();
  /** Connect and gRPC-Web on the `web` port, when the service asks for it (made by listen()). */
  #web: GrpcWebServer | undefined;

  constructor(service: Service, { engine, limits }: AdapterContext) {
    this.#service = service;
    this.#engine = engine;
    const config = grpcConfigOf(service);
    this.#configKey = JSON.stringify(config);
    this.#autoMock = config.autoMock;
    this.#protos = loadServiceProtos(service, engine.model);
    this.#mocker = new AutoMocker(engine.seed);
    this.#server = new grpc.Server({
      'grpc.max_receive_message_length': config.maxMessageBytes,
      'grpc.max_concurrent_streams': limits.grpcMaxConcurrentStreams,
      ...(limits.idleTimeoutMs > 0 && { 'grpc.max_connection_idle_ms': limits.idleTimeoutMs }),
      interceptors: limits.grpcStreamIdleTimeoutMs > 0 ? [streamIdleTimeout(limits.grpcStreamIdleTimeoutMs)] : [],
    });

    for (const methods of this.#protos.services.values()) {
      const definition: Record<string, grpc.MethodDefinition<unknown, Buffer>> = {};
      const implementation: grpc.UntypedServiceImplementation = {};
      for (const method of methods) {
        definition[method.name] = {
          path: method.path,
          requestStream: method.requestStream,
          responseStream: method.responseStream,
          requestSerialize: (value: unknown) => value as Buffer,
          requestDeserialize: decoder(method.requestType),
          responseSerialize: (value: Buffer) => value,
          responseDeserialize: (value: Buffer) => value,
          originalName: method.name,
        };
        implementation[method.name] = this.#handlerFor(method);
      }
      this.#server.addService(definition as grpc.ServiceDefinition, implementation);
    }
    // A service the user's protos define (their own grpc/health/v1/health.proto, a reflection proto) is
    // served from those protos like any other and replaces the built-in one.
    const health = config.health && !this.#protos.services.has(HEALTH_SERVICE);
    if (config.reflection) {
      const files = [...this.#protos.fileDescriptorProtos(), ...(health ? healthDescriptors() : [])];
      // @grpc/reflection reads only `fileDescriptorProtos` of each entry.
      const definition: PackageDefinition = {
        mockstack: { format: 'Protocol Buffer 3 EnumDescriptorProto', type: {}, fileDescriptorProtos: files },
      };
      const reflection = new ReflectionService(definition);
      servedAsBuilt(reflection, files);
      reflection.addToServer({ addService: (d, i) => this.#addUnlessDefined(d, i) });
    }
    if (health) this.#addHealth();
  }

  /** Adds a built-in service unless the user's protos define one of the same name (served already). */
  #addUnlessDefined(definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void {
    const path = Object.values(definition)[0]?.path ?? '';
    if (this.#protos.services.has(path.slice(1, path.lastIndexOf('/')))) return;
    this.#server.addService(definition, implementation);
  }

  /**
   * grpc.health.v1.Health for the server ('') and each proto service: SERVING, or NOT_SERVING while
   * an active variant fails the whole service (`payments-down`), so that probes see what callers see.
   */
  #addHealth(): void {
    const names = ['', ...this.#protos.services.keys()];
    const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'SERVING' as const])));
    let current = 'SERVING';
    const refresh = (): void => {
      const down = this.#engine.variants.some((v) => this.#engine.model.variants.get(v)?.services.get(this.#service.name)?.fault);
      const status = down ? 'NOT_SERVING' : 'SERVING';
      if (status === current) return;
      current = status;
      for (const name of names) health.setStatus(name, status);
    };
    const server = this.#server;
    health.addToServer({
      addService: (definition, implementation) => {
        const wrap =
          (handler: grpc.UntypedHandleCall): grpc.UntypedHandleCall =>
          (...args: Parameters<grpc.handleUnaryCall<unknown, unknown>>) => {
            const [call, callback] = args;
            if (call.request instanceof UndecodableRequest) {
              const status = { code: grpc.status.INVALID_ARGUMENT, details: call.request.message };
              if (typeof callback === 'function') callback(status);
              else (call as unknown as grpc.ServerWritableStream<unknown, unknown>).emit('error', status);
              return;
            }
            refresh();
            (handler as (...a: unknown[]) => void)(...args);
          };
        const wrapped = Object.fromEntries(Object.entries(implementation).map(([name, handler]) => [name, wrap(handler)]));
        server.addService(tolerantDecoding(definition as grpc.ServiceDefinition), wrapped);
      },
    });
  }

  listen(): Promise<ServiceAddress> {
    dropBindFailureLine();
    const host = this.#service.host;
    const hostPort = `${host.includes(':') ? `[${host}]` : host}:${this.#service.port}`;
    const tls = tlsOf(this.#service.config, this.#service.name);
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }], false)
      : grpc.ServerCredentials.createInsecure();
    return new Promise<ServiceAddress>((resolve, reject) => {
      this.#server.bindAsync(hostPort, credentials, (error, port) => {
        if (error) {
          reject(error);
          return;
        }
        const url = `${tls ? 'grpcs' : 'grpc'}://${hostPort.replace(/:\d+$/, `:${port}`)}`;
        resolve({ name: this.#service.name, protocol: 'grpc', host, port, url, ...(tls?.caFile && { ca: tls.caFile }) });
      });
    }).then(async (address) => {
      const web = await this.#createWeb();
      return web ? { ...address, also: [await web.listen()] } : address;
    });
  }

  /** The Connect / gRPC-Web server of the `web` option; its libraries load only for a service that has one. */
  async #createWeb(): Promise<GrpcWebServer | undefined> {
    const config = grpcConfigOf(this.#service);
    if (!config.web) return undefined;
    const { GrpcWebServer } = await import('./web.js');
    this.#web = new GrpcWebServer(this.#service, config.web, config.maxMessageBytes, this.#engine, this.#protos, {
      contract: (method, request, rule, count) => this.#contractAnswer(method, request, rule, count),
      encodeAnswer: (method, outcome, message) => this.#encodeAnswer(method, outcome, message),
      shapeFault: (method, outcome, error) => this.#shapeFault(method, outcome, error),
      status: (fault) => this.#status(fault),
      finish: (request, outcome, startedAt, send, override) => this.#finish(request, outcome, startedAt, send, override),
    });
    return this.#web;
  }

  /** Lets calls finish for `graceMs` (a moment by default), then cuts the rest (open streams would hold a test or the CLI forever). */
  async close(graceMs = 500): Promise<void> {
    await this.#web?.close(graceMs);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#server.forceShutdown(), graceMs);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Rules are read from the engine per call; only new settings or changed proto files need a restart. */
  update(service: Service): boolean {
    if (JSON.stringify(grpcConfigOf(service)) !== this.#configKey) return false;
    try {
      // The loader caches by file set and modification times: the same object means unchanged protos.
      return loadServiceProtos(service, this.#engine.model) === this.#protos;
    } catch {
      return false;
    }
  }

  #handlerFor(method: MethodInfo): grpc.UntypedHandleCall {
    switch (method.kind) {
      case 'unary':
        return (call: grpc.ServerUnaryCall<unknown, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          const body = call.request;
          try {
            this.#unary(method, call, body, body instanceof BadMessage ? [] : [body], callback);
          } catch (error) {
            this.#crashed(method, call, error, (s) => callback(s));
          }
        };
      case 'client-streaming':
        return (call: grpc.ServerReadableStream<unknown, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          this.#clientStreaming(method, call, callback).catch((error: unknown) => this.#crashed(method, call, error, (s) => callback(s)));
        };
      case 'server-streaming':
        return (call: grpc.ServerWritableStream<unknown, Buffer>) => {
          this.#streaming(method, call, new Inbox([call.request])).catch((error: unknown) => this.#crashed(method, call, error, failOf(call)));
        };
      case 'bidi':
        return (call: grpc.ServerDuplexStream<unknown, Buffer>) => {
          this.#streaming(method, call, Inbox.of(call)).catch((error: unknown) => this.#crashed(method, call, error, failOf(call)));
        };
    }
  }

  /**
   * A bug or an answer grpc-js refuses (e.g. a metadata name with a space) must not take the
   * process down: the call ends INTERNAL saying why, it is journaled and logged, and serving goes on.
   */
  #crashed(method: MethodInfo, call: AnyCall, error: unknown, send: (status: grpc.StatusObject) => void): void {
    const message = `mockstack could not answer ${method.id}: ${error instanceof Error ? error.message : String(error)}`;
    try {
      send({ code: grpc.status.INTERNAL, details: message, metadata: new grpc.Metadata() });
    } catch {
      // The call is already over; the journal and the log still say what happened.
    }
    const fault = makeFault('INTERNAL', message);
    const request = this.#request(method, call, undefined, [], [], undefined);
    this.#engine.record(
      request,
      { kind: 'fault', rule: undefined, fault },
      { status: 'INTERNAL', code: 'INTERNAL', error: message, startedAt: performance.now() },
    );
    this.#engine.logger.error(message, { service: this.#service.name, stack: error instanceof Error ? error.stack : undefined });
  }

  /** `messages` is what the client sent: one message, or all of a client stream. */
  #unary(method: MethodInfo, call: AnyCall, body: unknown, messages: unknown[], callback: grpc.sendUnaryData<Buffer>, streamLog?: StreamMessages): void {
    const startedAt = performance.now();
    const request = this.#request(method, call, body, messages, messages, undefined);
    request.streamLog = streamLog;
    if (body instanceof BadMessage) {
      this.#finish(request, badRequest(body), startedAt, (s) => callback(s));
      return;
    }
    // Answered in the same tick when the engine can (sync responder, no delay): grpc-js then
    // writes the reply with the request's own flush.
    const outcome = this.#engine.handle(request, 'unruled');
    if (outcome instanceof Promise) {
      outcome
        .then(
          (o) => this.#answerUnary(method, call, request, o, startedAt, callback),
          (error: unknown) =>
            this.#answerUnary(
              method,
              call,
              request,
              { kind: 'fault', rule: undefined, fault: this.#shapeFault(method, { kind: 'aborted', rule: undefined }, error) },
              startedAt,
              callback,
            ),
        )
        .catch((error: unknown) => this.#crashed(method, call, error, (s) => callback(s)));
    } else this.#answerUnary(method, call, request, outcome, startedAt, callback);
  }

  #answerUnary(method: MethodInfo, call: AnyCall, request: GrpcRequest, result: Outcome, startedAt: number, callback: grpc.sendUnaryData<Buffer>): void {
    const outcome = result.kind === 'fallback' ? this.#contractAnswer(method, request, result.rule, 1) : result;
    // Gone during a delay (a call without a deadline has no abort signal; see #request).
    if (outcome.kind === 'aborted' || call.cancelled) {
      this.#recordAborted(
        request,
        outcome.kind === 'aborted' ? outcome : { kind: 'aborted', rule: 'rule' in outcome ? outcome.rule : undefined },
        call,
        startedAt,
      );
      return;
    }
    if (outcome.kind === 'fault' || outcome.kind === 'unmatched') {
      this.#finish(request, outcome, startedAt, (s) => callback(s));
      return;
    }
    const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
    let buffer: Buffer;
    let headers: grpc.Metadata | undefined;
    let trailers: grpc.Metadata | undefined;
    try {
      buffer = this.#encodeAnswer(method, outcome, reply ? reply.body : (outcome as { body: unknown }).body);
      // grpc-js refuses some metadata (a key with a space): found here, it is the rule's fault, not a crash.
      headers = reply?.headers ? metadataOf(reply.headers) : undefined;
      trailers = reply?.trailers ? metadataOf(reply.trailers) : undefined;
    } catch (error) {
      this.#finish(request, outcome, startedAt, (s) => callback(s), this.#wrongShape(method, outcome, error));
      return;
    }
    if (headers) call.sendMetadata(headers);
    callback(null, buffer, trailers);
    this.#engine.record(request, outcome, { status: 'OK', startedAt, messages: request.streamLog });
  }

  /**
   * Encodes an answer. A rule's static value (not a handler's return) is the same object on every
   * call, so its bytes are kept; handlers' answers may be live state and are encoded each time.
   */
  #encodeAnswer(method: MethodInfo, outcome: Outcome & { kind: 'body' | 'reply' }, message: unknown): Buffer {
    return typeof outcome.rule.respond === 'function' ? encode(method.responseType, message) : this.#encodeStatic(method, message);
  }

  #encodeStatic(method: MethodInfo, message: unknown): Buffer {
    if (typeof message !== 'object' || message === null) return encode(method.responseType, message);
    let byType = this.#encoded.get(message);
    const cached = byType?.get(method.responseType);
    if (cached) return cached;
    const buffer = encode(method.responseType, message);
    if (!byType) {
      byType = new Map();
      this.#encoded.set(message, byType);
    }
    byType.set(method.responseType, buffer);
    return buffer;
  }

  async #clientStreaming(method: MethodInfo, call: grpc.ServerReadableStream<unknown, Buffer>, callback: grpc.sendUnaryData<Buffer>): Promise<void> {
    const startedAt = performance.now();
    const inbox = Inbox.of(call);
    const bad = await inbox.drain();
    await cancelSettled();
    if (call.cancelled) {
      this.#recordAborted(this.#request(method, call, inbox.received, inbox.received, inbox, undefined), { kind: 'aborted', rule: undefined }, call, startedAt);
      return;
    }
    this.#unary(method, call, bad ?? inbox.received, inbox.received, callback, inbox.log);
  }

  async #streaming(method: MethodInfo, call: Writable, inbox: Inbox): Promise<void> {
    const startedAt = performance.now();
    const first = inbox.received[0];
    const fail = failOf(call);
    if (first instanceof BadMessage) {
      this.#finish(this.#request(method, call, first, inbox.received, inbox, undefined), badRequest(first), startedAt, fail);
      return;
    }
    const writer = new StreamWriter(call, method, inbox.log);
    const request = this.#request(method, call, method.kind === 'bidi' ? inbox.received : first, inbox.received, inbox, writer);
    let outcome = await this.#engine.handle(request, 'unruled');
    if (outcome.kind === 'fallback') outcome = this.#contractAnswer(method, request, outcome.rule, AUTO_STREAM_LENGTH);
    if (outcome.kind === 'aborted' || call.cancelled) {
      this.#recordAborted(request, outcome, call, startedAt);
      return;
    }
    if (outcome.kind === 'fault' || outcome.kind === 'unmatched') {
      this.#finish(request, outcome, startedAt, fail);
      return;
    }

    const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
    if (reply?.headers) call.sendMetadata(metadataOf(reply.headers));
    if (typeof outcome.rule.respond !== 'function') writer.encode = (message) => this.#encodeStatic(method, message);
    let ending: Ending;
    try {
      ending = await writer.writeAll(reply ? reply.body : outcome.kind === 'body' ? outcome.body : undefined, request.signal);
    } catch (error) {
      ending = this.#endingOf(method, outcome, error);
    }
    if (inbox.bad) ending = this.#endingOf(method, outcome, badRequest(inbox.bad).fault);
    if (method.kind === 'bidi') request.body = inbox.received;
    if (inbox.ended) await cancelSettled();
    if (ending.kind === 'aborted' || call.cancelled) {
      this.#recordAborted(request, { kind: 'aborted', rule: outcome.rule }, call, startedAt);
      return;
    }
    if (ending.kind === 'status') {
      fail(ending.status);
      this.#engine.record(request, outcome, { status: ending.code, code: ending.code, error: ending.error, startedAt, messages: request.streamLog });
      return;
    }
    call.end(reply?.trailers ? metadataOf(reply.trailers) : undefined);
    this.#engine.record(request, outcome, { status: 'OK', startedAt, messages: request.streamLog });
  }

  /** The contract's answer when no rule answered (see ContractDefault): the auto-mock, or UNIMPLEMENTED when auto-mocks are off. */
  #contractAnswer(method: MethodInfo, request: GrpcRequest, rule: Rule, count: number): Outcome & { kind: 'fault' | 'body' } {
    if (!this.#autoMock) {
      return {
        kind: 'fault',
        rule,
        fault: makeFault('UNIMPLEMENTED', `${method.id} is not implemented by service "${this.#service.name}" (auto-mocks are off)`),
      };
    }
    if (method.kind === 'unary' || method.kind === 'client-streaming') {
      return { kind: 'body', rule, body: this.#mocker.message(method.responseType, method.id, request.body) };
    }
    if (method.kind === 'bidi') {
      const mocker = this.#mocker;
      const body = (async function* () {
        let i = 0;
        for await (const message of request.incoming) yield mocker.message(method.responseType, method.id, message, i++);
      })();
      return { kind: 'body', rule, body };
    }
    return { kind: 'body', rule, body: Array.from({ length: count }, (_, i) => this.#mocker.message(method.responseType, method.id, request.body, i)) };
  }

  #wrongShape(method: MethodInfo, outcome: Outcome, error: unknown): grpc.StatusObject & { fault: Fault } {
    const fault = this.#shapeFault(method, outcome, error);
    return { ...this.#status(fault), fault };
  }

  #shapeFault(method: MethodInfo, outcome: Outcome, error: unknown): Fault {
    if (isFault(error)) return error;
    const rule =
      'rule' in outcome && outcome.rule
        ? ` of rule ${outcome.rule.id}${outcome.rule.source ? ` (${displayPath(outcome.rule.source.file)}:${outcome.rule.source.line})` : ''}`
        : '';
    if (error instanceof ShapeError) {
      return makeFault(
        'INTERNAL',
        `the handler${rule} answered ${method.id} with a message that is not a ${method.responseType.fullName.slice(1)}: ${error.message}`,
      );
    }
    return makeFault('INTERNAL', `the handler${rule} of ${method.id} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  #endingOf(method: MethodInfo, outcome: Outcome, error: unknown): Ending {
    const fault = this.#shapeFault(method, outcome, error);
    return { kind: 'status', status: this.#status(fault), code: fault.code, error: fault.message };
  }

  #status(fault: Fault): grpc.StatusObject {
    let status = this.#statuses.get(fault);
    if (!status) {
      try {
        status = statusOfFault(fault, this.#protos.root, this.#protos.statusType);
      } catch (error) {
        status = {
          code: grpc.status.INTERNAL,
          details: `cannot send fault ${fault.code}: its details or headers do not encode: ${(error as Error).message}`,
          metadata: new grpc.Metadata(),
        };
      }
      this.#statuses.set(fault, status);
    }
    // grpc-js may add to the metadata it sends; give each call its own copy.
    return { ...status, metadata: status.metadata.clone() };
  }

  /** Ends a call with a fault or an unmatched report, and journals it. */
  #finish(
    request: GrpcRequest,
    outcome: Outcome,
    startedAt: number,
    send: (status: grpc.StatusObject) => void,
    override?: grpc.StatusObject & { fault: Fault },
  ): void {
    let status: grpc.StatusObject;
    let fault: Fault;
    if (override) {
      status = override;
      fault = override.fault;
    } else if (outcome.kind === 'fault') {
      fault = outcome.fault;
      status = this.#status(fault);
    } else if (outcome.kind === 'unmatched') {
      const { miss } = outcome;
      const nearest = miss.nearest ? ` Nearest rule ${miss.nearest.rule}: ${miss.nearest.missed.join('; ')}.` : '';
      fault = makeFault('NOT_FOUND', `${miss.message}.${nearest} ${miss.hint}`);
      status = this.#status(fault);
      status.metadata.set('x-mockstack-unmatched', '1');
    } else return;
    send(status);
    // A fault whose details do not encode went out as INTERNAL (see #status); journal what was sent.
    const code = status.code === grpcStatusOfCode[fault.code] ? fault.code : 'INTERNAL';
    this.#engine.record(request, outcome, { status: code, code, error: status.details, startedAt, messages: request.streamLog });
  }

  #recordAborted(request: GrpcRequest, outcome: Outcome, call: AnyCall, startedAt: number): void {
    const deadline = call.getDeadline();
    // The client's own timer usually fires (and cancels) a little before ours: the server's deadline
    // counts from when the call arrived, which on a loaded machine can be well over 100 ms after the client
    // sent it. Within a tenth of the timeout (at least 250 ms) it is the deadline.
    const at = deadline === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : new Date(deadline).getTime();
    const timeout = at - (Date.now() - (performance.now() - startedAt));
    const passed = at !== Number.POSITIVE_INFINITY && Date.now() >= at - Math.max(250, timeout / 10);
    const code: Code = passed ? 'DEADLINE_EXCEEDED' : 'CANCELLED';
    const error = passed ? `the client's deadline passed before ${request.operation} answered` : 'the client cancelled the call';
    this.#engine.record(request, outcome, { status: code, code, error, startedAt, messages: request.streamLog });
  }

  #request(
    method: MethodInfo,
    call: AnyCall,
    body: unknown,
    messages: unknown[],
    incoming: AsyncIterable<unknown> | Iterable<unknown>,
    writer: StreamWriter | undefined,
  ): GrpcRequest {
    const write = writer
      ? (message: unknown) => {
          try {
            writer.write(message);
          } catch (error) {
            throw this.#shapeFault(method, { kind: 'aborted', rule: undefined }, error);
          }
        }
      : writeUnary;
    // Aborts the engine's delays at the deadline or when the client leaves. Made only when it can
    // matter (a deadline, or a stream), to keep a listener and an AbortController off the hot path;
    // a call cancelled without either is still journaled so (see #answerUnary).
    const signal = writer || call.getDeadline() !== Number.POSITIVE_INFINITY ? signalOf(call) : undefined;
    const request = new GrpcRequest(this.#service.name, method, headersOf(call.metadata), body, messages, incoming, write, signal);
    if (incoming instanceof Inbox) request.streamLog = incoming.log;
    return request;
  }
}

const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** A request of a built-in service whose bytes do not decode: its handler answers INVALID_ARGUMENT. */
class UndecodableRequest {
  constructor(readonly message: string) {}
}

/**
 * The definition with request decoding that never throws: grpc-js answers a decoding failure
 * INTERNAL (a server error), but bytes that are not the method's message are the client's mistake.
 */
function tolerantDecoding(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          try {
            return method.requestDeserialize(bytes);
          } catch (error) {
            return new UndecodableRequest(`the request is not a ${method.path} request message: ${error instanceof Error ? error.message : String(error)}`);
          }
        },
      },
    ]),
  );
}
let health: Buffer[] | undefined;
/**
 * @grpc/reflection 1.0.4 decodes each file descriptor and serves its own re-encoding, which drops what its
 * descriptor types do not know: the custom options (`(google.api.http)`…), encoded as extension fields.
 * Its per-file encodings (v1 and v1alpha) are replaced with the descriptors as built; a version that
 * renames that map serves its own again (the reflection test of custom options then fails).
 */
function servedAsBuilt(reflection: ReflectionService, files: readonly Uint8Array[]): void {
  const byName = new Map(files.map((file) => [descriptorName(file), file]));
  const internals = reflection as unknown as Record<'v1' | 'v1Alpha', { fileEncodings?: Map<{ name?: string }, Uint8Array> } | undefined>;
  for (const version of [internals.v1, internals.v1Alpha]) {
    const encodings = version?.fileEncodings;
    if (!(encodings instanceof Map)) continue;
    for (const file of encodings.keys()) {
      const built = file.name === undefined ? undefined : byName.get(file.name);
      if (built) encodings.set(file, built);
    }
  }
}

/** grpc.health.v1's file descriptor, so that reflection lists the built-in health service too. */
function healthDescriptors(): Buffer[] {
  health ??= protoFileDescriptors([healthProtoPath]).filter((file) => descriptorName(file) === 'health.proto');
  return health;
}

/**
 * A client that cancels a stream also ends its incoming side, and grpc-js marks the call cancelled a
 * tick later (both from the same socket event). Once the incoming side has ended, wait for those
 * ticks before telling a half-close (the call goes on, OK) from a cancellation (journaled CANCELLED).
 */
function cancelSettled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Ends a stream with a status (grpc-js turns an 'error' event into the status and trailers). */
function failOf(call: Writable): (status: grpc.StatusObject) => void {
  return (status) => {
    call.emit('error', { ...status, message: status.details });
  };
}

function badRequest(bad: BadMessage): Outcome & { kind: 'fault' } {
  return { kind: 'fault', rule: undefined, fault: makeFault('INVALID_ARGUMENT', bad.reason) };
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

function writeUnary(): never {
  throw makeFault('INTERNAL', 'this method answers with one message: return it instead of calling write()');
}

/** The messages a client sends, kept for the journal and readable as an async iterable by bidi handlers. */
class Inbox implements AsyncIterable<unknown> {
  readonly received: unknown[];
  bad: BadMessage | undefined;
  /** The call's messages both ways with their timing, for the journal (a stream's; see StreamWriter). */
  readonly log = new StreamMessages(performance.now());
  #ended = true;

  /** The client has stopped sending (half-close, cancellation or a bad message). */
  get ended(): boolean {
    return this.#ended;
  }
  #wake: (() => void) | undefined;

  constructor(messages: unknown[]) {
    this.received = messages;
  }

  static of(call: grpc.ServerReadableStream<unknown, Buffer> | grpc.ServerDuplexStream<unknown, Buffer>): Inbox {
    const inbox = new Inbox([]);
    inbox.#ended = false;
    const wake = (): void => {
      const w = inbox.#wake;
      inbox.#wake = undefined;
      w?.();
    };
    call.on('data', (message: unknown) => {
      if (message instanceof BadMessage) {
        inbox.bad ??= message;
        inbox.#ended = true;
      } else if (!inbox.#ended) {
        inbox.received.push(message);
        inbox.log.add('in', message);
      }
      wake();
    });
    const end = (): void => {
      inbox.#ended = true;
      wake();
    };
    call.once('end', end);
    call.once('cancelled', end);
    call.once('error', end);
    return inbox;
  }

  /** Waits for the client to finish sending; returns the malformed message if one came. */
  async drain(): Promise<BadMessage | undefined> {
    while (!this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.bad;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<unknown> {
    let index = 0;
    for (;;) {
      if (index < this.received.length) {
        yield this.received[index++];
        continue;
      }
      if (this.bad) throw badRequest(this.bad).fault;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/** Writes messages of a server or bidi stream in order, honouring backpressure, pauses and faults. */
class StreamWriter {
  readonly #call: Writable;
  readonly #log: StreamMessages;
  /** Encodes one message; the server swaps in a caching encoder for a rule's static items. */
  encode: (message: unknown) => Buffer;

  constructor(call: Writable, method: MethodInfo, log: StreamMessages) {
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

/**
 * Ends a call that sends and receives nothing for `ms` before the client ends its side (e.g. a client
 * that sent headers and never a message or an end of stream) with DEADLINE_EXCEEDED, so that it cannot
 * hold a stream forever. Once the client has ended its side, the scenario's pace is its own.
 *
 * On every call's path, so kept cheap: one object per call forwarding to grpc-js' own (no
 * ServerInterceptingCall with its closures), and one timer per server instead of one per call.
 */
function streamIdleTimeout(ms: number): grpc.ServerInterceptor {
  const watch = new IdleWatch(ms);
  return (_method, call) => new IdleWatchedCall(call, watch, ms) as unknown as grpc.ServerInterceptingCall;
}

type CallListener = Parameters<grpc.ServerInterceptingCallInterface['start']>[0];

/** Calls whose client has not ended its side, oldest activity first; ends those idle for `ms`. */
class IdleWatch {
  readonly #ms: number;
  /** Insertion order is activity order: a call active again is moved to the end. */
  readonly #since = new Map<IdleWatchedCall, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  touch(call: IdleWatchedCall): void {
    this.#since.delete(call);
    this.#since.set(call, performance.now());
    this.#timer ??= this.#schedule(this.#ms);
  }

  forget(call: IdleWatchedCall): void {
    this.#since.delete(call);
  }

  #schedule(delay: number): NodeJS.Timeout {
    // node:timers' own setTimeout: the runner wraps the global one for handlers' timers.
    return setTimeout(() => this.#sweep(), Math.ceil(delay)).unref();
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const [call, at] of this.#since) {
      const left = at + this.#ms - now;
      if (left > 0) {
        this.#timer = this.#schedule(left);
        return;
      }
      this.#since.delete(call);
      call.expire();
    }
  }
}

/** grpc-js' call with the idle watch, and the listener of its events: forwards everything, noting activity until the client ends its side. */
class IdleWatchedCall implements grpc.ServerInterceptingCallInterface, CallListener {
  readonly #next: grpc.ServerInterceptingCallInterface;
  readonly #watch: IdleWatch;
  readonly #ms: number;
  #listener: CallListener | undefined;
  #clientDone = false;

  constructor(next: grpc.ServerInterceptingCallInterface, watch: IdleWatch, ms: number) {
    this.#next = next;
    this.#watch = watch;
    this.#ms = ms;
  }

  start(listener: CallListener): void {
    this.#listener = listener;
    this.#watch.touch(this);
    // This object is grpc-js' listener too: no closures per call.
    this.#next.start(this);
  }

  onReceiveMetadata(metadata: grpc.Metadata): void {
    this.#listener?.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    if (!this.#clientDone) this.#watch.touch(this);
    this.#listener?.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    this.#stop();
    this.#listener?.onReceiveHalfClose();
  }

  onCancel(): void {
    this.#stop();
    this.#listener?.onCancel();
  }

  #stop(): void {
    this.#clientDone = true;
    this.#watch.forget(this);
  }

  expire(): void {
    this.sendStatus({
      code: grpc.status.DEADLINE_EXCEEDED,
      details: `mockstack: nothing sent or received on this call for ${this.#ms} ms (stream idle timeout, --grpc-stream-idle-timeout); the call is ended`,
    });
  }

  sendMetadata(metadata: grpc.Metadata): void {
    this.#next.sendMetadata(metadata);
  }

  sendMessage(message: unknown, callback: () => void): void {
    if (!this.#clientDone) this.#watch.touch(this);
    this.#next.sendMessage(message, callback);
  }

  sendStatus(status: Parameters<grpc.ServerInterceptingCallInterface['sendStatus']>[0]): void {
    this.#stop();
    this.#next.sendStatus(status);
  }

  startRead(): void {
    this.#next.startRead();
  }

  getPeer(): string {
    return this.#next.getPeer();
  }

  getDeadline(): grpc.Deadline {
    return this.#next.getDeadline();
  }

  getHost(): string {
    return this.#next.getHost();
  }

  getAuthContext(): ReturnType<grpc.ServerInterceptingCallInterface['getAuthContext']> {
    return this.#next.getAuthContext();
  }

  getConnectionInfo(): ReturnType<grpc.ServerInterceptingCallInterface['getConnectionInfo']> {
    return this.#next.getConnectionInfo();
  }

  getMetricsRecorder(): ReturnType<grpc.ServerInterceptingCallInterface['getMetricsRecorder']> {
    return this.#next.getMetricsRecorder();
  }
}

let bindFailureLineDropped = false;

/**
 * grpc-js prints "No address added out of total N resolved" itself when a port is taken, before
 * listen() turns the failure into one MOCKSTACK_ERR_PORT_IN_USE line; its logger (console by
 * default) is kept for everything else.
 */
function dropBindFailureLine(): void {
  if (bindFailureLineDropped) return;
  bindFailureLineDropped = true;
  grpc.setLogger({
    error: (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('No address added out of total')) return;
      console.error(...args);
    },
  });
}
