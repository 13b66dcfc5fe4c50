import { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { ReflectionService } from '@grpc/reflection';
import { HEALTH_PROTO, HEALTH_SERVICE, HealthService } from './health.js';
import type { LoadedProtos } from './protos.js';

/** Whether the whole service fails now (an active variant's fault, `payments-down`), and how to hear when that may change. */
export interface ServiceDown {
  now(): boolean;
  /** Calls `listener` when it may have changed; returns the function that stops that. */
  onChange(listener: () => void): () => void;
}

/**
 * Adds server reflection and the standard health service (as the service's settings ask) to a gRPC
 * server that serves `protos`. A service the user's protos define (their own grpc/health/v1/health.proto,
 * a reflection proto) is served from those protos like any other and replaces the built-in one.
 * While the whole service is `down`, health answers NOT_SERVING. Returns the function that stops
 * listening for that (when the server closes).
 */
export function addBuiltinServices(
  server: grpc.Server,
  protos: LoadedProtos,
  { reflection, health }: { reflection: boolean; health: boolean },
  down: ServiceDown,
): () => void {
  const withHealth = health && !protos.services.has(HEALTH_SERVICE);
  if (reflection) addReflection(server, protos, withHealth);
  return withHealth ? addHealth(server, protos, down) : () => {};
}

const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

/** A reflection method as @grpc/reflection registers it: its definition (message codecs) and handler. */
interface ReflectionMethod {
  definition: grpc.MethodDefinition<unknown, unknown>;
  handler: grpc.handleBidiStreamingCall<unknown, unknown>;
}

/**
 * Server reflection (v1 and v1alpha), built on its first call: describing every loaded file is a
 * fifth of a cold start, for a service that few callers use. Until it is built, each version's method
 * takes the message bytes as they come; they are decoded and answered by @grpc/reflection once it is.
 * A list of the services, what `grpcurl list` and grpcui ask first, is answered from the loaded
 * services' names without building: on google/cloud/compute/v1/compute.proto (124 services, a 1 MB
 * descriptor) the build took 2.6 s.
 */
function addReflection(server: grpc.Server, protos: LoadedProtos, withHealth: boolean): void {
  let built: Promise<Map<string, ReflectionMethod>> | undefined;
  const build = (): Promise<Map<string, ReflectionMethod>> => {
    built ??= buildReflection(protos, withHealth);
    return built;
  };
  // Once a list is answered, the build starts a moment later (the answer on its way): a client's next
  // question then finds it under way or done.
  let scheduled = false;
  const buildSoon = (): void => {
    if (scheduled || built) return;
    scheduled = true;
    setTimeout(() => build().catch(() => {}), 20);
  };
  let lister: Promise<Map<string, ServiceLister>> | undefined;
  const listed = [...protos.services.keys(), ...(withHealth ? [HEALTH_SERVICE] : [])];
  const listerOf = (path: string): Promise<ServiceLister | undefined> => {
    lister ??= serviceListers(listed);
    return lister.then((listers) => listers.get(path));
  };
  const bytes = (value: Buffer): Buffer => value;
  for (const name of REFLECTION_SERVICES) {
    if (protos.services.has(name)) continue;
    const path = `/${name}/ServerReflectionInfo`;
    const definition = {
      path,
      requestStream: true,
      responseStream: true,
      requestSerialize: bytes,
      requestDeserialize: bytes,
      responseSerialize: bytes,
      responseDeserialize: bytes,
    };
    const handler = (call: grpc.ServerDuplexStream<Buffer, Buffer>): void => {
      const fail = (error: unknown): void => {
        call.emit('error', { code: grpc.status.INTERNAL, details: `server reflection could not be built: ${messageOf(error)}` });
      };
      if (built) {
        built.then((methods) => answerWith(methods.get(path), call, [], false), fail);
        return;
      }
      // Until a message other than a list of services comes, each is answered here, in order.
      const queued: Buffer[] = [];
      let ended = false;
      let handedOver = false;
      let answering = Promise.resolve();
      const handOver = (): void => {
        if (handedOver) return;
        handedOver = true;
        // After the lists answered before: a build blocks for as long as it takes.
        answering
          .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
          .then(build)
          .then((methods) => {
            call.off('data', onData);
            call.off('end', onEnd);
            answerWith(methods.get(path), call, queued, ended);
          }, fail);
      };
      const onData = (request: Buffer): void => {
        if (handedOver) {
          queued.push(request);
          return;
        }
        answering = answering
          .then(async () => {
            if (handedOver) {
              queued.push(request);
              return;
            }
            const answer = (await listerOf(path))?.(request);
            if (answer) {
              call.write(answer);
              buildSoon();
            } else {
              queued.push(request);
              handOver();
            }
          })
          .catch(fail);
      };
      const onEnd = (): void => {
        ended = true;
        if (!handedOver) answering.then(() => (handedOver ? undefined : call.end()));
      };
      call.on('data', onData);
      call.on('end', onEnd);
    };
    server.addService({ ServerReflectionInfo: definition }, { ServerReflectionInfo: handler });
  }
}

/** Answers a reflection request that lists the services (its encoded answer), or undefined for any other request. */
type ServiceLister = (request: Buffer) => Buffer | undefined;

/**
 * For each version's method path, the lister of `names`: @grpc/reflection's own codecs of its messages
 * (a reflection service of no files costs a few milliseconds), its answer's shape (`validHost`,
 * `originalRequest`, `listServicesResponse`).
 */
async function serviceListers(names: readonly string[]): Promise<Map<string, ServiceLister>> {
  const { ReflectionService } = await import('@grpc/reflection');
  const empty = new ReflectionService({ mockstack: { format: 'Protocol Buffer 3 EnumDescriptorProto', type: {}, fileDescriptorProtos: [] } });
  const service = names.map((name) => ({ name }));
  const listers = new Map<string, ServiceLister>();
  empty.addToServer({
    addService: (definition) => {
      for (const method of Object.values(definition)) {
        listers.set(method.path, (request) => {
          let message: { messageRequest?: string; host?: string };
          try {
            message = method.requestDeserialize(request) as typeof message;
          } catch {
            return undefined;
          }
          if (message.messageRequest !== 'listServices') return undefined;
          return method.responseSerialize({ validHost: message.host, originalRequest: message, listServicesResponse: { service } });
        });
      }
    },
  });
  return listers;
}

/**
 * Hands the call to @grpc/reflection's handler as a stream of decoded messages: its requests are
 * read from the call once this runs (grpc-js reads a call's messages only when asked), and its
 * answers are encoded onto the call.
 */
function answerWith(method: ReflectionMethod | undefined, call: grpc.ServerDuplexStream<Buffer, Buffer>, queued: readonly Buffer[], ended: boolean): void {
  if (!method) {
    call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'this version of server reflection is not served' });
    return;
  }
  const { definition, handler } = method;
  const messages = new Duplex({
    objectMode: true,
    read: () => {},
    write: (response: unknown, _encoding, done) => {
      call.write(definition.responseSerialize(response));
      done();
    },
    final: (done) => {
      call.end();
      done();
    },
  });
  const take = (request: Buffer): void => {
    try {
      messages.push(definition.requestDeserialize(request));
    } catch (error) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: `the request is not a server reflection request message: ${messageOf(error)}` });
    }
  };
  for (const request of queued) take(request);
  if (ended) messages.push(null);
  else {
    call.on('data', take);
    call.on('end', () => messages.push(null));
  }
  // The handler uses only the stream side of the call (on, write, end).
  handler(messages as unknown as grpc.ServerDuplexStream<unknown, unknown>);
}

