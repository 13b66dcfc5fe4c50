import {
  type Engine,
  escapeRegExp,
  type Headers,
  type Logger,
  StreamMessages,
  type UpstreamWebSocket,
  type WebSocketConnection,
  type WebSocketData,
  type WebSocketEndpoint,
} from '@mockstack/core';
import { connectionOutcome, protocolsOf, refusalOutcome, WebSocketRequest, websocketRule } from '@mockstack/rest/websocket-request';
import { type WebSocketHandler, type WebSocketHandlerConnection, ws } from 'msw';

/** 1011: the server met a condition that kept it from serving the connection (RFC 6455). */
const INTERNAL_ERROR = 1011;
/** 1006: what a browser's WebSocket reports for a handshake the server refused. */
const REFUSED = 1006;

/** A REST service's WebSocket endpoint (`rest({ webSocket })`) and where MSW takes its connections. */
export interface WebSocketService {
  service: string;
  endpoint: WebSocketEndpoint;
  /** The service's base URL (http: or https:). */
  base: URL;
}

/**
 * MSW's links by the URLs they take. Each `ws.link` adds a listener to msw's one BroadcastChannel that is
 * never taken away: a link per service, made anew by each `handlersFor`, passed node's 10 and printed a
 * MaxListenersExceededWarning. Handlers for the same URLs (the same scenario set up again) share one link.
 */
const links = new Map<string, ReturnType<typeof ws.link>>();

/**
 * The WebSocket endpoints of a scenario's REST services as one MSW WebSocket handler: it takes the
 * connections an app opens to a service's base URL (`ws://localhost:8090/…` for `http://localhost:8090`,
 * `wss://` for `https://`) and, for an endpoint written for an origin (`mswWebSocket(handlers, { origin })`),
 * to that origin; each is served by one service's endpoint (the one whose base URL is the longest below which
 * it is, else the one written for its origin) as `mockstack up` serves it (guarded,
 * journaled on close as `GET /path (WebSocket)`), over MSW's client and, for `server.connect()`, MSW's real
 * server. A connection to any other URL is not this handler's: MSW passes it to the real server (as its
 * `onUnhandledRequest` says for requests).
 */
export function webSocketHandlerOf(services: readonly WebSocketService[], engine: () => Promise<Engine>, logger: Logger): WebSocketHandler {
  const routes = services.map(({ service, endpoint, base }) => {
    const own = new URL(base.href);
    own.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const basePath = own.pathname.replace(/\/$/, '');
    const origin = endpoint.origin === undefined ? undefined : new URL(endpoint.origin).origin;
    return {
      service,
      endpoint,
      basePath,
      origin,
      below: new RegExp(`^${escapeRegExp(own.origin)}${escapeRegExp(basePath)}(?:/.*)?$`),
      atOrigin: origin === undefined ? undefined : new RegExp(`^${escapeRegExp(origin)}(?:/.*)?$`),
    };
  });
  const pattern = new RegExp(routes.flatMap((route) => [route.below.source, ...(route.atOrigin ? [route.atOrigin.source] : [])]).join('|'));
  let link = links.get(pattern.source);
  if (!link) {
    link = ws.link(pattern);
    links.set(pattern.source, link);
  }
  return link.addEventListener('connection', (connection) => {
    const asked = new URL(connection.client.url);
    // The service whose base URL is the longest below which the URL is, else the one written for its origin.
    let route: (typeof routes)[number] | undefined;
    for (const candidate of routes)
      if (candidate.below.test(asked.href) && (route === undefined || candidate.basePath.length > route.basePath.length)) route = candidate;
    route ??= routes.find((candidate) => candidate.atOrigin?.test(asked.href)) ?? (routes[0] as (typeof routes)[number]);
    // At the origin the code was written for, the whole path; at the service's base URL, the path below it.
    const path = route.below.test(asked.href) ? asked.pathname.slice(route.basePath.length) || '/' : asked.pathname;
    const session = new MswWebSocketSession(route.service, `${path}${asked.search}`, asked, connection, logger);
    const served = route.endpoint;
    engine().then(
      (ready) => session.serve(served, ready),
      (error: unknown) => session.refuse(undefined, 500, `the scenario did not compile: ${describeError(error)}`),
    );
  });
}

/** One connection MSW intercepted, served as a core WebSocketConnection. */
class MswWebSocketSession {
  readonly #service: string;
  readonly #url: string;
  readonly #asked: URL;
  readonly #msw: WebSocketHandlerConnection;
  readonly #logger: Logger;
  readonly #headers: Headers;
  /** The subprotocols the client offered. */
  readonly #protocols: string[];
  readonly #startedAt = performance.now();
  /** Messages the client sent before the endpoint's code listened, in order. */
  #early: WebSocketData[] | undefined = [];
  #listeners: ((data: WebSocketData) => void)[] = [];
  /** Messages in order: a Blob is read before the ones after it are handed on. */
  #received: Promise<void> = Promise.resolve();
  #closed: [number, string] | undefined;
  #closeListeners: ((code: number, reason: string) => void)[] = [];

  constructor(service: string, url: string, asked: URL, msw: WebSocketHandlerConnection, logger: Logger) {
    this.#service = service;
    this.#url = url;
    this.#asked = asked;
    this.#msw = msw;
    this.#logger = logger;
    const protocols = protocolsOf(msw.info.protocols);
    this.#protocols = protocols;
    // A browser's handshake carries no headers the page can see but these.
    this.#headers = { host: asked.host, ...(protocols.length > 0 && { 'sec-websocket-protocol': protocols.join(', ') }) };
    msw.client.addEventListener('message', (event) => {
      // Forwarded to the real server by the endpoint's code (when it connected one), not by MSW.
      event.preventDefault();
      const data = event.data as unknown;
      this.#received = this.#received.then(async () => this.#deliver(await webSocketDataOf(data)));
    });
    msw.client.addEventListener('close', (event) => {
      this.#closed ??= [event.code, event.reason];
      for (const listener of this.#closeListeners.splice(0)) listener(event.code, event.reason);
    });
  }

  #deliver(data: WebSocketData): void {
    if (this.#early) this.#early.push(data);
    else for (const listener of this.#listeners) listener(data);
  }

  /** From now on messages go to the listeners, those that came before first. */
  #flush(): void {
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const data of early) this.#deliver(data);
  }

