import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { HandshakeRefused, SubscriptionHost, TransportOperations } from './subscriptions.js';
import { SUBSCRIPTIONS_TRANSPORT_WS_PROTOCOL, SubscriptionsTransportWs } from './subscriptions-transport-ws.js';

/**
 * GraphQL over WebSocket at the service's GraphQL path: graphql-ws's protocol (subprotocol
 * `graphql-transport-ws`), and subscriptions-transport-ws's (`graphql-ws`) for clients still on it.
 * Made by SubscriptionTransports on the first upgrade, so that a start does not load ws.
 */
export class WebSocketTransport {
  readonly #wss: WebSocketServer;
  readonly #ws: { dispose(): void | Promise<void> };
  readonly #legacy: SubscriptionsTransportWs;
  /** The handshakes being taken: a malformed one is answered and journaled by its own `refused`. */
  readonly #refused = new WeakMap<IncomingMessage, HandshakeRefused>();

  constructor(schema: GraphQLSchema, host: SubscriptionHost, operations: TransportOperations) {
    this.#legacy = new SubscriptionsTransportWs(host, operations);
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
    this.#ws = useServer<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage }>(
      {
        schema,
        onSubscribe: async (ctx, _id, payload) => {
          const socket = ctx.extra.socket;
          const prepared = await host.prepare(
            { query: payload.query, variables: payload.variables, operationName: payload.operationName, extensions: payload.extensions },
            ctx.extra.request.headers,
            { name: 'graphql-ws', drop: () => socket.terminate() },
          );
          return prepared;
        },
        subscribe: operations.subscribe,
        execute: operations.execute,
        onNext: (_ctx, _id, _payload, args, result) => {
          host.sent(args.contextValue, result as ExecutionResult);
        },
      },
      this.#wss,
      0,
    );
    this.#wss.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
      const refused = this.#refused.get(request);
      if (refused) refused(socket, error);
      else socket.destroy();
    });
    // Accept the handshake whatever the client offers, so that a client of another subprotocol is told why in a close frame.
    this.#wss.options.handleProtocols = (protocols) =>
      protocols.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : ([...protocols][0] ?? false);
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, refused: HandshakeRefused): void {
    this.#refused.set(request, refused);
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      if (ws.protocol === SUBSCRIPTIONS_TRANSPORT_WS_PROTOCOL) {
        this.#legacy.serve(ws, request);
        return;
      }
      if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
        ws.close(
          CloseCode.SubprotocolNotAcceptable,
          'Subprotocol not acceptable: use graphql-transport-ws (graphql-ws) or graphql-ws (subscriptions-transport-ws)',
        );
        return;
      }
      this.#wss.emit('connection', ws, request);
    });
  }

  /** Closes every WebSocket (1001 Going away). */
  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await this.#ws.dispose();
  }
}
