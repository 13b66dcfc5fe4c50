import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { faultStatusAndHeaders } from '@mockstack/core';
import type { FastifyError, FastifyReply } from 'fastify';
import { HTTP2_CODES, http2StreamOf, requestTimedOut, resetHttp2Stream } from './http-app.js';

/**
 * Largest request body an HTTP service accepts unless its `bodyLimit` says otherwise: 16 MiB, so that the
 * uploads and bulk bodies a real API takes (a photo, a CSV import) reach the mock; the journal keeps a bounded part.
 */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/** The service's `bodyLimit` setting, or the default. */
export function bodyLimitOf(config: Readonly<Record<string, unknown>>): number {
  return typeof config.bodyLimit === 'number' ? config.bodyLimit : DEFAULT_BODY_LIMIT;
}

/** `/orders/1` of `/orders/1?x=2`. */
/**
 * An answer's headers as node writes them: `set-cookie` may hold several cookies, one a line (as
 * `forwardHttp` gives a real service's), and each is sent as a Set-Cookie header of its own; the
 * headers are given back as they are otherwise (this is on every answer with headers).
 */
export function headerFields(headers: Readonly<Record<string, string>>): Readonly<Record<string, string | string[]>> {
  for (const name in headers) {
    if (name.length === 10 && name.toLowerCase() === 'set-cookie') {
      const cookies = headers[name] as string;
      if (cookies.includes('\n')) return { ...headers, [name]: cookies.split('\n') };
    }
  }
  return headers;
}

/** Refuses a WebSocket handshake with an HTTP answer (`body` as JSON, `headers` besides its own) and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  let extra = '';
  for (const name in headers) extra += `${name}: ${headers[name]}\r\n`;
  socket.on('error', () => {});
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\n${extra}content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/**
 * How to refuse a handshake the `ws` library found malformed itself (its `wsClientError`: a method other than
 * GET, a missing or bad Sec-WebSocket-Key, Version, Protocol or Extensions header): 405 or 400, as ws would
 * answer it, a bad version told the versions served.
 */
export function malformedHandshake(
  request: { method?: string | undefined },
  error: Error,
): { status: 400 | 405; message: string; headers: Record<string, string> } {
  const status = request.method !== 'GET' ? 405 : 400;
  const headers: Record<string, string> = /Sec-WebSocket-Version/i.test(error.message) ? { 'sec-websocket-version': '13, 8' } : {};
  return { status, message: `the WebSocket handshake was refused: ${error.message}`, headers };
}

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** A request fastify refused before any handler ran, as the status, wire code and message to answer with. */
export interface RequestError {
  status: number;
  /**
   * `PAYLOAD_TOO_LARGE`, `BAD_REQUEST` or `INTERNAL_SERVER_ERROR` (see the wire-code registry in docs/errors.md);
   * `REQUEST_TIMEOUT` for a request the server already answered 408 (nothing more can be sent: only journaled).
   */
  code: 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST' | 'INTERNAL_SERVER_ERROR' | 'REQUEST_TIMEOUT';
  message: string;
}

/**
 * Oversized bodies and malformed JSON say what to do; other client errors keep fastify's message. A
 * body cut by the request timeout is the 408 the server sent on `socket` (see requestTimedOut).
 */
export function requestErrorOf(error: FastifyError, bodyLimit: number, socket?: Duplex | null): RequestError {
  if (requestTimedOut(socket))
    return {
      status: 408,
      code: 'REQUEST_TIMEOUT',
      message: 'the request did not arrive in full within the request timeout (--request-timeout, limits.requestTimeoutMs): answered 408, connection closed',
    };
  const clientError = (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) || error instanceof SyntaxError;
  const status = clientError ? (error.statusCode ?? 400) : 500;
  const message =
    error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
      ? `request body is larger than this service's limit of ${bodyLimit} bytes (set bodyLimit on the service to raise it)`
      : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? `request body is not valid JSON: ${error.message}`
        : error.message;
  return { status, code: status === 413 ? 'PAYLOAD_TOO_LARGE' : clientError ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR', message };
}

/**
 * Drops the connection (`reset`), closes it without an answer (`empty`), or lets it go (`aborted`: the
 * client left). Returns the status the journal records.
 */
export function endWithoutAnswer(reply: FastifyReply, transport: 'reset' | 'empty' | 'aborted'): string | number {
  reply.hijack();
  // Over HTTP/2 the connection carries other streams: only this one is reset (RST_STREAM).
  const stream = http2StreamOf(reply.raw);
  if (stream && transport !== 'aborted') resetHttp2Stream(stream, transport === 'reset' ? HTTP2_CODES.internalError : HTTP2_CODES.cancel);
  else if (transport === 'reset') reply.raw.socket?.resetAndDestroy();
  else if (transport === 'empty') reply.raw.socket?.end();
  return transport === 'reset' ? 'connection reset' : transport === 'empty' ? 'empty reply' : 499;
}

export { faultStatusAndHeaders };
