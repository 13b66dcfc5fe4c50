/**
 * Where a project's generated types are, and whether they are stale. Kept apart from the
 * generators so that `mockstack up` can ask without loading graphql, ajv or ts-morph; which files
 * are contracts is the registered protocols' to say (`Adapter.contractFiles`).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Adapter, ContractFileKind } from '@mockstack/core';
import { contractKindsOf, findContracts as findContractsOf, type ProjectContracts, walkFiles } from '@mockstack/core/contract-files';
import { adaptersWith } from '@mockstack/runner';

/** Where `mockstack gen` writes, relative to the project root (git-ignored). */
export const GENERATED_DIR = join('scenarios', 'generated');
export const GENERATED_FILE = 'contracts.d.ts';

export interface GenerateOptions {
  /**
   * The project root: contracts are looked up in its `protos/` and `schemas/`, and wherever its
   * `scenarios/` modules name them. Default: cwd.
   */
  root?: string | undefined;
  /** Output directory (default `scenarios/generated` under the root). */
  outDir?: string | undefined;
  /** Extra directories where proto imports are looked up. */
  includeDirs?: readonly string[] | undefined;
  /** Generate from GraphQL SDL with validity problems (as `up --lenient` serves it), a warning per problem. Default false. */
  lenient?: boolean | undefined;
  /** Protocols besides the built-in ones (see `RunOptions.protocols`): their contracts are typed too. */
  protocols?: readonly Adapter[] | undefined;
}

/** Every kind of contract file the protocols read (built-in ones plus `protocols`). */
export function contractKinds(protocols?: readonly Adapter[]): ContractFileKind[] {
  return contractKindsOf(adaptersWith(protocols));
}

/** The contracts of a project, of every kind the protocols (built-in ones plus `protocols`) read. */
export function findContracts(root: string, protocols?: readonly Adapter[]): ProjectContracts {
  return findContractsOf(root, contractKinds(protocols));
}

/** The generated file of a project. */
export function generatedFile(options: GenerateOptions = {}): string {
  const root = resolve(options.root ?? process.cwd());
  return resolve(root, options.outDir ?? GENERATED_DIR, GENERATED_FILE);
}

/** True when the generated types are missing or older than a contract. */
export function isStale(options: GenerateOptions = {}): boolean {
  const file = generatedFile(options);
  if (!existsSync(file)) return true;
  const generatedAt = statSync(file).mtimeMs;
  const root = resolve(options.root ?? process.cwd());
  // Files under schemas/ that are no contract of their own may be $ref'd by one (shared components).
  const inputs = new Set([...findContracts(root, options.protocols).files, ...walkFiles(join(root, 'schemas'))]);
  return [...inputs].some((input) => statSync(input).mtimeMs > generatedAt);
}
