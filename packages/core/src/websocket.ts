import type { Headers } from './model.js';

/** What a WebSocket message carries: text, or binary bytes. */
export type WebSocketData = string | Uint8Array;

/**
 * One WebSocket connection a REST service took (see `WebSocketEndpoint`), as the adapter hands it to
 * the code serving it: what the client asked for, and the socket's two directions.
 */
export interface WebSocketConnection {
  /** The handshake's path and query, as sent (`/rooms/42?token=…`). */
  readonly url: string;
  readonly headers: Headers;
  /** The subprotocols the client offered (`Sec-WebSocket-Protocol`). */
  readonly protocols: readonly string[];
  /** Sends a message to the client: text as a text frame, bytes as a binary frame. */
  send(data: WebSocketData): void;
  /** Closes the connection (1000 when no code is given). */
  close(code?: number, reason?: string): void;
  /** Calls `listener` with each message the client sends. */
  onMessage(listener: (data: WebSocketData) => void): void;
  /** Calls `listener` once the connection is closed, by either side. */
  onClose(listener: (code: number, reason: string) => void): void;
  /** Closes the connection with 1011 and journals `error`: the code serving it failed. */
  fail(error: unknown): void;
  /**
   * Runs the scenario's code serving the connection (its listeners) as a handler runs: a loop in it
   * is stopped after the service's timeout (the connection then fails), and an error it leaves
   * behind is journaled with the connection.
   */
  run<T>(code: () => T): T;
  /**
   * Opens a connection to the real server, with the subprotocols the client offered: the service's
   * `proxy` address (with the handshake's path and query) when it has one, else `url` (the real
   * address the code serving the connection knows). Throws when there is neither.
   */
  connectUpstream(url?: string): UpstreamWebSocket;
}

/** A connection the mock opened to the real server (see `WebSocketConnection.connectUpstream`). */
export interface UpstreamWebSocket {
  /** Sends a message; one sent before the connection is open waits for it. */
  send(data: WebSocketData): void;
  close(code?: number, reason?: string): void;
  onOpen(listener: () => void): void;
  onMessage(listener: (data: WebSocketData) => void): void;
  onClose(listener: (code: number, reason: string) => void): void;
  onError(listener: (message: string) => void): void;
}

/**
 * A REST service's WebSocket endpoint (`rest({ webSocket })`): given a handshake's path and headers,
 * the function that serves the connection, or undefined to refuse it (404). Handshakes on a service
 * without one are refused too.
 */
export type WebSocketEndpoint = ((url: string, headers: Headers) => ((connection: WebSocketConnection) => void) | undefined) & {
  /**
   * The origin the endpoint's code was written for (`wss://chat.example.com`), when it says (`mswWebSocket`'s
   * `origin`): mockstack/msw takes the handshakes an app sends there too, besides those to the service's base URL.
   */
  readonly origin?: string | undefined;
};
