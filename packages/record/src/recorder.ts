import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { decodeBody, ErrorCode, forwardHttp, MockstackError } from '@mockstack/core';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery, printSchema } from 'graphql';
import { type EmitOptions, type EmitResult, emitScenario } from './emit.js';
import { draftsFromExchanges, type Exchange, type GrpcExchange, type HttpExchange } from './exchanges.js';

/** A real service to record: `http(s)://host:port[/base]` (REST and GraphQL) or `grpc://host:port` (with protos). */
export interface RecordTarget {
  url: string;
  /** Service name in the scenario (default: from the host). */
  name?: string | undefined;
  /** Port the recording proxy listens on (default 0: a free one). */
  port?: number | undefined;
}

export interface RecorderOptions {
  targets: readonly RecordTarget[];
  /** .proto files describing the gRPC targets' services (required with a grpc:// target). */
  protos?: readonly string[] | undefined;
  /** Where proto imports are looked up. */
  includeDirs?: readonly string[] | undefined;
  /** Host the proxies bind to (default 127.0.0.1). */
  host?: string | undefined;
}

export interface RecordingProxy {
  name: string;
  protocol: 'http' | 'grpc';
  target: string;
  /** Where clients send their requests instead of the real service. */
  url: string;
  port: number;
}

/** Options for proto-loader: messages as written in a scenario (only the fields set, enums by name, 64-bit integers as strings). */
const PROTO_OPTIONS = { keepCase: false, longs: String, enums: String, bytes: String, defaults: false, oneofs: false, includeDirs: [] as string[] };

/**
 * Proxies in front of real services that keep every exchange: an HTTP proxy per `http(s)://`
 * target (REST and GraphQL over HTTP), a gRPC server per `grpc://` target serving the protos'
 * services and calling the real one. `stop()` closes them; `exchanges` and `graphqlSchemas()` then
 * feed `draftsFromExchanges`.
 */
export class Recorder {
  readonly exchanges: Exchange[] = [];
  /** Problems met while recording (an answer that is not text or JSON…), for the scenario's comment. */
  readonly warnings: string[] = [];
  readonly proxies: RecordingProxy[] = [];
  readonly #http: Server[] = [];
  readonly #grpc: grpc.Server[] = [];
  readonly #clients: grpc.Client[] = [];
  readonly #options: RecorderOptions;

  private constructor(options: RecorderOptions) {
    this.#options = options;
  }

  /** Starts one proxy per target. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    if (options.targets.length === 0) throw new MockstackError(ErrorCode.RecordTarget, 'nothing to record: give --target http://host:port (repeatable)');
    const recorder = new Recorder(options);
    try {
      const names = new Set<string>();
      for (const target of options.targets) {
        const url = parseTarget(target.url);
        let name = target.name ?? serviceNameOf(url.hostname);
        if (!target.name && names.has(name)) name = `${name}${url.port}`;
        names.add(name);
        if (url.protocol === 'grpc:') await recorder.#startGrpc(name, url, target.port ?? 0);
        else await recorder.#startHttp(name, target.url.replace(/\/+$/, ''), target.port ?? 0);
      }
    } catch (error) {
      await recorder.stop();
      throw error;
    }
    return recorder;
  }

  /** Stops every proxy (calls in flight finish first). */
  async stop(): Promise<void> {
    for (const client of this.#clients) client.close();
    await Promise.all([
      ...this.#http.map(
        (server) =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      ),
      ...this.#grpc.map((server) => new Promise<void>((done) => server.tryShutdown(() => done()))),
    ]);
  }

