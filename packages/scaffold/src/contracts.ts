import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, relative, resolve } from 'node:path';
import { ErrorCode, MockstackError } from '@mockstack/core';
import { CONTRACT_ENDINGS_TEXT, protocolOfEnding, sniffContract, walkFiles } from '@mockstack/core/contract-files';
import { loadProtos, ProtoLoadError } from '@mockstack/grpc';
import { loadOpenApi } from '@mockstack/openapi';
import { buildASTSchema, GraphQLError, isObjectType, parse, Source, validateSchema } from 'graphql';
import { validateSDL } from 'graphql/validation/validate.js';

/** One handler stub to write. */
export type Stub =
  | { kind: 'grpc'; service: string; method: string; streaming: 'unary' | 'server-streaming' | 'client-streaming' | 'bidi' }
  | { kind: 'graphql'; type: string; field: string }
  | { kind: 'openapi'; operationId: string; method: string; route: string }
  | { kind: 'route'; method: string; route: string };

/** A contract read for `init`: what service to write and its stubs. */
export interface ContractPlan {
  protocol: 'grpc' | 'graphql' | 'rest';
  /** Absolute path. */
  file: string;
  /** Base name, for the service's key. */
  name: string;
  /** Proto import directories (absolute). */
  includeDirs: string[];
  stubs: Stub[];
}

const ACCEPTED = `${CONTRACT_ENDINGS_TEXT}, or a directory of them`;

/**
 * The contracts named (files or directories, walked), each read for its operations: gRPC methods
 * of the services a proto defines, Query and Mutation fields of an SDL, OpenAPI operations.
 * In directories, JSON/YAML files that are not OpenAPI 3 or Swagger 2.0 documents (shared component files)
 * and protos without services (shared messages) are skipped; named files must be contracts.
 */
export async function readContracts(
  inputs: readonly string[],
  options: { includeDirs?: readonly string[] | undefined; lenient?: boolean | undefined } = {},
): Promise<ContractPlan[]> {
  const includeDirs = options.includeDirs ?? [];
  const lenient = options.lenient === true;
  const plans: ContractPlan[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    if (!existsSync(path)) throw new MockstackError(ErrorCode.InitNoContracts, `${input} does not exist; pass ${ACCEPTED}`);
    if (statSync(path).isDirectory()) {
      for (const file of walkFiles(path)) {
        const kind = protocolOf(sniffContract(file));
        if (!kind) continue;
        const plan = await readContract(file, kind, [...includeDirs.map((d) => resolve(d)), path], lenient);
        if (plan.stubs.length > 0 || kind !== 'grpc') plans.push(plan);
      }
      continue;
    }
    const ending = protocolOfEnding(path);
    if (!ending) throw new MockstackError(ErrorCode.SourceKind, `${input} is not a contract mockstack init reads; it accepts ${ACCEPTED}`);
    const sniffed = sniffContract(path);
    if (ending === 'openapi' && !sniffed)
      throw new MockstackError(ErrorCode.ContractLoad, `${input} is not an OpenAPI document (no top-level \`openapi: 3.x\` or \`swagger: 2.0\`); ${ACCEPTED}`);
    if (sniffed === 'graphql-operations')
      throw new MockstackError(
        ErrorCode.ContractLoad,
        `${input} holds only GraphQL operations (what clients send), not a schema to serve; name the schema (SDL) instead`,
      );
    const kind = protocolOf(sniffed);
    if (!kind) throw new MockstackError(ErrorCode.SourceKind, `${input} is not a contract mockstack init reads; it accepts ${ACCEPTED}`);
    plans.push(
      await readContract(
        path,
        kind,
        includeDirs.map((d) => resolve(d)),
        lenient,
      ),
    );
  }
  return plans;
}

/** The service a contract kind is written as; operation documents are typed by `gen`, not served. */
function protocolOf(kind: ReturnType<typeof sniffContract>): ContractPlan['protocol'] | undefined {
  if (kind === 'grpc' || kind === 'graphql') return kind;
  return kind === 'openapi' ? 'rest' : undefined;
}

async function readContract(file: string, protocol: ContractPlan['protocol'], includeDirs: string[], lenient: boolean): Promise<ContractPlan> {
  const name = basename(file, extname(file));
  const stubs = protocol === 'grpc' ? grpcStubs(file, includeDirs) : protocol === 'graphql' ? graphqlStubs(file, lenient) : await openapiStubs(file, lenient);
  return { protocol, file, name, includeDirs: protocol === 'grpc' ? includeDirs : [], stubs };
}

function grpcStubs(file: string, includeDirs: string[]): Stub[] {
  let loaded: ReturnType<typeof loadProtos>;
  try {
    loaded = loadProtos([file], includeDirs);
  } catch (error) {
    if (error instanceof ProtoLoadError) {
      const where = error.file ? `${rel(error.file)}${error.line ? `:${error.line}` : ''}` : rel(file);
      throw new MockstackError(ErrorCode.ContractLoad, `${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const stubs: Stub[] = [];
  for (const [service, methods] of loaded.services) {
    // Only the services this file defines: an imported proto's services get their own entry when listed.
    const defined = loaded.root.lookupService(service).filename;
    if (defined && resolve(defined) !== file) continue;
    for (const method of methods) stubs.push({ kind: 'grpc', service, method: method.name, streaming: method.kind });
  }
  return stubs;
}

function graphqlStubs(file: string, lenient: boolean): Stub[] {
  let schema: ReturnType<typeof buildASTSchema>;
  try {
    const document = parse(new Source(readFileSync(file, 'utf8'), file));
    const [sdlProblem] = lenient ? [] : validateSDL(document);
    if (sdlProblem) throw sdlProblem;
    schema = buildASTSchema(document, { assumeValidSDL: true, assumeValid: lenient });
    const [problem] = lenient ? [] : validateSchema(schema);
    if (problem) throw problem;
  } catch (error) {
    const location = error instanceof GraphQLError ? error.locations?.[0] : undefined;
    throw new MockstackError(ErrorCode.ContractLoad, `${rel(file)}${location ? `:${location.line}:${location.column}` : ''}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const stubs: Stub[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root || !isObjectType(root)) continue;
    for (const field of Object.keys(root.getFields())) stubs.push({ kind: 'graphql', type: root.name, field });
  }
  return stubs;
}

async function openapiStubs(file: string, lenient: boolean): Promise<Stub[]> {
  const api = await loadOpenApi(file, { lenient });
  return api.operations.map((op) =>
    op.operationId
      ? { kind: 'openapi', operationId: op.operationId, method: op.method, route: op.route }
      : { kind: 'route', method: op.method, route: op.route },
  );
}

function rel(file: string): string {
  return relative(process.cwd(), file) || file;
}
