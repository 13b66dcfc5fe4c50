import type { Headers, UpstreamWebSocket, WebSocketConnection, WebSocketData, WebSocketEndpoint } from '@mockstack/core';

/**
 * An MSW 2.x WebSocket handler (`ws.link(url).addEventListener('connection', …)`), as mockstack uses
 * it: its own `test` and `run`, so no `msw` is imported here and the handlers' own copy does the
 * matching and calls their listeners.
 */
export interface MswWebSocketHandler {
  readonly kind: 'websocket';
  test(url: string | URL, resolutionContext?: { baseUrl?: string }): boolean;
  run(
    connection: { client: unknown; server: unknown; info: { protocols: string | string[] | undefined } },
    resolutionContext?: { baseUrl?: string },
  ): Promise<unknown>;
}

/** How `mswWebSocket` shows connections to the handlers. */
export interface MswWebSocketOptions {
  /**
   * The origin the handlers were written for (`wss://chat.example.com`; an `https://` one is taken as
   * `wss://`): each handshake is shown to them as sent there, so that
   * `ws.link('wss://chat.example.com/rooms/:room')` serves `ws://localhost:8090/rooms/42`. Default:
   * the address the handshake was sent to.
   */
  origin?: string;
}

/** True for an MSW WebSocket handler (what `ws.link(…).addEventListener` returns). */
export function isMswWebSocketHandler(value: unknown): value is MswWebSocketHandler {
  if (typeof value !== 'object' || value === null) return false;
  const handler = value as Partial<MswWebSocketHandler>;
  return handler.kind === 'websocket' && typeof handler.test === 'function' && typeof handler.run === 'function';
}

/**
 * Your MSW WebSocket handlers (`ws.link()`) as a REST service's WebSocket endpoint (`rest({ webSocket })`):
 * a handshake one of them matches is taken, and each matching handler gets the connection's `client`
 * (`send`, `close`, its `message` and `close` events) as MSW gives it in the browser; `link.broadcast()`
 * reaches every client connected. Other handshakes get 404. A listener that throws closes its
 * connection with 1011, journaled and logged; the service keeps serving. `server.connect()` opens the
 * real server (the service's `proxy`, else `origin`), and messages flow both ways through the
 * handlers as in MSW (`event.preventDefault()` keeps one from going on). Binary messages reach
 * `message` listeners as an ArrayBuffer.
 *
 * @example
 * import { ws } from 'msw';
 * const chat = ws.link('wss://chat.example.com/rooms/:room');
 * export default scenario('chat').services({
 *   chat: rest({ port: 8090, webSocket: mswWebSocket([
 *     chat.addEventListener('connection', ({ client, params }) => {
 *       client.addEventListener('message', (event) => chat.broadcast(`${params.room}: ${event.data}`));
 *     }),
 *   ], { origin: 'wss://chat.example.com' }) }),
 * });
 */
export function mswWebSocket(handlers: readonly unknown[], options: MswWebSocketOptions = {}): WebSocketEndpoint {
  const webSocketHandlers = handlers.filter(isMswWebSocketHandler);
  const origin = options.origin === undefined ? undefined : webSocketOrigin(options.origin);
  const endpoint = (url: string, headers: Headers): ((connection: WebSocketConnection) => void) | undefined => {
    const host = typeof headers.host === 'string' ? headers.host : 'localhost';
    const shown = new URL(url, origin ?? `ws://${host}`);
    // A link written relative (`ws.link('/chat')`) resolves against the address shown, as against the page in a browser.
    const context = { baseUrl: shown.origin };
    const matching = webSocketHandlers.filter((handler) => handler.test(shown, context));
    if (matching.length === 0) return undefined;
    return (connection) => {
      const client = new MswClient(shown, connection);
      // The real server is where the handlers' origin is; a mock at an address of its own has none (unless its service has a proxy).
      const server = new RealServer(client, connection, origin === undefined ? undefined : shown);
      const protocols = connection.protocols.length === 0 ? undefined : [...connection.protocols];
      // Each handler that matches gets the connection, as MSW's handleWebSocketEvent runs them.
      for (const handler of matching) {
        connection.run(() => handler.run({ client, server, info: { protocols } }, context)).catch((error: unknown) => connection.fail(error));
      }
    };
  };
  return Object.assign(endpoint, { origin });
}

/** `wss://host` for `https://host` (and `ws://` for `http://`): the origin WebSocket handlers are written for. */
function webSocketOrigin(given: string): string {
  const url = new URL(given);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  return url.origin === 'null' ? `${url.protocol}//${url.host}` : url.origin;
}

let nextClientId = 0;

/** EventTarget's own parameter types (this package is built without the DOM's names for them). */
type Listener = Parameters<EventTarget['addEventListener']>[1];
type AddOptions = Parameters<EventTarget['addEventListener']>[2];
type RemoveOptions = Parameters<EventTarget['removeEventListener']>[2];

/**
 * An EventTarget whose listeners run guarded: one that throws (or rejects) fails the connection
 * (closed with 1011, journaled and logged), not the process.
 */
class GuardedTarget extends EventTarget {
  protected readonly connection: WebSocketConnection;
  readonly #guarded = new WeakMap<object, (event: Event) => void>();

  constructor(connection: WebSocketConnection) {
    super();
    this.connection = connection;
  }

