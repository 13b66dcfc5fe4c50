import { createServer as createHttp1Server } from 'node:http';
import { createServer as createHttp2Server, createSecureServer, type Http2SecureServer } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { type Engine, ErrorCode, MockstackError, type Service, type ServiceAddress, type TlsMaterial, tlsOf } from '@mockstack/core';
import type { GrpcAnswers } from './answers.js';
import type { GrpcWebConfig } from './config.js';
import { ConnectCalls } from './connect-calls.js';
import { connectNodeHandler } from './connect-handler.js';
import { descriptorRegistry } from './descriptor-registry.js';
import { sniff } from './h2-sniff.js';
import { HttpTranscoding } from './http-transcoding.js';
import type { LoadedProtos } from './protos.js';
import { withCors } from './web-cors.js';

export { descriptorRegistry } from './descriptor-registry.js';

/**
 * Connect (JSON and binary), gRPC-Web and gRPC for a gRPC service, on an HTTP port of its own, served
 * by the Connect project's Node server (`@connectrpc/connect-node`) from descriptors of the service's
 * .proto files. Each call goes through the same engine, rules, state, variants, faults and journal as a
 * native gRPC call. On a plain port, HTTP/1.1 (what browsers send to an http:// port) and HTTP/2 with prior
 * knowledge (h2c; client and bidi streaming) are told apart by the connection's first bytes; with the
 * service's `tls`, the same certificate serves h2 and HTTP/1.1, chosen by ALPN.
 */
export class GrpcWebServer {
  readonly #service: Service;
  readonly #config: GrpcWebConfig;
  readonly #tls: TlsMaterial | undefined;
  readonly #net: NetServer | Http2SecureServer;
  readonly #sockets = new Set<Socket>();

  constructor(service: Service, config: GrpcWebConfig, maxMessageBytes: number, engine: Engine, protos: LoadedProtos, answers: GrpcAnswers) {
    this.#service = service;
    this.#config = config;
    this.#tls = tlsOf(service.config, service.name);
    const calls = new ConnectCalls(service.name, engine, protos, answers);
    const handler = withCors(config.cors, connectNodeHandler(calls, descriptorRegistry(protos), maxMessageBytes, new HttpTranscoding(protos)), (message) =>
      engine.logger.warn(`service "${service.name}" (Connect and gRPC-Web): ${message}`),
    );
    const track = (socket: Socket): void => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    };
    if (this.#tls) {
      this.#net = createSecureServer({ cert: this.#tls.cert, key: this.#tls.key, allowHTTP1: true }, handler);
      this.#net.on('connection', track);
      return;
    }
    const http1 = createHttp1Server(handler);
    const http2 = createHttp2Server(handler);
    this.#net = createNetServer((socket) => {
      track(socket);
      sniff(socket, (h2, connection) => (h2 ? http2 : http1).emit('connection', connection));
    });
  }

  listen(): Promise<ServiceAddress> {
    const host = this.#config.host ?? this.#service.host;
    return new Promise((resolve, reject) => {
      this.#net.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') return reject(error);
        const message = `service "${this.#service.name}" cannot listen on its web port ${host}:${this.#config.port}: the port is in use. Stop what uses it, or give \`web: { port }\` another port (0 picks a free one)`;
        reject(new MockstackError(ErrorCode.PortInUse, message, { cause: error }));
      });
      this.#net.listen(this.#config.port, host, () => {
        this.#net.removeAllListeners('error');
        const address = this.#net.address();
        const port = typeof address === 'object' && address ? address.port : this.#config.port;
        const url = `${this.#tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
        resolve({ name: this.#service.name, protocol: 'connect', host, port, url, ...(this.#tls?.caFile && { ca: this.#tls.caFile }) });
      });
    });
  }

  /** Stops accepting; connections still open after `graceMs` are cut. */
  close(graceMs = 0): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#net.listening) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        for (const socket of this.#sockets) socket.destroy();
      }, graceMs);
      this.#net.close(() => {
        clearTimeout(timer);
        resolve();
      });
      if (graceMs === 0) for (const socket of this.#sockets) socket.destroy();
    });
  }
}