  /**
   * The SDL of each GraphQL endpoint the HTTP exchanges called, asked of the real service by
   * introspection (service → path → SDL). An endpoint that refuses introspection is a warning; its
   * exchanges are then written as REST rules.
   */
  async graphqlSchemas(): Promise<Map<string, Map<string, string>>> {
    const schemas = new Map<string, Map<string, string>>();
    const endpoints = new Set<string>();
    for (const e of this.exchanges) {
      if (e.protocol === 'http' && isGraphqlRequest(e)) endpoints.add(JSON.stringify([e.service, e.path]));
    }
    for (const key of endpoints) {
      const [service, path] = JSON.parse(key) as [string, string];
      const proxy = this.proxies.find((p) => p.name === service);
      if (!proxy) continue;
      try {
        const answer = await forwardHttp(proxy.target, {
          method: 'POST',
          url: path,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query: getIntrospectionQuery() }),
        });
        const result = (answer.body ?? {}) as { data?: IntrospectionQuery };
        if (!result.data) throw new Error(`it answered ${answer.status} without data`);
        const sdl = printSchema(buildClientSchema(result.data));
        schemas.set(service, (schemas.get(service) ?? new Map()).set(path, sdl));
      } catch (error) {
        this.warnings.push(
          `GraphQL endpoint ${proxy.target}${path}: introspection failed (${(error as Error).message}); its requests are written as REST rules`,
        );
      }
    }
    return schemas;
  }

  async #startHttp(name: string, target: string, port: number): Promise<void> {
    const server = createServer((request, response) => void this.#proxyHttp(name, target, request, response));
    this.#http.push(server);
    const address = await listen(server, port, this.#options.host ?? '127.0.0.1');
    this.proxies.push({ name, protocol: 'http', target, url: `http://${hostOf(address)}:${address.port}`, port: address.port });
  }

  async #proxyHttp(service: string, target: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://recorder');
    const method = request.method ?? 'GET';
    let answer: Awaited<ReturnType<typeof forwardHttp>>;
    try {
      answer = await forwardHttp(target, { method, url: request.url ?? '/', headers: request.headers, body: raw.length ? raw : undefined });
    } catch (error) {
      const message = `mockstack record: ${target} did not answer ${method} ${url.pathname}: ${(error as Error).cause ?? (error as Error).message}`;
      this.warnings.push(message);
      response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
      return;
    }
    for (const [header, value] of Object.entries(answer.headers)) response.setHeader(header, header === 'set-cookie' ? value.split('\n') : value);
    response.writeHead(answer.status).end(answer.raw);
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? (all[0] as string) : all;
    }
    const exchange: HttpExchange = {
      protocol: 'http',
      service,
      method,
      path: url.pathname,
      query,
      headers: { ...request.headers },
      response: { status: answer.status, headers: answer.headers },
    };
    const contentType = request.headers['content-type'];
    const body = decodeBody(raw, Array.isArray(contentType) ? contentType[0] : contentType);
    if (body instanceof Uint8Array || answer.body instanceof Uint8Array) {
      this.warnings.push(`${method} ${url.pathname}: a binary body (${answer.headers['content-type'] ?? 'no content type'}) is not recorded`);
      return;
    }
    if (body !== undefined) exchange.body = body;
    if (answer.body !== undefined) exchange.response.body = answer.body;
    this.exchanges.push(exchange);
  }

  async #startGrpc(name: string, target: URL, port: number): Promise<void> {
    const protos = (this.#options.protos ?? []).map((p) => resolve(p));
    if (protos.length === 0) {
      throw new MockstackError(ErrorCode.RecordTarget, `--target ${target.href} is gRPC: name the .proto files of its services with --proto protos/x.proto`);
    }
    const includeDirs = [...new Set([...(this.#options.includeDirs ?? []).map((d) => resolve(d)), ...protos.map((p) => dirname(p))])];
    let definition: PackageDefinition;
    try {
      definition = loadSync(protos, { ...PROTO_OPTIONS, includeDirs });
    } catch (error) {
      throw new MockstackError(ErrorCode.ContractLoad, `cannot load ${protos.join(', ')}: ${(error as Error).message}`);
    }
    const server = new grpc.Server();
    const client = new grpc.Client(target.host, grpc.credentials.createInsecure());
    this.#clients.push(client);
    for (const [serviceName, value] of Object.entries(definition)) {
      if (!isServiceDefinition(value)) continue;
      const handlers: grpc.UntypedServiceImplementation = {};
      for (const [methodName, method] of Object.entries(value)) {
        const record = (request: unknown, metadata: grpc.Metadata, answer: GrpcExchange['response']): void => {
          this.exchanges.push({
            protocol: 'grpc',
            service: name,
            proto: protos[0] as string,
            includeDirs,
            method: `${serviceName}/${methodName}`,
            responseStreaming: method.responseStream,
            requestStreaming: method.requestStream,
            metadata: metadata.getMap() as Record<string, string>,
            request,
            response: answer,
          });
        };
        handlers[methodName] = grpcForwarder(client, method, record);
      }
      server.addService(value, handlers);
    }
    this.#grpc.push(server);
    const host = this.#options.host ?? '127.0.0.1';
    const bound = await new Promise<number>((done, fail) =>
      server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? fail(error) : done(p))),
    );
    this.proxies.push({ name, protocol: 'grpc', target: target.href, url: `grpc://${host}:${bound}`, port: bound });
  }
}

type Record_ = (request: unknown, metadata: grpc.Metadata, answer: GrpcExchange['response']) => void;

/** A server handler that makes the same call on the real service and records both sides. */
function grpcForwarder(client: grpc.Client, method: grpc.MethodDefinition<object, object>, record: Record_): grpc.UntypedHandleCall {
  const { path, requestSerialize, responseDeserialize } = method;
  const serialize = requestSerialize as (value: object) => Buffer;
  const deserialize = responseDeserialize as (bytes: Buffer) => object;
  const failed = (error: grpc.ServiceError): GrpcExchange['response'] => ({
    status: grpc.status[error.code] ?? 'UNKNOWN',
    message: error.details,
    messages: [],
  });
  if (!method.requestStream && !method.responseStream) {
    return ((call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      client.makeUnaryRequest(path, serialize, deserialize, call.request, call.metadata, (error, value) => {
        record(call.request, call.metadata, error ? failed(error) : { status: 'OK', messages: [value ?? {}] });
        callback(error, value);
      });
    }) as grpc.handleUnaryCall<object, object>;
  }
  if (!method.requestStream) {
    return ((call: grpc.ServerWritableStream<object, object>) => {
      const messages: object[] = [];
      const upstream = client.makeServerStreamRequest(path, serialize, deserialize, call.request, call.metadata);
      upstream.on('data', (message: object) => {
        messages.push(message);
        call.write(message);
      });
      upstream.on('error', (error: grpc.ServiceError) => {
        record(call.request, call.metadata, { ...failed(error), messages });
        call.destroy(error);
      });
      upstream.on('end', () => {
        record(call.request, call.metadata, { status: 'OK', messages });
        call.end();
      });
    }) as grpc.handleServerStreamingCall<object, object>;
  }
  if (!method.responseStream) {
    return ((call: grpc.ServerReadableStream<object, object>, callback: grpc.sendUnaryData<object>) => {
      const requests: object[] = [];
      const upstream = client.makeClientStreamRequest(path, serialize, deserialize, call.metadata, (error, value) => {
        record(requests, call.metadata, error ? failed(error) : { status: 'OK', messages: [value ?? {}] });
        callback(error, value);
      });
      call.on('data', (message: object) => {
        requests.push(message);
        upstream.write(message);
      });
      call.on('end', () => upstream.end());
    }) as grpc.handleClientStreamingCall<object, object>;
  }
  return ((call: grpc.ServerDuplexStream<object, object>) => {
    const requests: object[] = [];
    const messages: object[] = [];
    const upstream = client.makeBidiStreamRequest(path, serialize, deserialize, call.metadata);
    call.on('data', (message: object) => {
      requests.push(message);
      upstream.write(message);
    });
    call.on('end', () => upstream.end());
    upstream.on('data', (message: object) => {
      messages.push(message);
      call.write(message);
    });
    upstream.on('error', (error: grpc.ServiceError) => {
      record(requests, call.metadata, { ...failed(error), messages });
      call.destroy(error);
    });
    upstream.on('end', () => {
      record(requests, call.metadata, { status: 'OK', messages });
      call.end();
    });
  }) as grpc.handleBidiStreamingCall<object, object>;
}

function isServiceDefinition(value: unknown): value is grpc.ServiceDefinition {
  if (typeof value !== 'object' || value === null || 'format' in value) return false;
  const first = Object.values(value)[0] as { path?: unknown } | undefined;
  return typeof first?.path === 'string';
}

function isGraphqlRequest(exchange: HttpExchange): boolean {
  const body = exchange.body as { query?: unknown } | undefined;
  return (exchange.method === 'POST' && typeof body?.query === 'string') || (exchange.method === 'GET' && typeof exchange.query.query === 'string');
}

/** `api.example.test` → `api`; an address or localhost → `api`. */
function serviceNameOf(hostname: string): string {
  if (hostname === 'localhost' || /^[\d.]+$/.test(hostname) || hostname.startsWith('[')) return 'api';
  return hostname.split('.')[0] || 'api';
}

function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new MockstackError(ErrorCode.RecordTarget, `--target ${target} is not a URL: give http://host:port, https://host or grpc://host:port`);
  }
  if (!['http:', 'https:', 'grpc:'].includes(url.protocol)) {
    throw new MockstackError(ErrorCode.RecordTarget, `--target ${target}: ${url.protocol} is not recorded; give http://, https:// or grpc://`);
  }
  return url;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done(server.address() as AddressInfo);
    });
  });
}

function hostOf(address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

/**
 * What the recorder kept, as a scenario file: GraphQL endpoints' schemas are asked of the real
 * services first, then the exchanges become rules (see `draftsFromExchanges`) written by `emitScenario`.
 */
export async function writeRecording(recorder: Recorder, options: Omit<EmitOptions, 'origin'>): Promise<EmitResult> {
  const graphqlSchemas = await recorder.graphqlSchemas();
  const draft = draftsFromExchanges(recorder.exchanges, { redact: options.redact, graphqlSchemas });
  draft.untranslated.unshift(...recorder.warnings);
  const targets = recorder.proxies.map((p) => p.target).join(', ');
  return emitScenario(draft, { ...options, origin: `\`mockstack record\` from ${recorder.exchanges.length} exchange(s) with ${targets}` });
}
