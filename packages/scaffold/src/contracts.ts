import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { type Adapter, type ContractFileKind, ErrorCode, type InitService, type InitStub, MockstackError } from '@mockstack/core';
import { contractKindOf, contractKindsOf, describeKinds, kindsByEnding, walkFiles } from '@mockstack/core/contract-files';
import { adaptersWith } from '@mockstack/runner';

/** One handler stub to write: `kind` says what it stubs (`grpc`, `graphql`, `openapi`, `route`…), the rest is the protocol's. */
export type Stub = InitStub & Readonly<Record<string, unknown>>;

/** A contract read for `init`: what service to write and its stubs. */
export interface ContractPlan {
  /** The protocol of the service written (`rest` for an OpenAPI document). */
  protocol: string;
  /** Absolute path. */
  file: string;
  /** Base name, for the service's key. */
  name: string;
  stubs: readonly Stub[];
  /** The service as its protocol's tooling writes it. */
  service: InitService;
}

export interface ReadContractsOptions {
  includeDirs?: readonly string[] | undefined;
  lenient?: boolean | undefined;
  /** Protocols besides the built-in ones (see `RunOptions.protocols`): their contract files are read too. */
  protocols?: readonly Adapter[] | undefined;
}

/**
 * The contracts named (files or directories, walked), each read by its protocol's tooling for its
 * operations: gRPC methods of the services a proto defines, Query and Mutation fields of an SDL,
 * OpenAPI operations, and so on for the `protocols` given. In directories, files of no kind (JSON/YAML
 * that is no OpenAPI document), kinds with no service (GraphQL operations) and protos without
 * services (shared messages) are skipped; named files must be contracts.
 */
export async function readContracts(inputs: readonly string[], options: ReadContractsOptions = {}): Promise<ContractPlan[]> {
  const includeDirs = (options.includeDirs ?? []).map((d) => resolve(d));
  const lenient = options.lenient === true;
  const protocols = adaptersWith(options.protocols);
  const kinds = contractKindsOf(protocols);
  // The kinds a service is written for, listed as `up` lists them.
  const accepted = `${describeKinds(kinds.filter((kind) => kind.serve))}, or a directory of them`;
  const read = async (file: string, kind: ContractFileKind, named: boolean, dirs: readonly string[]): Promise<ContractPlan | undefined> => {
    const initService = (await protocols.find((adapter) => adapter.contractFiles?.includes(kind))?.tooling?.())?.initService;
    if (!initService) {
      if (!named) return undefined;
      throw new MockstackError(
        ErrorCode.SourceKind,
        `${file} is a ${kind.label} file, which mockstack init cannot write a service for; it accepts ${accepted}`,
      );
    }
    const service = await initService(file, kind, { named, includeDirs: dirs, lenient });
    return service && { protocol: service.protocol, file, name: basename(file, extname(file)), stubs: service.stubs as Stub[], service };
  };
  const plans: ContractPlan[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    if (!existsSync(path)) throw new MockstackError(ErrorCode.InitNoContracts, `${input} does not exist; pass ${accepted}`);
    if (statSync(path).isDirectory()) {
      for (const file of walkFiles(path)) {
        const kind = contractKindOf(file, kinds);
        const plan = kind && (await read(file, kind, false, [...includeDirs, path]));
        if (plan) plans.push(plan);
      }
      continue;
    }
    const byEnding = kindsByEnding(path, kinds);
    if (byEnding.length === 0) throw new MockstackError(ErrorCode.SourceKind, `${input} is not a contract mockstack init reads; it accepts ${accepted}`);
    const kind = contractKindOf(path, byEnding);
    if (!kind) {
      // A file with a contract ending whose text no kind recognises (a JSON file that is no OpenAPI document).
      throw new MockstackError(ErrorCode.ContractLoad, `${input} is no ${byEnding.map((k) => k.label).join(' or ')} document; it accepts ${accepted}`);
    }
    const plan = await read(path, kind, true, includeDirs);
    if (plan) plans.push(plan);
  }
  return plans;
}
