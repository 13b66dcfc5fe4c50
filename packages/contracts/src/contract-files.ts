/**
 * Where a project's generated types are, and whether they are stale. Kept apart from the
 * generators so that `mockstack up` can ask without loading graphql, ajv or ts-morph; which files
 * are contracts is `@mockstack/core/contract-files`' to say.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findContracts, walkFiles } from '@mockstack/core/contract-files';

export { findContracts };

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
  const { grpc, graphql, graphqlOperations, openapi } = findContracts(root);
  // Files under schemas/ that are no contract of their own may be $ref'd by one (shared components).
  const inputs = new Set([...grpc, ...graphql, ...graphqlOperations, ...openapi, ...walkFiles(join(root, 'schemas'))]);
  return [...inputs].some((input) => statSync(input).mtimeMs > generatedAt);
}
