import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Fault, isFault, makeFault, parseDuration, sendPaced, sleep } from '@mockstack/core';
import { destroyResponse } from '@mockstack/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ExecutionArgs, type ExecutionResult, execute, type GraphQLError, type GraphQLSchema } from 'graphql';
import { createHandler as createSseHandler } from 'graphql-sse/lib/use/fastify';
import type { WebSocketTransport } from './websocket-transport.js';

/** Marks `graphql.stream(...)` answers (the DSL makes them; see `GraphqlStream` there). */
export const STREAM = Symbol.for('mockstack.graphql.stream');
/** What `graphql.stream(events, init)` carries. */
export interface StreamSpec {
  items: Iterable<unknown> | AsyncIterable<unknown>;
  interval?: number | string | undefined;
  delay?: number | string | undefined;
  open?: boolean | undefined;
  /** Which published events this subscription takes (default: all of its field's). */
  accept?: ((event: unknown) => boolean) | undefined;
}

/** The auto-mocked stream of a Subscription field no rule answers (service option `subscriptions`). */
export interface AutoStreamSettings {
  events: number;
  intervalMs: number;
  open: boolean;
}

export const DEFAULT_AUTO_STREAM: AutoStreamSettings = { events: 3, intervalMs: 1000, open: false };

/** The n-th auto-mocked event: the field's resolver turns it into a value generated from the schema. */
export class AutoEvent {
  constructor(readonly index: number) {}
}

/** How one subscription is carried: which transport, and how to cut its connection (`fault.drop()`). */
export interface SubscriptionTransport {
  name: 'graphql-ws' | 'subscriptions-transport-ws' | 'graphql-sse' | 'multipart';
  drop(): void;
}

/** The events of one subscription, in the order they are to be sent (events, `AutoEvent`s and Faults). */
export function streamItemsOf(body: unknown): StreamSpec {
  const marked = (body as { [STREAM]?: StreamSpec } | null | undefined)?.[STREAM];
  if (marked) return marked;
  if (body === undefined || body === null) return { items: [] };
  if (Array.isArray(body) || (typeof body === 'object' && Symbol.asyncIterator in body)) return { items: body as Iterable<unknown> };
  return { items: [body] };
}

export function autoStream(settings: AutoStreamSettings): StreamSpec {
  return { items: Array.from({ length: settings.events }, (_, i) => new AutoEvent(i)), interval: settings.intervalMs, open: settings.open };
}

/**
 * One subscription's source stream (what graphql-js calls the source event stream): the rule's (or the
 * auto-mock's) events at their pace, merged with what handlers publish on the field's topic, until the
 * events run out (unless `open`), a Fault ends it, or the client leaves (`return()`).
 */