  /** Journals a refused handshake and fails the client's connection as a browser reports a refused one. */
  refuse(engine: Engine | undefined, status: 404 | 500, message: string): void {
    const core = new WebSocketRequest(this.#service, this.#headers, this.#url);
    engine?.record(core, refusalOutcome(status, message), { status, startedAt: this.#startedAt, error: message });
    if (!engine) this.#logger.error(`service "${this.#service}": ${core.target}: ${message}`);
    // As a browser reports a refused handshake: an error event, then a close with 1006 (MSW's client connection holds the page's socket).
    (this.#msw.client as { socket?: EventTarget }).socket?.dispatchEvent(new Event('error'));
    this.#msw.client.close(REFUSED, message.slice(0, 120));
  }

  serve(endpoint: WebSocketEndpoint, engine: Engine): void {
    let serve: ((connection: WebSocketConnection) => void) | undefined;
    try {
      serve = endpoint(this.#url, this.#headers);
    } catch (error) {
      this.refuse(engine, 500, `the WebSocket endpoint failed: ${describeError(error)}`);
      return;
    }
    if (!serve) {
      this.refuse(engine, 404, `no WebSocket endpoint at ${this.#url.split('?')[0]} of service "${this.#service}"`);
      return;
    }
    const core = new WebSocketRequest(this.#service, this.#headers, this.#url);
    const rule = websocketRule(core.operation);
    const messages = new StreamMessages(this.#startedAt);
    const client = this.#msw.client;
    let failure: string | undefined;
    let journaled = false;
    const closeClient = (code: number, reason?: string) => client.close(code, reason);
    const connection: WebSocketConnection = {
      url: this.#url,
      headers: this.#headers,
      protocols: this.#protocols,
      send: (data) => {
        if (this.#closed) return;
        messages.add('out', typeof data === 'string' ? data : data.slice());
        client.send(typeof data === 'string' ? data : arrayBufferOf(data));
      },
      close: (code, reason) => closeClient(code ?? 1000, reason),
      onMessage: (listener) => {
        this.#listeners.push(listener);
      },
      onClose: (listener) => {
        if (this.#closed) listener(...this.#closed);
        else this.#closeListeners.push(listener);
      },
      fail: (error) => {
        failure ??= describeError(error);
        this.#logger.error(`service "${this.#service}": ${core.target}: ${failure}; the connection was closed with ${INTERNAL_ERROR}`);
        if (!this.#closed) closeClient(INTERNAL_ERROR, 'the mock failed: see its log');
      },
      run: (code) => engine.runGuarded(rule, core, code),
      connectUpstream: (url) => this.#upstream(url),
    };
    // The watchdog stopped a listener stuck in a loop: the connection fails with its message.
    core.answerLate = (outcome) => connection.fail(outcome.kind === 'fault' ? outcome.fault.message : 'the connection was stopped');
    this.#listeners.push((data) => messages.add('in', typeof data === 'string' ? data : data.slice()));
    connection.onClose(() => {
      if (journaled) return;
      journaled = true;
      engine.record(core, connectionOutcome(rule, failure), { status: 101, startedAt: this.#startedAt, messages, error: failure });
    });
    try {
      connection.run(() => serve(connection));
    } catch (error) {
      connection.fail(error);
    }
    // Messages that came while the scenario compiled go to the listeners the code just added.
    this.#flush();
  }

  /**
   * MSW's connection to the real server: only where the app connected (MSW opens no other address).
   * Messages and closes go on as the endpoint's code decides, not by MSW's defaults.
   */
  #upstream(url: string | undefined): UpstreamWebSocket {
    if (url !== undefined && new URL(url).href.replace(/\/$/, '') !== this.#asked.href.replace(/\/$/, '')) {
      throw new Error(
        `under MSW, server.connect() reaches only the address the app connected to (${this.#asked.href}), not ${url}: connect the app to the real origin, or serve the scenario with mockstack up`,
      );
    }
    const server = this.#msw.server;
    server.connect();
    const unprevented =
      <E extends Event>(listener: (event: E) => void) =>
      (event: E) => {
        event.preventDefault();
        listener(event);
      };
    return {
      send: (data) => server.send(typeof data === 'string' ? data : arrayBufferOf(data)),
      close: () => server.close(),
      onOpen: (listener) => server.addEventListener('open', () => listener()),
      onMessage: (listener) =>
        server.addEventListener(
          'message',
          unprevented((event: MessageEvent) => {
            const data = event.data as unknown;
            webSocketDataOf(data).then(listener, () => {});
          }),
        ),
      onClose: (listener) =>
        server.addEventListener(
          'close',
          unprevented((event: Event & { code: number; reason: string }) => listener(event.code, event.reason)),
        ),
      onError: (listener) =>
        server.addEventListener(
          'error',
          unprevented(() => listener(`${this.#asked.href}: the connection failed`)),
        ),
    };
  }
}

/** A message as the endpoint's code takes it: text, or the bytes of an ArrayBuffer, a view or a Blob. */
async function webSocketDataOf(data: unknown): Promise<WebSocketData> {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  return String(data);
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
