import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { descriptorName } from './descriptors.js';
import { type LoadedProtos, protoFileDescriptors } from './protos.js';

const HEALTH_SERVICE = 'grpc.health.v1.Health';

/**
 * Adds server reflection and the standard health service (as the service's settings ask) to a gRPC
 * server that serves `protos`. A service the user's protos define (their own grpc/health/v1/health.proto,
 * a reflection proto) is served from those protos like any other and replaces the built-in one.
 * `down` says whether the whole service fails now (an active variant's fault): health then answers NOT_SERVING.
 */
export function addBuiltinServices(
  server: grpc.Server,
  protos: LoadedProtos,
  { reflection, health }: { reflection: boolean; health: boolean },
  down: () => boolean,
): void {
  const withHealth = health && !protos.services.has(HEALTH_SERVICE);
  if (reflection) {
    const files = [...protos.fileDescriptorProtos(), ...(withHealth ? healthDescriptors() : [])];
    // @grpc/reflection reads only `fileDescriptorProtos` of each entry.
    const definition: PackageDefinition = {
      mockstack: { format: 'Protocol Buffer 3 EnumDescriptorProto', type: {}, fileDescriptorProtos: files },
    };
    const service = new ReflectionService(definition);
    servedAsBuilt(service, files);
    service.addToServer({
      addService: (definition, implementation) => {
        const path = Object.values(definition)[0]?.path ?? '';
        if (!protos.services.has(path.slice(1, path.lastIndexOf('/')))) server.addService(definition, implementation);
      },
    });
  }
  if (withHealth) addHealth(server, protos, down);
}

/**
 * grpc.health.v1.Health for the server ('') and each proto service: SERVING, or NOT_SERVING while
 * an active variant fails the whole service (`payments-down`), so that probes see what callers see.
 */
function addHealth(server: grpc.Server, protos: LoadedProtos, down: () => boolean): void {
  const names = ['', ...protos.services.keys()];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'SERVING' as const])));
  let current = 'SERVING';
  const refresh = (): void => {
    const status = down() ? 'NOT_SERVING' : 'SERVING';
    if (status === current) return;
    current = status;
    for (const name of names) health.setStatus(name, status);
  };
  health.addToServer({
    addService: (definition, implementation) => {
      const wrap =
        (handler: grpc.UntypedHandleCall): grpc.UntypedHandleCall =>
        (...args: Parameters<grpc.handleUnaryCall<unknown, unknown>>) => {
          const [call, callback] = args;
          if (call.request instanceof UndecodableRequest) {
            const status = { code: grpc.status.INVALID_ARGUMENT, details: call.request.message };
            if (typeof callback === 'function') callback(status);
            else (call as unknown as grpc.ServerWritableStream<unknown, unknown>).emit('error', status);
            return;
          }
          refresh();
          (handler as (...a: unknown[]) => void)(...args);
        };
      const wrapped = Object.fromEntries(Object.entries(implementation).map(([name, handler]) => [name, wrap(handler)]));
      server.addService(tolerantDecoding(definition as grpc.ServiceDefinition), wrapped);
    },
  });
}

/** A request of a built-in service whose bytes do not decode: its handler answers INVALID_ARGUMENT. */
class UndecodableRequest {
  constructor(readonly message: string) {}
}

/**
 * The definition with request decoding that never throws: grpc-js answers a decoding failure
 * INTERNAL (a server error), but bytes that are not the method's message are the client's mistake.
 */
function tolerantDecoding(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          try {
            return method.requestDeserialize(bytes);
          } catch (error) {
            return new UndecodableRequest(`the request is not a ${method.path} request message: ${error instanceof Error ? error.message : String(error)}`);
          }
        },
      },
    ]),
  );
}

/**
 * @grpc/reflection 1.0.4 decodes each file descriptor and serves its own re-encoding, which drops what its
 * descriptor types do not know: the custom options (`(google.api.http)`…), encoded as extension fields.
 * Its per-file encodings (v1 and v1alpha) are replaced with the descriptors as built; a version that
 * renames that map serves its own again (the reflection test of custom options then fails).
 */
function servedAsBuilt(reflection: ReflectionService, files: readonly Uint8Array[]): void {
  const byName = new Map(files.map((file) => [descriptorName(file), file]));
  const internals = reflection as unknown as Record<'v1' | 'v1Alpha', { fileEncodings?: Map<{ name?: string }, Uint8Array> } | undefined>;
  for (const version of [internals.v1, internals.v1Alpha]) {
    const encodings = version?.fileEncodings;
    if (!(encodings instanceof Map)) continue;
    for (const file of encodings.keys()) {
      const built = file.name === undefined ? undefined : byName.get(file.name);
      if (built) encodings.set(file, built);
    }
  }
}

let health: Buffer[] | undefined;

/** grpc.health.v1's file descriptor, so that reflection lists the built-in health service too. */
function healthDescriptors(): Buffer[] {
  health ??= protoFileDescriptors([healthProtoPath]).filter((file) => descriptorName(file) === 'health.proto');
  return health;
}
