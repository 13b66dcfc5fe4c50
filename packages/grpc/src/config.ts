import { type CorsOptions, ErrorCode, MockstackError, type Model, resolveContractPath, type Service } from '@mockstack/core';
import { type LoadedProtos, loadProtos, ProtoLoadError } from './protos.js';

/** The settings `grpc({...})` puts in `service.config`, with defaults applied. */
export interface GrpcConfig {
  proto: string[];
  includeDirs: string[];
  autoMock: boolean;
  reflection: boolean;
  health: boolean;
  maxMessageBytes: number;
  /** Connect, gRPC-Web (and gRPC over h2c) on an HTTP port of its own; undefined when not asked for. */
  web: GrpcWebConfig | undefined;
  /** The real server that answers the calls no rule answers (`host:port`, `grpc://…`, `grpcs://…`), if any. */
  proxy: string | undefined;
}

/** The `web` option of `grpc({...})`: where browsers and Connect clients call the service. */
export interface GrpcWebConfig {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to the service's host. */
  host: string | undefined;
  /** undefined or true: pages on this machine may call (like REST); false: no CORS headers. */
  cors: boolean | CorsOptions | undefined;
}

export function grpcConfigOf(service: Service): GrpcConfig {
  const c = service.config as Partial<Record<keyof GrpcConfig, unknown>>;
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  return {
    proto: list(c.proto),
    includeDirs: list(c.includeDirs),
    autoMock: c.autoMock !== false,
    reflection: c.reflection !== false,
    health: c.health !== false,
    maxMessageBytes: typeof c.maxMessageBytes === 'number' ? c.maxMessageBytes : 4 * 1024 * 1024,
    web: webConfigOf(c.web),
    proxy: typeof c.proxy === 'string' ? c.proxy : undefined,
  };
}

function webConfigOf(value: unknown): GrpcWebConfig | undefined {
  if (value === undefined || value === false || value === null) return undefined;
  const web = (typeof value === 'object' ? value : {}) as { port?: unknown; host?: unknown; cors?: unknown };
  return {
    port: typeof web.port === 'number' ? web.port : 0,
    host: typeof web.host === 'string' ? web.host : undefined,
    cors: web.cors as GrpcWebConfig['cors'],
  };
}

/** The service's proto files and include dirs, resolved like every contract path of the scenario. */
export function protoPathsOf(service: Service, model: Pick<Model, 'file' | 'root'>): { files: string[]; includeDirs: string[] } {
  const config = grpcConfigOf(service);
  return { files: config.proto.map((p) => resolveContractPath(model, p)), includeDirs: config.includeDirs.map((d) => resolveContractPath(model, d)) };
}

/** Loads the service's protos or throws a MockstackError naming the proto file and line. */
export function loadServiceProtos(service: Service, model: Pick<Model, 'file' | 'root'>): LoadedProtos {
  const { files, includeDirs } = protoPathsOf(service, model);
  try {
    return loadProtos(files, includeDirs);
  } catch (error) {
    if (error instanceof ProtoLoadError) {
      throw new MockstackError(ErrorCode.ContractLoad, `service "${service.name}": ${error.message}`, {
        source: error.file ? { file: error.file, line: error.line ?? 1, column: 1 } : service.source,
        cause: error,
      });
    }
    throw error;
  }
}