export class EventStream implements AsyncIterableIterator<unknown> {
  readonly #queue: unknown[] = [];
  readonly #controller: AbortController;
  readonly #unlisten: () => void;
  readonly #drop: () => void;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(spec: StreamSpec, controller: AbortController, listen: (push: (payload: unknown) => void) => () => void, drop: () => void) {
    this.#controller = controller;
    this.#drop = drop;
    const accept = spec.accept;
    this.#unlisten = listen((payload) => {
      if (!accept || accept(payload)) this.#push(payload);
    });
    void this.#produce(spec);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.#queue.length > 0) return { done: false, value: this.#queue.shift() };
      if (this.#ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** The client unsubscribed or went away: stop producing, stop listening. */
  return(): Promise<IteratorResult<unknown>> {
    this.#end();
    this.#queue.length = 0;
    this.#controller.abort();
    return Promise.resolve({ done: true, value: undefined });
  }

  #push(item: unknown): void {
    if (this.#ended) return;
    this.#queue.push(item);
    this.#wakeUp();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#unlisten();
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #produce(spec: StreamSpec): Promise<void> {
    const signal = this.#controller.signal;
    const interval = spec.interval === undefined ? 0 : (parseDuration(spec.interval) ?? 0);
    const delay = spec.delay === undefined ? 0 : (parseDuration(spec.delay) ?? 0);
    try {
      if (!(await sleep(delay, signal))) return;
      // Events at the pace of `grpc.stream`'s messages; a Fault event ends the subscription.
      const sentAll = await sendPaced(
        spec.items,
        interval,
        (item) => {
          if (this.#ended) return false;
          if (!isFault(item)) {
            this.#push(item);
            return true;
          }
          if (item.transport) this.#drop();
          else this.#push(item);
          this.#end();
          return false;
        },
        signal,
      );
      if (!sentAll) return;
    } catch (error) {
      // A scenario's async iterable threw: one error event, then the subscription ends.
      this.#push(makeFault('INTERNAL', `the subscription's event source failed: ${error instanceof Error ? error.message : String(error)}`));
      this.#end();
      return;
    }
    if (!spec.open) this.#end();
  }
}

/** A Fault event: what the subscription field's resolver throws (sent as a `next` with errors). */
export function faultEvent(item: unknown): Fault | undefined {
  return isFault(item) ? item : undefined;
}

/**
 * The response stream of a subscription whose source stream `onSubscribe` already created (so that a
 * failure to subscribe is answered as the protocol's error, not as an event): each event executed.
 */
export function responseStream(source: AsyncIterableIterator<unknown>, args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
  const run = async (next: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
    if (next.done) return { done: true, value: undefined };
    return { done: false, value: await execute({ ...args, rootValue: next.value }) };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => source.next().then(run),
    return: async () => {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}

/** What a transport hands the server: one GraphQL request, its headers and how to cut it. */
export interface StreamedParams {
  query: unknown;
  variables: unknown;
  operationName: unknown;
  extensions: unknown;
}

/** The server's side of the transports: prepares an operation, and hears each result sent. */
export interface SubscriptionHost {
  /** ExecutionArgs to run (with the source stream prepared), or the errors to answer at once. */
  prepare(params: StreamedParams, headers: IncomingMessage['headers'], transport: SubscriptionTransport): Promise<ExecutionArgs | readonly GraphQLError[]>;
  /** The operation's source stream, if `prepare` made one (subscriptions). */
  sourceOf(args: ExecutionArgs): AsyncIterableIterator<unknown> | undefined;
  /** The whole result an operation rule answered (`respond(result)`), sent as is instead of executing. */
  answeredOf(args: ExecutionArgs): ExecutionResult | undefined;
  /** A result is about to be sent (an event of a subscription, or a query's one result); `context` is the operation's contextValue. */
  sent(context: unknown, result: ExecutionResult): void;
}

/**
 * GraphQL over WebSocket (`graphql-ws`, subprotocol `graphql-transport-ws`, and the legacy
 * subscriptions-transport-ws, subprotocol `graphql-ws`), over SSE (`graphql-sse`,
 * both its distinct-connections and single-connection modes) and subscriptions over multipart HTTP,
 * at the service's GraphQL path.
 */
export class SubscriptionTransports {
  readonly #schema: GraphQLSchema;
  readonly #host: SubscriptionHost;
  readonly #operations: TransportOperations;
  /** Made on the first WebSocket upgrade: ws and graphql-ws load only for a client that asks for them. */
  #websocket: Promise<WebSocketTransport> | undefined;
  #closed = false;
  readonly #sse: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Event streams and multipart answers being written: they hold the server open until closed. */
  readonly #streamReplies = new Set<FastifyReply>();

  constructor(schema: GraphQLSchema, host: SubscriptionHost) {
    this.#schema = schema;
    this.#host = host;
    // Queries and mutations: an operation rule's whole result as is, else the schema's.
    const run = (args: ExecutionArgs) => host.answeredOf(args) ?? execute(args);
    const subscribe = async (args: ExecutionArgs) => {
      const source = host.sourceOf(args);
      return source ? responseStream(source, args) : run(args);
    };
    this.#operations = { subscribe, execute: run };
    this.#sse = createSseHandler({
      schema,
      onSubscribe: async (req, params) => {
        const reply = req.context.reply;
        const prepared = await host.prepare(
          { query: params.query, variables: params.variables, operationName: params.operationName, extensions: params.extensions },
          req.raw.headers,
          { name: 'graphql-sse', drop: () => destroyResponse(reply.raw) },
        );
        // graphql-sse types the context as its own; ours is the RequestContext prepare made.
        return (isErrors(prepared) ? { data: null, errors: prepared } : prepared) as never;
      },
      subscribe,
      execute: run,
      // graphql-sse hands onNext the operation's contextValue, which prepare set.
      onNext: (ctx, _req, result) => {
        host.sent(ctx, result as unknown as ExecutionResult);
      },
    });
  }

  /** A WebSocket upgrade at the GraphQL path; `refused` answers and journals one ws finds malformed. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, refused: HandshakeRefused): void {
    this.#websocket ??= import('./websocket-transport.js').then(({ WebSocketTransport }) => new WebSocketTransport(this.#schema, this.#host, this.#operations));
    this.#websocket.then(
      (websocket) => {
        if (this.#closed) socket.destroy();
        else websocket.upgrade(request, socket, head, refused);
      },
      () => socket.destroy(),
    );
  }

  /** A graphql-sse request (an `accept: text/event-stream` POST or GET, or a single-connection PUT/DELETE/POST). */
  async sse(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    this.#streamReplies.add(reply);
    try {
      await this.#sse(request, reply);
    } catch (error) {
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        reply.raw.end(JSON.stringify({ errors: [{ message: `mockstack: ${error instanceof Error ? error.message : String(error)}` }] }));
      } else destroyResponse(reply.raw);
    } finally {
      this.#streamReplies.delete(reply);
    }
  }

  /**
   * A subscription over multipart HTTP, Apollo Client's HttpLink's way (`accept: multipart/mixed;
   * subscriptionSpec=1.0`): a `{"payload": result}` JSON part per event and a `{}` part every
   * MULTIPART_HEARTBEAT_MS, then the closing boundary when the subscription ends. A subscription
   * refused (a bad document, a fault) is one part with the errors.
   */
  async multipart(request: FastifyRequest, reply: FastifyReply, params: StreamedParams): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    this.#streamReplies.add(reply);
    let events: AsyncIterableIterator<ExecutionResult> | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    const left = () => void events?.return?.();
    raw.once('close', left);
    try {
      const prepared = await this.#host.prepare(params, request.raw.headers, { name: 'multipart', drop: () => destroyResponse(raw) });
      if (raw.destroyed) return;
      raw.writeHead(200, { 'content-type': MULTIPART_TYPE, 'cache-control': 'no-cache', connection: 'keep-alive' });
      raw.write(MULTIPART_DELIMITER);
      if (isErrors(prepared)) {
        raw.end(multipartPart({ payload: { errors: prepared.map((error) => error.toJSON()) } }) + MULTIPART_CLOSE);
        return;
      }
      const source = this.#host.sourceOf(prepared);
      if (!source) {
        // Not a subscription after all (the transport is chosen for subscriptions): its one result.
        const result = this.#host.answeredOf(prepared) ?? (await execute(prepared));
        this.#host.sent(prepared.contextValue, result);
        raw.end(multipartPart({ payload: result }) + MULTIPART_CLOSE);
        return;
      }
      events = responseStream(source, prepared);
      if (raw.destroyed) void events.return?.();
      heartbeat = setInterval(() => raw.write(multipartPart({})), MULTIPART_HEARTBEAT_MS);
      for await (const result of events) {
        this.#host.sent(prepared.contextValue, result);
        raw.write(multipartPart({ payload: result }));
      }
      if (!raw.destroyed) raw.end(MULTIPART_CLOSE);
    } catch (error) {
      if (!raw.headersSent) {
        raw.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        raw.end(JSON.stringify({ errors: [{ message: `mockstack: ${error instanceof Error ? error.message : String(error)}` }] }));
      } else destroyResponse(raw);
    } finally {
      clearInterval(heartbeat);
      raw.off('close', left);
      this.#streamReplies.delete(reply);
    }
  }

  /** Closes every WebSocket (1001 Going away), event stream and multipart answer. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const reply of this.#streamReplies) reply.raw.destroy();
    const websocket = await this.#websocket?.catch(() => undefined);
    await websocket?.close();
  }
}

/** How a transport runs an operation that `SubscriptionHost.prepare` made ready. */
/** Answers (and journals) a WebSocket handshake the `ws` library found malformed (see `malformedHandshake`). */
export type HandshakeRefused = (socket: Duplex, error: Error) => void;

