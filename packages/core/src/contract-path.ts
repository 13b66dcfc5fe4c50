import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Model } from './model.js';

/**
 * Where a contract path written in a scenario (`'schemas/catalog.graphql'`) points: next to the
 * scenario file first, then the project root (nearest package.json above it), then the cwd.
 */
export function resolveContractPath(model: Pick<Model, 'file' | 'root'>, path: string): string {
  if (isAbsolute(path)) return path;
  const candidates = [model.file && resolve(dirname(model.file), path), model.root && resolve(model.root, path), resolve(path)];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c as string)) ?? resolve(model.root ?? process.cwd(), path);
}

/** The nearest directory at or above `from` that holds a package.json (or `from` itself). */
export function projectRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}
