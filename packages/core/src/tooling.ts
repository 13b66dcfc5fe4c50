/**
 * Helpers every protocol's tooling (`gen`, `check`, `init`; see `ProtocolTooling`) shares: writing
 * TypeScript text, and the answers a static responder gives. Free of protocol libraries.
 */
import type { GeneratedTypes } from './adapter.js';
import { isFault, isReply, isSequence } from './reply.js';

/** A string literal in TypeScript. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A property name: bare when it is an identifier, quoted otherwise. */
export function prop(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

/** A TypeScript identifier made of any text (`schemas/catalog.graphql` → `schemas_catalog_graphql`). */
export function identOf(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** Code-unit order (not locale order), so generated text is the same on every machine. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Generated types joined: declarations in order, each registry part once (in the order first named) with every entry. */
export function joinTypes(parts: readonly GeneratedTypes[]): { declarations: string[]; registry: Record<string, string[]>; warnings: string[] } {
  const joined = { declarations: [] as string[], registry: {} as Record<string, string[]>, warnings: [] as string[] };
  for (const part of parts) {
    joined.declarations.push(...part.declarations);
    joined.warnings.push(...(part.warnings ?? []));
    for (const [key, entries] of Object.entries(part.registry)) joined.registry[key] = [...(joined.registry[key] ?? []), ...entries];
  }
  return joined;
}

const STREAM = Symbol.for('mockstack.grpc.stream');
const PAUSE = Symbol.for('mockstack.grpc.pause');

/** One answer a static responder gives: the body, the status when it is a reply, and whether it is a stream item. */
export interface StaticAnswer {
  body: unknown;
  status: number | undefined;
  stream: boolean;
}

/** The bodies a static responder answers with, with the status when it is a reply (skipping faults and pauses). */
export function staticAnswers(respond: unknown): StaticAnswer[] {
  if (isFault(respond)) return [];
  if (isSequence(respond)) return respond.steps.flatMap((step) => (typeof step === 'function' ? [] : staticAnswers(step)));
  if (isReply(respond)) {
    const stream = (respond.body as Record<symbol, { items?: unknown }> | undefined)?.[STREAM];
    if (stream) {
      const items = stream.items;
      if (!Array.isArray(items)) return [];
      return items
        .filter((item) => typeof item === 'object' && item !== null && !isFault(item) && !(PAUSE in item))
        .map((body) => ({ body, status: undefined, stream: true }));
    }
    return [{ body: respond.body, status: respond.status, stream: false }];
  }
  return [{ body: respond, status: undefined, stream: false }];
}

/** A value for messages: `"text"`, `a list`, `an object`, `number 3`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return `${typeof value} ${String(value)}`;
}