  override addEventListener(type: string, listener: Listener | null, options?: AddOptions): void {
    if (!listener) return;
    let guarded = this.#guarded.get(listener);
    if (!guarded) {
      const connection = this.connection;
      guarded = function (this: unknown, event: Event): void {
        try {
          const result: unknown = connection.run(() => (typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event)));
          if (isThenable(result)) result.then(undefined, (error: unknown) => connection.fail(error));
        } catch (error) {
          connection.fail(error);
        }
      };
      this.#guarded.set(listener, guarded);
    }
    super.addEventListener(type, guarded, options);
  }

  override removeEventListener(type: string, listener: Listener | null, options?: RemoveOptions): void {
    const guarded = listener ? this.#guarded.get(listener) : undefined;
    if (guarded) super.removeEventListener(type, guarded, options);
  }
}

/**
 * The client side of one connection, as MSW's handlers use it (its WebSocketClientConnection):
 * `message` and `close` events, `send` and `close`. Once the handler connected the real server, what
 * the client sends goes on to it unless a `message` listener called `event.preventDefault()`.
 */
class MswClient extends GuardedTarget {
  readonly id = `mockstack-ws-${++nextClientId}`;
  readonly url: URL;
  /** The real server's connection, once `server.connect()` opened it. */
  upstream: UpstreamWebSocket | undefined;

  constructor(url: URL, connection: WebSocketConnection) {
    super(connection);
    this.url = url;
    connection.onMessage((data) => {
      const event = new WebSocketMessageEvent(data, this.url.origin);
      this.dispatchEvent(event);
      // As MSW's: after the listeners, a microtask later (one may prevent it from a promise it started).
      queueMicrotask(() => {
        if (!event.defaultPrevented) this.upstream?.send(data);
      });
    });
    connection.onClose((code, reason) => this.dispatchEvent(new WebSocketCloseEvent(code, reason, false)));
  }

  send(data: SentData): void {
    sendData(data, this.connection, (bytes) => this.connection.send(bytes));
  }

  close(code?: number, reason?: string): void {
    this.connection.close(code, reason);
  }
}

/**
 * The `server` of MSW's connection: the real WebSocket server, which `connect()` opens (the service's
 * `proxy`, else the real origin the handlers were written for). Its messages go on to the client
 * unless a `message` listener called `event.preventDefault()`; its closing closes the client's
 * connection unless a `close` listener prevented it.
 */
class RealServer extends GuardedTarget {
  readonly #client: MswClient;
  readonly #url: URL | undefined;

  constructor(client: MswClient, connection: WebSocketConnection, url: URL | undefined) {
    super(connection);
    this.#client = client;
    this.#url = url;
  }

  connect(): void {
    if (this.#client.upstream) throw new Error('server.connect(): the real server is connected already');
    const upstream = this.connection.connectUpstream(this.#url?.href);
    this.#client.upstream = upstream;
    upstream.onOpen(() => this.dispatchEvent(new Event('open')));
    upstream.onMessage((data) => {
      const event = new WebSocketMessageEvent(data, this.#url?.origin ?? '');
      this.dispatchEvent(event);
      if (!event.defaultPrevented) this.connection.send(data);
    });
    upstream.onClose((code, reason) => {
      const event = new WebSocketCloseEvent(code, reason, true);
      this.dispatchEvent(event);
      // 1005 and 1006 (no code, connection lost) are a peer's to observe, not to send.
      if (!event.defaultPrevented) this.connection.close(code === 1005 ? 1000 : code === 1006 ? 1011 : code, reason);
    });
    upstream.onError((message) => {
      const event = new Event('error', { cancelable: true });
      this.dispatchEvent(event);
      if (!event.defaultPrevented) this.connection.fail(new Error(`the real WebSocket server failed: ${message}`));
    });
  }

  send(data: SentData): void {
    const upstream = this.#client.upstream;
    if (!upstream) throw new Error('server.send(): the real server is not connected; call server.connect() first');
    sendData(data, this.connection, (bytes) => upstream.send(bytes));
  }

  close(): void {
    this.#client.upstream?.close();
  }
}

/** What MSW's `send` takes. */
type SentData = string | ArrayBufferLike | Blob | ArrayBufferView;

/** Sends `data` as WebSocketData (a Blob once read, in order of reading). */
function sendData(data: SentData, connection: WebSocketConnection, send: (data: WebSocketData) => void): void {
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    data.arrayBuffer().then(
      (bytes) => send(new Uint8Array(bytes)),
      (error: unknown) => connection.fail(error),
    );
    return;
  }
  send(webSocketDataOf(data as string | ArrayBufferLike | ArrayBufferView));
}

/**
 * A `message` event that `preventDefault()` can keep from going on (node's MessageEvent ignores
 * `cancelable`); `data` is text, or an ArrayBuffer of the bytes.
 */
class WebSocketMessageEvent extends Event {
  readonly data: string | ArrayBuffer;
  readonly lastEventId = '';

  constructor(
    data: WebSocketData,
    readonly origin: string,
  ) {
    super('message', { cancelable: true });
    this.data = typeof data === 'string' ? data : arrayBufferOf(data);
  }
}

/** A `close` event (node 20 has no global CloseEvent); the real server's may be prevented. */
class WebSocketCloseEvent extends Event {
  readonly wasClean: boolean;

  constructor(
    readonly code: number,
    readonly reason: string,
    cancelable: boolean,
  ) {
    super('close', { cancelable });
    this.wasClean = code === 1000 || code === 1001;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function webSocketDataOf(data: string | ArrayBufferLike | ArrayBufferView): WebSocketData {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
