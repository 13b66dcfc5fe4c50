import { setTimeout } from 'node:timers';
import * as grpc from '@grpc/grpc-js';
import { type Adapter, type AdapterContext, type Engine, type Service, type ServiceAddress, type ServiceServer, tlsOf } from '@mockstack/core';
import { GrpcAnswers } from './answers.js';
import { AutoMocker } from './automock.js';
import { addBuiltinServices } from './builtin-services.js';
import { decoder } from './codec.js';
import { grpcConfigOf, loadServiceProtos } from './config.js';
import { streamIdleTimeout } from './idle-timeout.js';
import type { ServiceCalls } from './native-call.js';
import type { LoadedProtos, MethodInfo } from './protos.js';
import { GrpcProxyFallback } from './proxy-fallback.js';
import { bidiHandler, serverStreamingHandler } from './streaming-calls.js';
import { clientStreamingHandler, unaryHandler } from './unary-calls.js';
import { validateGrpcService } from './validate.js';
import type { GrpcWebServer } from './web.js';

/**
 * Serves the gRPC services of the model's proto files with @grpc/grpc-js, plus reflection and the
 * standard health service on the same port.
 */
export const grpcAdapter: Adapter = {
  protocol: 'grpc',
  validate: (service, model) => validateGrpcService(service, model),
  create: (service, context) => new GrpcServer(service, context),
};

/**
 * One gRPC service on its port: the grpc-js server with a handler per method (unary-calls.ts,
 * streaming-calls.ts), the built-in reflection and health services, and, when the service asks for
 * it, Connect and gRPC-Web on its `web` port (web.ts). What a call is answered with is GrpcAnswers'.
 */
class GrpcServer implements ServiceServer {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #protos: LoadedProtos;
  readonly #server: grpc.Server;
  readonly #configKey: string;
  readonly #calls: ServiceCalls;
  /** Connect and gRPC-Web on the `web` port, when the service asks for it (made by listen()). */
  #web: GrpcWebServer | undefined;
  /** Stops the built-in health service listening for variant changes. */
  readonly #stopBuiltins: () => void;

  constructor(service: Service, { engine, limits }: AdapterContext) {
    this.#service = service;
    this.#engine = engine;
    const config = grpcConfigOf(service);
    this.#configKey = JSON.stringify(config);
    this.#protos = loadServiceProtos(service, engine.model);
    const answers = new GrpcAnswers(service, engine, this.#protos, config.autoMock, new AutoMocker(engine.seed));
    const proxy = config.proxy === undefined ? undefined : new GrpcProxyFallback(service.name, config.proxy);
    this.#calls = { name: service.name, engine, answers, proxy };
    this.#server = new grpc.Server({
      // grpc-js keeps channelz counters and timestamps per call for a channelz service mockstack does not serve.
      'grpc.enable_channelz': 0,
      'grpc.max_receive_message_length': config.maxMessageBytes,
      'grpc.max_concurrent_streams': limits.grpcMaxConcurrentStreams,
      ...(limits.idleTimeoutMs > 0 && { 'grpc.max_connection_idle_ms': limits.idleTimeoutMs }),
      interceptors: limits.grpcStreamIdleTimeoutMs > 0 ? [streamIdleTimeout(limits.grpcStreamIdleTimeoutMs)] : [],
    });

    for (const methods of this.#protos.services.values()) {
      // A service without methods (`service Names {}`, as in Google's cloud_sql_instance_names.proto) has nothing to serve; grpc-js refuses it.
      if (methods.length === 0) continue;
      const definition: Record<string, grpc.MethodDefinition<unknown, Buffer>> = {};
      const implementation: grpc.UntypedServiceImplementation = {};
      for (const method of methods) {
        definition[method.name] = {
          path: method.path,
          requestStream: method.requestStream,
          responseStream: method.responseStream,
          requestSerialize: (value: unknown) => value as Buffer,
          requestDeserialize: decoder(method.requestType),
          responseSerialize: (value: Buffer) => value,
          responseDeserialize: (value: Buffer) => value,
          originalName: method.name,
        };
        implementation[method.name] = this.#handlerFor(method);
      }
      this.#server.addService(definition as grpc.ServiceDefinition, implementation);
    }
    this.#stopBuiltins = addBuiltinServices(this.#server, this.#protos, config, {
      now: () => engine.variants.some((v) => engine.model.variants.get(v)?.services.get(service.name)?.fault),
      onChange: (listener) => engine.onVariantsChanged(listener),
    });
  }

  #handlerFor(method: MethodInfo): grpc.UntypedHandleCall {
    switch (method.kind) {
      case 'unary':
        return unaryHandler(this.#calls, method);
      case 'client-streaming':
        return clientStreamingHandler(this.#calls, method);
      case 'server-streaming':
        return serverStreamingHandler(this.#calls, method);
      case 'bidi':
        return bidiHandler(this.#calls, method);
    }
  }

  listen(): Promise<ServiceAddress> {
    dropBindFailureLine();
    const host = this.#service.host;
    const hostPort = `${host.includes(':') ? `[${host}]` : host}:${this.#service.port}`;
    const tls = tlsOf(this.#service.config, this.#service.name);
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }], false)
      : grpc.ServerCredentials.createInsecure();
    return new Promise<ServiceAddress>((resolve, reject) => {
      this.#server.bindAsync(hostPort, credentials, (error, port) => {
        if (error) {
          reject(error);
          return;
        }
        const url = `${tls ? 'grpcs' : 'grpc'}://${hostPort.replace(/:\d+$/, `:${port}`)}`;
        resolve({ name: this.#service.name, protocol: 'grpc', host, port, url, ...(tls?.caFile && { ca: tls.caFile }) });
      });
    }).then(async (address) => {
      const web = await this.#createWeb();
      return web ? { ...address, also: [await web.listen()] } : address;
    });
  }

  /** The Connect / gRPC-Web server of the `web` option; its libraries load only for a service that has one. */
  async #createWeb(): Promise<GrpcWebServer | undefined> {
    const config = grpcConfigOf(this.#service);
    if (!config.web) return undefined;
    const { GrpcWebServer } = await import('./web.js');
    this.#web = new GrpcWebServer(this.#service, config.web, config.maxMessageBytes, this.#engine, this.#protos, this.#calls.answers);
    return this.#web;
  }

  /** Lets calls finish for `graceMs` (a moment by default), then cuts the rest (open streams would hold a test or the CLI forever). */
  async close(graceMs = 500): Promise<void> {
    this.#stopBuiltins();
    await this.#web?.close(graceMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#server.forceShutdown(), graceMs);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#calls.proxy?.close();
  }

  /** Rules are read from the engine per call; only new settings or changed proto files need a restart. */
  update(service: Service): boolean {
    if (JSON.stringify(grpcConfigOf(service)) !== this.#configKey) return false;
    try {
      // The loader caches by file set and modification times: the same object means unchanged protos.
      return loadServiceProtos(service, this.#engine.model) === this.#protos;
    } catch {
      return false;
    }
  }
}

let bindFailureLineDropped = false;

/**
 * grpc-js prints "No address added out of total N resolved" itself when a port is taken, before
 * listen() turns the failure into one MOCKSTACK_ERR_PORT_IN_USE line; its logger (console by
 * default) is kept for everything else.
 */
function dropBindFailureLine(): void {
  if (bindFailureLineDropped) return;
  bindFailureLineDropped = true;
  grpc.setLogger({
    error: (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('No address added out of total')) return;
      console.error(...args);
    },
  });
}
