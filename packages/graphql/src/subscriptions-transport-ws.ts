import type { IncomingMessage } from 'node:http';
import { type ExecutionResult, getOperationAST } from 'graphql';
import type { WebSocket } from 'ws';
import { isErrors, type SubscriptionHost, type TransportOperations } from './subscriptions.js';

/** The WebSocket subprotocol of subscriptions-transport-ws (Apollo's first; not graphql-ws's `graphql-transport-ws`). */
export const SUBSCRIPTIONS_TRANSPORT_WS_PROTOCOL = 'graphql-ws';

/**
 * Keep-alives sent after `connection_ack` and then this often: once a client has had one, it closes a
 * connection that sends none for 30 s (subscriptions-transport-ws's client timeout).
 */
const KEEP_ALIVE_MS = 10_000;

interface LegacyMessage {
  type?: unknown;
  id?: unknown;
  payload?: unknown;
}

/**
 * GraphQL over WebSocket as subscriptions-transport-ws speaks it (subprotocol `graphql-ws`), for clients
 * still on it: Apollo Client's `WebSocketLink`, Apollo Server 2, older Hasura and AppSync-era frontends.
 * `connection_init` → `connection_ack` and `ka` keep-alives; `start` runs a subscription (a `data`
 * message per event, then `complete`) or a query or mutation (one `data`, then `complete`); `stop` ends
 * one (`complete`); `connection_terminate` closes. A document the schema refuses is answered as the
 * library's own server answers it: `data` with the errors, then `complete`.
 */
export class SubscriptionsTransportWs {
  readonly #host: SubscriptionHost;
  readonly #operations: TransportOperations;

  constructor(host: SubscriptionHost, operations: TransportOperations) {
    this.#host = host;
    this.#operations = operations;
  }

  /** Serves one connection until it closes. */
  serve(socket: WebSocket, request: IncomingMessage): void {
    const running = new Map<string, AsyncIterator<ExecutionResult>>();
    let keepAlive: NodeJS.Timeout | undefined;
    const send = (message: { type: string; id?: string; payload?: unknown }): void => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const stop = (id: string): void => {
      const events = running.get(id);
      running.delete(id);
      void events?.return?.();
    };
    socket.on('close', () => {
      clearInterval(keepAlive);
      for (const id of [...running.keys()]) stop(id);
    });
    socket.on('message', (data) => {
      let message: LegacyMessage;
      try {
        message = JSON.parse(String(data)) as LegacyMessage;
        if (typeof message !== 'object' || message === null) throw new Error('a message is a JSON object with a "type"');
      } catch (error) {
        send({ type: 'connection_error', payload: { message: `mockstack: ${error instanceof Error ? error.message : String(error)}` } });
        return;
      }
      const id = typeof message.id === 'string' || typeof message.id === 'number' ? String(message.id) : undefined;
      switch (message.type) {
        case 'connection_init':
          send({ type: 'connection_ack' });
          send({ type: 'ka' });
          keepAlive ??= setInterval(() => send({ type: 'ka' }), KEEP_ALIVE_MS).unref();
          return;
        case 'connection_terminate':
          socket.close();
          return;
        case 'start':
          if (id === undefined) {
            send({ type: 'error', payload: { message: 'mockstack: a "start" message needs an "id"' } });
            return;
          }
          // A start with the id of one still running replaces it, as the library's server does.
          stop(id);
          void this.#start(id, message.payload, request, socket, running, send);
          return;
        case 'stop':
          if (id !== undefined) stop(id);
          return;
        default:
          send({ type: 'error', ...(id !== undefined && { id }), payload: { message: `mockstack: unknown message type ${JSON.stringify(message.type)}` } });
      }
    });
  }

  /** Runs the operation of a `start` message and sends its results, then `complete` (unless stopped first, or the client left). */
  async #start(
    id: string,
    payload: unknown,
    request: IncomingMessage,
    socket: WebSocket,
    running: Map<string, AsyncIterator<ExecutionResult>>,
    send: (message: { type: string; id?: string; payload?: unknown }) => void,
  ): Promise<void> {
    const params = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    try {
      const prepared = await this.#host.prepare(
        { query: params.query, variables: params.variables, operationName: params.operationName, extensions: params.extensions },
        request.headers,
        { name: 'subscriptions-transport-ws', drop: () => socket.terminate() },
      );
      if (isErrors(prepared)) {
        send({ type: 'data', id, payload: { errors: prepared.map((error) => error.toJSON()) } });
        send({ type: 'complete', id });
        return;
      }
      const isSubscription = getOperationAST(prepared.document, prepared.operationName)?.operation === 'subscription';
      const outcome = isSubscription ? await this.#operations.subscribe(prepared) : await this.#operations.execute(prepared);
      if (!(Symbol.asyncIterator in outcome)) {
        this.#host.sent(prepared.contextValue, outcome);
        send({ type: 'data', id, payload: outcome });
        send({ type: 'complete', id });
        return;
      }
      const events = outcome[Symbol.asyncIterator]();
      running.set(id, events);
      // Stopped or gone while it was being prepared.
      if (socket.readyState !== socket.OPEN) void events.return?.();
      for (let next = await events.next(); !next.done; next = await events.next()) {
        if (running.get(id) !== events) break;
        this.#host.sent(prepared.contextValue, next.value);
        send({ type: 'data', id, payload: next.value });
      }
      if (running.get(id) === events) running.delete(id);
      send({ type: 'complete', id });
    } catch (error) {
      send({ type: 'error', id, payload: { message: `mockstack: ${error instanceof Error ? error.message : String(error)}` } });
    }
  }
}
