import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Model, resolveContractPath } from '@mockstack/core';

/**
 * Every contract file a model's services read, for --watch: each service's `.proto` files and what
 * they import (through its include dirs), its GraphQL SDL and persisted documents, its OpenAPI document and the files its
 * external `$ref`s name (followed through those files too). Files that do not exist are left out.
 */
export function contractFiles(model: Pick<Model, 'file' | 'root' | 'services'>): string[] {
  const found = new Set<string>();
  for (const service of model.services.values()) {
    const config = service.config;
    const includeDirs = listOf(config.includeDirs).map((d) => resolveContractPath(model, d));
    for (const proto of listOf(config.proto)) followProto(resolveContractPath(model, proto), includeDirs, found);
    for (const schema of listOf(config.schema)) addExisting(resolveContractPath(model, schema), found);
    for (const manifest of listOf(config.persistedDocuments)) addExisting(resolveContractPath(model, manifest), found);
    for (const document of listOf(config.openapi)) followRefs(resolveContractPath(model, document), found);
  }
  return [...found];
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}

function addExisting(file: string, found: Set<string>): boolean {
  if (found.has(file) || !existsSync(file)) return false;
  found.add(file);
  return true;
}

const PROTO_IMPORT = /^\s*import\s+(?:public\s+|weak\s+)?["']([^"']+)["']\s*;/gm;

/** A proto and its imports, looked up as protoc does: the include dirs, then the importing file's dir. */
function followProto(file: string, includeDirs: readonly string[], found: Set<string>): void {
  if (!addExisting(file, found)) return;
  const text = readFileSync(file, 'utf8');
  for (const [, imported] of text.matchAll(PROTO_IMPORT)) {
    if (!imported) continue;
    const candidates = [...includeDirs, dirname(file)].map((dir) => resolve(dir, imported));
    const hit = candidates.find((c) => existsSync(c));
    if (hit) followProto(hit, includeDirs, found);
  }
}

/** `$ref: './common.yaml#/components/…'` or `"$ref": "schemas/order.json"`: the file part of external refs. */
const EXTERNAL_REF = /["']?\$ref["']?\s*:\s*["']?([^"'#\s,}]+)/g;

function followRefs(file: string, found: Set<string>): void {
  if (!addExisting(file, found)) return;
  const text = readFileSync(file, 'utf8');
  for (const [, ref] of text.matchAll(EXTERNAL_REF)) {
    if (!ref || /^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) continue;
    followRefs(resolve(dirname(file), decodeURI(ref)), found);
  }
}
