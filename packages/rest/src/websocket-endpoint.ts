import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type Engine,
  type Logger,
  StreamMessages,
  type UpstreamWebSocket,
  type WebSocketConnection,
  type WebSocketData,
  type WebSocketEndpoint,
} from '@mockstack/core';
import { malformedHandshake, pathOf, refuseUpgrade } from '@mockstack/http';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { connectionOutcome, protocolsOf, refusalOutcome, WebSocketRequest, websocketRule } from './websocket-request.js';

/** Largest message a client may send (as graphql-ws's transport takes). */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** How long the close frame of a connection whose listener was stopped has to go out before its socket is cut. */
const STOPPED_CLOSE_MS = 50;

/** 1011: the server met a condition that kept it from serving the connection (RFC 6455). */
const INTERNAL_ERROR = 1011;

/**
 * A REST service's WebSocket handshakes (`rest({ webSocket })`): taken where the service's endpoint
 * serves the path, refused with 404 elsewhere; each connection is journaled once it closes, as
 * `GET /path (WebSocket)` with status 101 and the messages both ways.
 */
export class WebSocketEndpointServer {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  readonly #engine: Engine;
  readonly #logger: Logger;
  #service: string;
  #endpoint: WebSocketEndpoint | undefined;
  /** `rest({ proxy })`: the real service, where `connectUpstream` goes. */
  #proxy: string | undefined;

  /** The handshakes being taken, for a refusal of ws's own to be journaled as the request it refused. */
  readonly #taking = new WeakMap<IncomingMessage, { core: WebSocketRequest; startedAt: number }>();