export interface TransportOperations {
  subscribe(args: ExecutionArgs): Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  execute(args: ExecutionArgs): ExecutionResult | Promise<ExecutionResult>;
}

const MULTIPART_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"';
/**
 * Each part is written with the delimiter that ends it (a client hands a part on once that came), so
 * the answer starts with a delimiter and ends with `--` after the last one (RFC 2046's close delimiter).
 */
const MULTIPART_DELIMITER = '\r\n--graphql';
const MULTIPART_CLOSE = '--\r\n';
/** Apollo Router's interval: proxies and clients see the answer is alive. */
const MULTIPART_HEARTBEAT_MS = 5000;

/** One JSON part of a multipart answer, and the delimiter after it. */
function multipartPart(body: unknown): string {
  return `\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify(body)}${MULTIPART_DELIMITER}`;
}

/** Whether what `SubscriptionHost.prepare` gave is the errors to answer, not an operation to run. */
export function isErrors(value: unknown): value is readonly GraphQLError[] {
  return Array.isArray(value);
}

/** Media types of a GraphQL answer as JSON (GraphQL over HTTP), and the ranges that include them. */
const JSON_ANSWER_TYPES = new Set(['application/graphql-response+json', 'application/json', 'application/graphql+json', 'application/*', '*/*']);

