import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { BadMessage, decoder } from './codec.js';
import { ownProtoPath } from './protos.js';

/** The health proto mockstack serves (a copy of grpc-proto's grpc/health/v1/health.proto). */
export const HEALTH_PROTO = 'grpc/health/v1/health.proto';
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** As many services as List answers with before it answers RESOURCE_EXHAUSTED (grpc-proto's reference servers use 100). */
const LIST_LIMIT = 100;

/**
 * grpc.health.v1.Health (Check, Watch, List) over a fixed set of services, each SERVING or
 * NOT_SERVING. Its messages are read and written with protobufjs, like the user's services: it is
 * loaded with the stack, and a health library built on @grpc/proto-loader cost a tenth of a cold start.
 */
export class HealthService {
  readonly #statuses: Map<string, ServingStatus>;
  readonly #watchers = new Map<string, Set<(status: ServingStatus) => void>>();

  constructor(services: readonly string[]) {
    this.#statuses = new Map(services.map((name) => [name, 'SERVING']));
  }

  /** Sets every service's status, telling the callers that watch it. */
  setAll(status: ServingStatus): void {
    for (const name of this.#statuses.keys()) {
      this.#statuses.set(name, status);
      for (const watcher of this.#watchers.get(name) ?? []) watcher(status);
    }
  }

  /** Adds the service to `server`. */
  addTo(server: grpc.Server): void {
    const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const method of healthService().methodsArray) {
      const request = method.resolvedRequestType as protobuf.Type;
      const response = method.resolvedResponseType as protobuf.Type;
      definition[method.name] = {
        path: `/${HEALTH_SERVICE}/${method.name}`,
        requestStream: false,
        responseStream: Boolean(method.responseStream),
        requestDeserialize: decoder(request),
        responseSerialize: (value: unknown) => Buffer.from(response.encode(response.fromObject(value as object)).finish()),
        // What a client would use; a server never calls them.
        requestSerialize: (value: unknown) => value as Buffer,
        responseDeserialize: (value: Buffer) => value,
      };
    }
    const implementation: grpc.UntypedServiceImplementation = {
      Check: (call: grpc.ServerUnaryCall<unknown, object>, callback: grpc.sendUnaryData<object>) => {
        const service = this.#serviceAsked(call.request);
        if (service instanceof BadMessage) return callback({ code: grpc.status.INVALID_ARGUMENT, details: service.reason });
        const status = this.#statuses.get(service);
        if (status) callback(null, { status });
        else callback({ code: grpc.status.NOT_FOUND, details: `Health status unknown for service ${service}` });
      },
      Watch: (call: grpc.ServerWritableStream<unknown, object>) => {
        const service = this.#serviceAsked(call.request);
        if (service instanceof BadMessage) {
          call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: service.reason });
          return;
        }
        const watcher = (status: ServingStatus): void => {
          call.write({ status });
        };
        const watchers = this.#watchers.get(service) ?? new Set();
        this.#watchers.set(service, watchers);
        watchers.add(watcher);
        call.on('cancelled', () => watchers.delete(watcher));
        call.write({ status: this.#statuses.get(service) ?? 'SERVICE_UNKNOWN' });
      },
      List: (call: grpc.ServerUnaryCall<unknown, object>, callback: grpc.sendUnaryData<object>) => {
        if (call.request instanceof BadMessage) return callback({ code: grpc.status.INVALID_ARGUMENT, details: call.request.reason });
        if (this.#statuses.size > LIST_LIMIT) return callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'Too many services to list.' });
        callback(null, { statuses: Object.fromEntries([...this.#statuses].map(([name, status]) => [name, { status }])) });
      },
    };
    server.addService(definition as grpc.ServiceDefinition, implementation);
  }

  /** The service a Check or Watch request names ('' for the whole server), or why the request does not decode. */
  #serviceAsked(request: unknown): string | BadMessage {
    if (request instanceof BadMessage) return request;
    return (request as { service?: string }).service ?? '';
  }
}

let service: protobuf.Service | undefined;

/** The health proto's service, its message types resolved, parsed once per process. */
function healthService(): protobuf.Service {
  if (!service) {
    const root = new protobuf.Root().loadSync(ownProtoPath(HEALTH_PROTO));
    root.resolveAll();
    service = root.lookupService(HEALTH_SERVICE);
  }
  return service;
}