  constructor(service: string, endpoint: WebSocketEndpoint | undefined, proxy: string | undefined, engine: Engine, logger: Logger) {
    this.#service = service;
    this.#endpoint = endpoint;
    this.#proxy = proxy;
    this.#engine = engine;
    this.#logger = logger;
    // A handshake ws finds malformed (bad Sec-WebSocket-Key or Version…): refused as ws would, and journaled.
    this.#wss.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
      const taking = this.#taking.get(request);
      const { status, message, headers } = malformedHandshake(request, error);
      if (taking) this.#refuse(socket, taking.core, taking.startedAt, status, message, headers);
      else refuseUpgrade(socket, status, { error: message }, headers);
    });
  }

  /** A reloaded scenario's endpoint serves the next handshakes; open connections stay with the code that took them. */
  update(service: string, endpoint: WebSocketEndpoint | undefined, proxy: string | undefined): void {
    this.#service = service;
    this.#endpoint = endpoint;
    this.#proxy = proxy;
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const startedAt = performance.now();
    const url = request.url ?? '/';
    const core = new WebSocketRequest(this.#service, request.headers, url);
    let serve: ((connection: WebSocketConnection) => void) | undefined;
    try {
      serve = this.#endpoint?.(url, request.headers);
    } catch (error) {
      this.#refuse(socket, core, startedAt, 500, `the WebSocket endpoint failed: ${describeError(error)}`);
      return;
    }
    if (!serve) {
      this.#refuse(socket, core, startedAt, 404, `no WebSocket endpoint at ${pathOf(url)} of service "${this.#service}"`);
      return;
    }
    const take = serve;
    this.#taking.set(request, { core, startedAt });
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#open(ws, socket, core, startedAt, take));
  }

  /** Ends every open connection (1001, going away), so that the server can close. */
  close(): void {
    for (const client of this.#wss.clients) client.close(1001, 'the mock is stopping');
    for (const client of this.#wss.clients) client.terminate();
  }

  #open(ws: WebSocket, socket: Duplex, core: WebSocketRequest, startedAt: number, serve: (connection: WebSocketConnection) => void): void {
    const messages = new StreamMessages(startedAt);
    let failure: string | undefined;
    let closeSeen = false;
    const rule = websocketRule(core.operation);
    // The watchdog stopped a listener stuck in a loop: the connection fails with its message. The stop
    // unwound the ws library's reading of this socket too, so no closing handshake can complete: the
    // socket is cut once the close frame is out.
    core.answerLate = (outcome) => {
      connection.fail(outcome.kind === 'fault' ? outcome.fault.message : 'the connection was stopped');
      // Its reading never finishes, so ws may never report the close: reported here (journal, listeners), once.
      socket.once('close', () => setTimeout(() => closeSeen || ws.emit('close', 1006, Buffer.alloc(0)), STOPPED_CLOSE_MS).unref());
      setTimeout(() => ws.terminate(), STOPPED_CLOSE_MS).unref();
    };
    const connection: WebSocketConnection = {
      url: core.url,
      headers: core.headers,
      protocols: protocolsOf(core.headers['sec-websocket-protocol']),
      send: (data) => {
        if (ws.readyState !== ws.OPEN) return;
        messages.add('out', journaled(data));
        ws.send(data, { binary: typeof data !== 'string' });
      },
      close: (code, reason) => {
        try {
          ws.close(code ?? 1000, reason);
        } catch (error) {
          // A code a server may not send (1005, 1006, 2xxx): closed normally instead, the mistake logged.
          this.#logger.warn(`service "${this.#service}": ${core.target}: ${describeError(error)}; closed with 1000 instead`);
          ws.close(1000, reason);
        }
      },
      onMessage: (listener) => {
        ws.on('message', (data: RawData, isBinary: boolean) => listener(messageOf(data, isBinary)));
      },
      onClose: (listener) => {
        ws.once('close', (code: number, reason: Buffer) => listener(code, reason.toString()));
      },
      fail: (error) => {
        failure ??= describeError(error);
        this.#logger.error(`service "${this.#service}": ${core.target}: ${failure}; the connection was closed with ${INTERNAL_ERROR}`);
        if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(INTERNAL_ERROR, 'the mock failed: see its log');
      },
      run: (code) => this.#engine.runGuarded(rule, core, code),
      connectUpstream: (url) => {
        const upstream = upstreamSocket(upstreamUrl(core.url, url, this.#proxy, this.#service), connection.protocols);
        // The client gone, the real server's connection goes too.
        ws.once('close', () => upstream.close());
        return upstream;
      },
    };
    ws.on('message', (data: RawData, isBinary: boolean) => messages.add('in', messageOf(data, isBinary)));
    ws.on('error', (error) => this.#logger.warn(`service "${this.#service}": ${core.target}: ${error.message}`));
    ws.once('close', () => {
      closeSeen = true;
      this.#engine.record(core, connectionOutcome(rule, failure), { status: 101, startedAt, messages, error: failure });
    });
    try {
      connection.run(() => serve(connection));
    } catch (error) {
      connection.fail(error);
    }
  }

  #refuse(socket: Duplex, core: WebSocketRequest, startedAt: number, status: 400 | 404 | 405 | 500, message: string, headers?: Record<string, string>): void {
    refuseUpgrade(socket, status, { error: message }, headers);
    this.#engine.record(core, refusalOutcome(status, message), { status, startedAt, error: message });
  }
}

/** Where the real server is: the proxy's address with the path and query asked, else the real URL given (ws: for http:). */
function upstreamUrl(asked: string, real: string | undefined, proxy: string | undefined, service: string): string {
  if (proxy === undefined && real === undefined) {
    throw new Error(
      `service "${service}" has no real WebSocket server to connect to: give the service a proxy (rest({ proxy: 'https://…' })) or its handlers the real origin`,
    );
  }
  const target = proxy === undefined ? new URL(real as string) : new URL(`${proxy.replace(/\/$/, '')}${asked}`);
  if (target.protocol === 'http:') target.protocol = 'ws:';
  else if (target.protocol === 'https:') target.protocol = 'wss:';
  return target.href;
}

/** A connection to the real server with the `ws` client; messages sent before it opens wait for it. */
function upstreamSocket(url: string, protocols: readonly string[]): UpstreamWebSocket {
  const socket = new WebSocket(url, [...protocols]);
  const waiting: WebSocketData[] = [];
  socket.on('open', () => {
    for (const data of waiting.splice(0)) socket.send(data, { binary: typeof data !== 'string' });
  });
  // Errors reach onError's listeners; without one, an error event would be thrown.
  socket.on('error', () => {});
  return {
    send: (data) => {
      if (socket.readyState === WebSocket.CONNECTING) waiting.push(data);
      else if (socket.readyState === WebSocket.OPEN) socket.send(data, { binary: typeof data !== 'string' });
    },
    close: (code, reason) => {
      if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return;
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(code ?? 1000, reason);
    },
    onOpen: (listener) => socket.once('open', listener),
    onMessage: (listener) => socket.on('message', (data: RawData, isBinary: boolean) => listener(messageOf(data, isBinary))),
    onClose: (listener) => socket.once('close', (code: number, reason: Buffer) => listener(code, reason.toString())),
    onError: (listener) => socket.on('error', (error: Error) => listener(`${url}: ${error.message}`)),
  };
}

/** A received message: text as a string, a binary frame as its bytes. */
function messageOf(data: RawData, isBinary: boolean): WebSocketData {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  return isBinary ? bytes : bytes.toString();
}

/** A message as the journal keeps it: text as it is, bytes as a copy (the sender may reuse its buffer). */
function journaled(data: WebSocketData): unknown {
  return typeof data === 'string' ? data : Buffer.from(data);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