/** The media types an accept header lists, lower-cased, without their parameters; those with q=0 left out. */
function acceptedTypes(accept: string): string[] {
  const types: string[] = [];
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';');
    if (parameters.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/i.test(p))) continue;
    types.push(type.trim().toLowerCase());
  }
  return types;
}

/** How a request at the GraphQL path is answered: GraphQL over HTTP, graphql-sse, or a multipart subscription. */
export type HttpTransport = 'http' | 'sse' | 'multipart';

/**
 * How to answer a request at the GraphQL path. `isSubscription` says whether its operation is a
 * subscription: a client that accepts JSON beside an event stream or multipart (urql sends
 * `application/graphql-response+json, application/graphql+json, application/json, text/event-stream,
 * multipart/mixed` with every operation; Apollo Client's HttpLink `multipart/mixed;boundary=graphql;
 * subscriptionSpec=1.0,application/json` with a subscription) gets a stream for a subscription only.
 * An event stream is preferred when both are accepted.
 */
export function transportOf(request: FastifyRequest, isSubscription: () => boolean): HttpTransport {
  const headers = request.headers;
  if (request.method === 'PUT' || request.method === 'DELETE') return 'sse';
  if (headers['x-graphql-event-stream-token'] !== undefined) return 'sse';
  const query = request.query as Record<string, unknown> | undefined;
  if (request.method === 'GET' && typeof query?.token === 'string') return 'sse';
  const accept = headers.accept;
  if (typeof accept !== 'string' || (!accept.includes('text/event-stream') && !accept.includes('multipart/mixed'))) return 'http';
  if (accept === 'text/event-stream') return 'sse';
  const types = acceptedTypes(accept);
  const eventStream = types.includes('text/event-stream');
  const json = types.some((type) => JSON_ANSWER_TYPES.has(type));
  if ((json || !eventStream) && !isSubscription()) return 'http';
  if (eventStream) {
    // graphql-sse streams a distinct connection's operation only for `accept: text/event-stream` exactly
    // (anything else it takes for its single-connection mode, and answers "Stream not found").
    headers.accept = 'text/event-stream';
    return 'sse';
  }
  return types.includes('multipart/mixed') ? 'multipart' : 'http';
}
