import type { WebSocketConnection, WebSocketData, WebSocketEndpoint } from '@mockstack/core';

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
 * connection with 1011, journaled and logged; the service keeps serving. There is no original server
 * behind a mock: `server.connect()` fails the connection saying so. Binary messages reach `message`
 * listeners as an ArrayBuffer.
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
  return (url, headers) => {
    const host = typeof headers.host === 'string' ? headers.host : 'localhost';
    const shown = new URL(url, origin ?? `ws://${host}`);
    // A link written relative (`ws.link('/chat')`) resolves against the address shown, as against the page in a browser.
    const context = { baseUrl: shown.origin };
    const matching = webSocketHandlers.filter((handler) => handler.test(shown, context));
    if (matching.length === 0) return undefined;
    return (connection) => {
      const client = new MswClient(shown, connection);
      const server = new MockServerConnection(shown);
      const protocols = connection.protocols.length === 0 ? undefined : [...connection.protocols];
      // Each handler that matches gets the connection, as MSW's handleWebSocketEvent runs them.
      for (const handler of matching) handler.run({ client, server, info: { protocols } }, context).catch((error: unknown) => connection.fail(error));
    };
  };
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
 * The client side of one connection, as MSW's handlers use it (its WebSocketClientConnection): an
 * EventTarget of `message` and `close` events, `send` and `close`. Listeners run guarded: one that
 * throws (or rejects) fails this connection, not the process.
 */
class MswClient extends EventTarget {
  readonly id = `mockstack-ws-${++nextClientId}`;
  readonly url: URL;
  readonly #connection: WebSocketConnection;
  readonly #guarded = new WeakMap<object, (event: Event) => void>();

  constructor(url: URL, connection: WebSocketConnection) {
    super();
    this.url = url;
    this.#connection = connection;
    connection.onMessage((data) => {
      this.dispatchEvent(new MessageEvent('message', { data: typeof data === 'string' ? data : arrayBufferOf(data), cancelable: true }));
    });
    connection.onClose((code, reason) => this.dispatchEvent(new WebSocketCloseEvent(code, reason)));
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (typeof Blob !== 'undefined' && data instanceof Blob) {
      data.arrayBuffer().then(
        (bytes) => this.#connection.send(new Uint8Array(bytes)),
        (error: unknown) => this.#connection.fail(error),
      );
      return;
    }
    this.#connection.send(webSocketDataOf(data as string | ArrayBufferLike | ArrayBufferView));
  }

  close(code?: number, reason?: string): void {
    this.#connection.close(code, reason);
  }

  override addEventListener(type: string, listener: Listener | null, options?: AddOptions): void {
    if (!listener) return;
    let guarded = this.#guarded.get(listener);
    if (!guarded) {
      const connection = this.#connection;
      guarded = function (this: unknown, event: Event): void {
        try {
          const result: unknown = typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
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
 * The `server` of MSW's connection: the original WebSocket server a handler may connect to. A mock
 * has none, so `connect()` fails the connection saying so; the rest does nothing.
 */
class MockServerConnection extends EventTarget {
  readonly #url: URL;

  constructor(url: URL) {
    super();
    this.#url = url;
  }

  connect(): void {
    throw new Error(
      `server.connect() in the WebSocket handler of ${this.#url.href}: mockstack is the server here and connects to no original one; answer with client.send() instead`,
    );
  }

  send(): void {}

  close(): void {}
}

/** The `close` event of a client connection (node 20 has no global CloseEvent). */
class WebSocketCloseEvent extends Event {
  readonly wasClean: boolean;

  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super('close');
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
