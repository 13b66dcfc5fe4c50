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
}

/**
 * A REST service's WebSocket endpoint (`rest({ webSocket })`): given a handshake's path and headers,
 * the function that serves the connection, or undefined to refuse it (404). Handshakes on a service
 * without one are refused too.
 */
export type WebSocketEndpoint = (url: string, headers: Headers) => ((connection: WebSocketConnection) => void) | undefined;