/** @grpc/reflection's methods for the loaded files (plus grpc.health.v1 when the built-in health service is on). */
async function buildReflection(protos: LoadedProtos, withHealth: boolean): Promise<Map<string, ReflectionMethod>> {
  const { ReflectionService } = await import('@grpc/reflection');
  const descriptors = await import('./descriptors.js');
  const files = [...descriptors.fileDescriptorProtosOf(protos), ...(withHealth ? healthDescriptors(descriptors) : [])];
  // @grpc/reflection reads only `fileDescriptorProtos` of each entry.
  const definition: PackageDefinition = {
    mockstack: { format: 'Protocol Buffer 3 EnumDescriptorProto', type: {}, fileDescriptorProtos: files },
  };
  const service = await oneIndexForBothVersions(ReflectionService, definition);
  servedAsBuilt(service, files, descriptors.descriptorName);
  indexedAsClientsAsk(service);
  const methods = new Map<string, ReflectionMethod>();
  service.addToServer({
    addService: (definition, implementation) => {
      for (const [name, method] of Object.entries(definition)) {
        methods.set(method.path, { definition: method, handler: implementation[name] as grpc.handleBidiStreamingCall<unknown, unknown> });
      }
    },
  });
  return methods;
}

/**
 * A ReflectionService whose v1alpha serves from v1's index: @grpc/reflection 1.0.4 builds the same index
 * (every file decoded, every symbol visited, every file encoded again) once per version, which was a third
 * of building reflection for compute.proto. Its v1alpha implementation only extends v1's with the other
 * package's service; the two keep their state in the same fields, shared here.
 */
