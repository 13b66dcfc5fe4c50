/**
 * The gRPC protocol's part in `mockstack gen`, `check` and `init` (see `ProtocolTooling`): loaded by
 * those commands only, through `grpcAdapter.tooling()`.
 */
import { dirname, join, relative, resolve } from 'node:path';
import {
  ErrorCode,
  type GenerateContext,
  type InitCodeContext,
  type InitContext,
  type InitService,
  MockstackError,
  type Model,
  type ProjectContractFiles,
  type ProtocolTooling,
  resolveContractPath,
  type Service,
  type StaticRule,
} from '@mockstack/core';
import { prop, quote, staticAnswers } from '@mockstack/core/tooling';
import { prepareMessage, ShapeError } from './codec.js';
import { protoTypes } from './gen-types.js';
import { type LoadedProtos, loadProtos, ProtoLoadError } from './protos.js';

/** One gRPC method `init` writes a handler for. */
export interface GrpcStub {
  kind: 'grpc';
  service: string;
  method: string;
  streaming: 'unary' | 'server-streaming' | 'client-streaming' | 'bidi';
}

export const grpcTooling: ProtocolTooling = {
  generateTypes(contracts: ProjectContractFiles, context: GenerateContext) {
    const files = contracts.get('grpc') ?? [];
    try {
      // The protos/ root and each proto's own directory resolve imports, as the gRPC adapter does.
      const protoDirs = [join(context.root, 'protos'), ...new Set(files.map((f) => dirname(f)))];
      return protoTypes(files, [...protoDirs, ...context.includeDirs]);
    } catch (error) {
      throw protoError(error, context.relative);
    }
  },
  initService: (file, _kind, context) => grpcService(file, context),
  checkStatic: (service, rules, model) => ({ violations: checkGrpc(model, service, rules) }),
};

function grpcService(file: string, { named, includeDirs }: InitContext): InitService | undefined {
  let loaded: LoadedProtos;
  try {
    loaded = loadProtos([file], includeDirs);
  } catch (error) {
    if (!(error instanceof ProtoLoadError)) throw error;
    const rel = (path: string) => relative(process.cwd(), path) || path;
    throw error.file ? protoError(error, rel) : new MockstackError(ErrorCode.ContractLoad, `${rel(file)}: ${error.message}`, { cause: error });
  }
  const stubs: GrpcStub[] = [];
  for (const [service, methods] of loaded.services) {
    // Only the services this file defines: an imported proto's services get their own entry when listed.
    const defined = loaded.root.lookupService(service).filename;
    if (defined && resolve(defined) !== file) continue;
    for (const method of methods) stubs.push({ kind: 'grpc', service, method: method.name, streaming: method.kind });
  }
  // A proto of shared messages found in a directory is no service of its own.
  if (stubs.length === 0 && !named) return undefined;
  return {
    protocol: 'grpc',
    stubs,
    imports: [{ from: 'mockstack', names: ['grpc'] }],
    code: (context) => grpcCode(file, includeDirs, stubs, context),
    downFault: (key) => `fault.grpc('UNAVAILABLE', '${key} is down')`,
  };
}

function grpcCode(file: string, includeDirs: readonly string[], stubs: readonly GrpcStub[], { port, stateType, contractPath }: InitCodeContext): string {
  // The proto's own directory is always searched; other import roots are written out.
  const dirs = includeDirs.filter((d) => d !== dirname(file)).map((d) => quote(contractPath(d) || '.'));
  const options = `{ port: ${port}, proto: ${quote(contractPath(file))}${dirs.length ? `, includeDirs: [${dirs.join(', ')}]` : ''} }`;
  const byService = new Map<string, GrpcStub[]>();
  for (const stub of stubs) byService.set(stub.service, [...(byService.get(stub.service) ?? []), stub]);
  const body = [...byService].map(
    ([service, methods]) =>
      `${quote(service)}: {\n${methods
        .map((s) => `${streamingComment(s.streaming)}${prop(s.method)}: ({ state }) => answer(state, ${quote(`${service}/${s.method}`)}),`)
        .join('\n')}\n},`,
  );
  return `grpc<${stateType}>(${options}, {\n${body.join('\n')}\n})`;
}

function streamingComment(kind: GrpcStub['streaming']): string {
  if (kind === 'server-streaming') return '// server streaming: return a list of messages or grpc.stream([…], { interval }) to answer yourself\n';
  if (kind === 'bidi') return '// bidi streaming: `for await (const m of incoming) write(…)` to answer yourself\n';
  return '';
}

function checkGrpc(model: Model, service: Service, rules: readonly StaticRule[]): { source: StaticRule['rule']['source']; message: string }[] {
  const config = service.config as { proto?: string[]; includeDirs?: string[] };
  const files = (config.proto ?? []).map((p) => resolveContractPath(model, p));
  const dirs = (config.includeDirs ?? []).map((d) => resolveContractPath(model, d));
  let protos: LoadedProtos;
  try {
    protos = loadProtos(files, dirs);
  } catch {
    return []; // the adapter's own validation reports protos that do not load
  }
  const out: { source: StaticRule['rule']['source']; message: string }[] = [];
  for (const { rule } of rules) {
    const method = protos.methods.get(rule.operation);
    if (!method) continue;
    const list = Array.isArray(rule.respond) ? rule.respond.map((body) => ({ body })) : staticAnswers(rule.respond);
    for (const { body } of list) {
      if (body === undefined) continue;
      try {
        prepareMessage(method.responseType, body, '');
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        out.push({
          source: rule.source,
          message: `${rule.operation} answers a ${method.responseType.fullName.slice(1)} whose field ${error.path}: ${error.problem}`,
        });
      }
    }
  }
  return out;
}

/** A proto that does not load, named by file and line. */
function protoError(error: unknown, rel: (path: string) => string): MockstackError {
  if (error instanceof MockstackError) return error;
  if (error instanceof ProtoLoadError) {
    const where = error.file ? `${rel(error.file)}${error.line ? `:${error.line}` : ''}: ` : '';
    return new MockstackError(ErrorCode.ContractLoad, `${where}${error.message}`, {
      ...(error.file && { source: { file: error.file, line: error.line ?? 1, column: 1 } }),
      cause: error,
    });
  }
  return new MockstackError(ErrorCode.ContractLoad, `cannot read a contract: ${(error as Error).message}`, { cause: error });
}
