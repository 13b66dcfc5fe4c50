import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import { isRecord, parseJsonOrUndefined, type ServiceDefinition } from '@mockstack/core';
import { loadScenario } from './load-scenario.js';

/** The recordings `up` serves through `mockstack import`: a Postman collection's saved examples, a HAR file's exchanges. */
export type ImportedFormat = 'postman' | 'har';

/** A JSON text that is a Postman collection (v2.0/v2.1) or a HAR file, or undefined. */
export function importedFormatOf(text: string): ImportedFormat | undefined {
  const document = parseJsonOrUndefined(text);
  if (!isRecord(document)) return undefined;
  if (isRecord(document.log) && Array.isArray(document.log.entries)) return 'har';
  if (isRecord(document.info) && Array.isArray(document.item)) return 'postman';
  return undefined;
}

/** The services of an imported recording, and its state machines. */
export interface ImportedServices {
  services: Record<string, ServiceDefinition>;
  machines: Readonly<Record<string, readonly string[]>>;
}

/**
 * A Postman collection or HAR file served as `mockstack import` writes it (each saved example, each
 * recorded answer): the scenario is written once per content under `.mockstack/imported/` and loaded
 * from there, so both serve alike. Its services get free ports, the first the one `:port` gave.
 */
export async function importedServices(file: string, port: number | undefined, cwd = process.cwd()): Promise<ImportedServices> {
  const text = readFileSync(file, 'utf8');
  const name = basename(file, extname(file)).replace(/[^A-Za-z0-9_-]+/g, '-') || 'imported';
  const hash = createHash('sha256').update(resolve(file)).update('\0').update(text).digest('hex').slice(0, 12);
  const out = resolve(cwd, '.mockstack', 'imported', hash, `${name}.ts`);
  if (!existsSync(out)) {
    // ts-morph and the importers load only here.
    const { emitScenario, importSource } = await import('@mockstack/record');
    const imported = importSource(file);
    await emitScenario(imported.draft, {
      out,
      name,
      root: dirname(out),
      force: true,
      origin: `\`mockstack up\` of ${imported.format} ${relative(cwd, file) || file}`,
    });
  }
  const { definition } = await loadScenario(out);
  const services = Object.fromEntries(
    Object.entries(definition.services).map(([service, served], i) => [service, { ...served, port: i === 0 && port !== undefined ? port : 0 }]),
  );
  return { services, machines: definition.machines ?? {} };
}