async function oneIndexForBothVersions(Service: typeof ReflectionService, definition: PackageDefinition): Promise<ReflectionService> {
  const { ReflectionV1Implementation } = await import('@grpc/reflection/build/src/implementations/reflection-v1.js');
  const { ReflectionV1AlphaImplementation } = await import('@grpc/reflection/build/src/implementations/reflection-v1alpha.js');
  const v1 = new ReflectionV1Implementation(definition);
  const v1Alpha: unknown = Object.assign(Object.create(ReflectionV1AlphaImplementation.prototype), v1);
  return Object.assign(Object.create(Service.prototype), { v1, v1Alpha }) as ReflectionService;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * grpc.health.v1.Health for the server ('') and each proto service: SERVING, or NOT_SERVING while
 * an active variant fails the whole service, so that probes (and callers watching) see what callers see.
 */
function addHealth(server: grpc.Server, protos: LoadedProtos, down: ServiceDown): () => void {
  const health = new HealthService(['', ...protos.services.keys()]);
  let current = 'SERVING';
  const refresh = (): void => {
    const status = down.now() ? 'NOT_SERVING' : 'SERVING';
    if (status === current) return;
    current = status;
    health.setAll(status);
  };
  refresh();
  health.addTo(server);
  return down.onChange(refresh);
}

/**
 * @grpc/reflection 1.0.4 decodes each file descriptor and serves its own re-encoding, which drops what its
 * descriptor types do not know: the custom options (`(google.api.http)`…), encoded as extension fields.
 * Its per-file encodings (v1 and v1alpha) are replaced with the descriptors as built; a version that
 * renames that map serves its own again (the reflection test of custom options then fails).
 */
function servedAsBuilt(reflection: ReflectionService, files: readonly Uint8Array[], descriptorName: (file: Uint8Array) => string): void {
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

/** A FileDescriptorProto as @grpc/reflection keeps it decoded: what extensionsByName reads of it. */
interface DecodedFile {
  package?: string;
  messageType?: DecodedMessage[];
}
interface DecodedMessage {
  name?: string;
  nestedType?: DecodedMessage[];
  extensionRange?: unknown[];
}

/**
 * @grpc/reflection 1.0.4 names what a file without a `package` declares with a leading dot (`.Greeter`): it
 * listed such services so, and found their symbols only so, where clients (grpcurl, buf curl) ask for `Greeter`
 * and fail. It also indexes extensions by their `extendee` as descriptors write it, fully qualified with a
 * leading dot (`.google.protobuf.FieldOptions`), and looks them up by the name clients send, without one: every
 * all_extension_numbers_of_type and file_containing_extension was NOT_FOUND. Each is indexed by that name too,
 * and a message with extension ranges but no extension answers an empty list, as grpc-go's reflection does
 * (grpcurl asks before calling a method whose request has extension ranges, and fails on NOT_FOUND).
 */
function indexedAsClientsAsk(reflection: ReflectionService): void {
  type Index = {
    symbols?: Record<string, unknown>;
    services?: Record<string, unknown>;
    extensions?: Record<string, Record<number, unknown>>;
    files?: Record<string, DecodedFile>;
  };
  const internals = reflection as unknown as Record<'v1' | 'v1Alpha', Index | undefined>;
  for (const version of [internals.v1, internals.v1Alpha]) {
    for (const [name, file] of Object.entries(version?.symbols ?? {})) {
      if (name.startsWith('.') && version?.symbols) version.symbols[name.slice(1)] ??= file;
    }
    for (const [name, service] of Object.entries(version?.services ?? {})) {
      if (!name.startsWith('.') || !version?.services) continue;
      delete version.services[name];
      version.services[name.slice(1)] = service;
    }
    const extensions = version?.extensions;
    if (typeof extensions !== 'object' || extensions === null) continue;
    for (const [extendee, byNumber] of Object.entries(extensions)) {
      if (extendee.startsWith('.')) extensions[extendee.slice(1)] = { ...extensions[extendee.slice(1)], ...byNumber };
    }
    const extendable = (messages: DecodedMessage[] | undefined, scope: string): void => {
      for (const message of messages ?? []) {
        const name = scope ? `${scope}.${message.name}` : `${message.name}`;
        if (message.extensionRange?.length) extensions[name] ??= {};
        extendable(message.nestedType, name);
      }
    };
    for (const file of Object.values(version?.files ?? {})) extendable(file.messageType, file.package ?? '');
  }
}

let health: Buffer[] | undefined;

/** grpc.health.v1's file descriptor, so that reflection lists the built-in health service too. */
function healthDescriptors({ ownProtoDescriptors, descriptorName }: typeof import('./descriptors.js')): Buffer[] {
  health ??= ownProtoDescriptors(HEALTH_PROTO).filter((file) => descriptorName(file) === HEALTH_PROTO);
  return health;
}
