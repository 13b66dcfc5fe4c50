import { escapeRegExp, type Model, type Problem, ROUTE_METHODS, type Service } from '@mockstack/core';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** A piece of one path segment: literal text, or a parameter with the regex its value must match (find-my-way's `:name(regex)`). */
export type SegmentPart = { text: string } | { param: string; pattern?: string };

/**
 * The parts of one segment as find-my-way (fastify's router) reads it, or why it is malformed:
 * `:id`; `:slug.json`, `:from-:to` (a parameter inside a segment ends at `-`, `.` or its regex);
 * `:name(^.+?)::cancel` (a regex, then text; `::` is a literal colon).
 */
export function segmentParts(segment: string): SegmentPart[] | string {
  const parts: SegmentPart[] = [];
  let text = '';
  let i = 0;
  while (i < segment.length) {
    if (segment.startsWith('::', i)) {
      text += ':';
      i += 2;
      continue;
    }
    const char = segment[i] as string;
    if (char !== ':') {
      if (/[*?#\s{}]/.test(char)) return 'malformed segment';
      text += char;
      i++;
      continue;
    }
    const name = NAME.exec(segment.slice(i + 1))?.[0];
    if (!name) return 'malformed parameter';
    if (text) parts.push({ text });
    text = '';
    i += 1 + name.length;
    if (segment[i] === '(') {
      const close = closingParen(segment, i);
      if (close === -1) return 'malformed parameter';
      parts.push({ param: name, pattern: segment.slice(i + 1, close) });
      i = close + 1;
    } else if (i === segment.length || segment[i] === '-' || segment[i] === '.') parts.push({ param: name });
    else return 'malformed parameter';
  }
  if (text) parts.push({ text });
  return parts;
}

/** The index of the `)` closing the `(` at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** A route template compiled to match concrete paths segment by segment, as find-my-way matches them. */
export interface CompiledTemplate {
  /** One pattern per segment: its parameters are capture groups, named in `names`. */
  segments: { pattern: RegExp; names: readonly string[] }[];
  /** A final `*`, which takes the rest of the path. */
  wildcard: boolean;
  /** How find-my-way ranks it: a static segment before one with text beside a parameter, before a parameter alone. */
  rank: number;
}

/** `template` (well formed: see checkPathTemplate) compiled for matchTemplate. */
export function compileTemplate(template: string): CompiledTemplate {
  const all = template.replace(/\/$/, '').split('/').slice(1);
  const wildcard = all.at(-1) === '*';
  let rank = 0;
  const segments = (wildcard ? all.slice(0, -1) : all).map((segment) => {
    const parts = segmentParts(segment);
    const names: string[] = [];
    if (typeof parts === 'string') return { pattern: new RegExp(`^${escapeRegExp(segment)}$`), names };
    let source = '';
    for (const part of parts) {
      if ('text' in part) source += escapeRegExp(part.text);
      else {
        names.push(part.param);
        source += `(${part.pattern?.replace(/^\^/, '').replace(/\$$/, '') ?? (part === parts.at(-1) ? '.+' : '.+?')})`;
      }
    }
    rank += names.length === 0 ? 1 : parts.length > 1 ? 0.5 : 0;
    return { pattern: new RegExp(`^${source}$`), names };
  });
  return { segments, wildcard, rank };
}

/** The path parameters when `path` (without its query) matches the template, decoded; else undefined. */
export function matchTemplate(template: CompiledTemplate, path: string): Record<string, string> | undefined {
  let segments = path.split('/').slice(1);
  const fixed = template.segments.length;
  // A final `/` is allowed where the template has none (`/orders/` is `/orders`); a wildcard needs its `/`.
  if (!template.wildcard && segments.length === fixed + 1 && segments.at(-1) === '') segments = segments.slice(0, -1);
  if (template.wildcard ? segments.length <= fixed : segments.length !== fixed) return undefined;
  const params: Record<string, string> = {};
  for (const [i, { pattern, names }] of template.segments.entries()) {
    const found = pattern.exec(decode(segments[i] ?? ''));
    if (!found) return undefined;
    names.forEach((name, index) => {
      params[name] = found[index + 1] ?? '';
    });
  }
  if (template.wildcard) params['*'] = decode(segments.slice(fixed).join('/'));
  return params;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Why a path template is malformed, or undefined. Templates look like `/orders/:id/items/*` or `/files/:name.:ext`. */
export function checkPathTemplate(path: string): string | undefined {
  if (!path.startsWith('/')) return `path "${path}" must start with "/"`;
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === '' && !last) return `path "${path}" has an empty segment ("//")`;
    if (segment === '*') {
      if (!last) return `path "${path}" has "*" before its last segment; a wildcard must end the path`;
      continue;
    }
    const parts = segmentParts(segment);
    if (parts === 'malformed parameter') {
      return `path "${path}" has a malformed parameter "${segment}"; write ":name" with letters, digits and "_" (inside a segment, end it with "-", "." or a "(regex)")`;
    }
    if (typeof parts === 'string') return `path "${path}" has a malformed segment "${segment}"; use "/literal", "/:param", "/:param.ext" or a final "/*"`;
    for (const part of parts) {
      if (!('param' in part)) continue;
      if (names.has(part.param)) return `path "${path}" declares parameter ":${part.param}" twice`;
      names.add(part.param);
    }
  }
  return undefined;
}

/** Routes that differ only by parameter names are one route to the router: `/a/:id` and `/a/:key`. */
function shape(path: string): string {
  return path.replace(/::|:[A-Za-z0-9_]+/g, (token) => (token === '::' ? token : ':'));
}

/**
 * Compile-time checks of a REST service: methods, templates, routes the router cannot tell apart,
 * and routes that a service mounted on its port would hide.
 */
export function validateRestService(service: Service, model: Model): Problem[] {
  const problems: Problem[] = [];
  const mounts = [...model.services.values()].filter((s) => s.mount?.on === service.name);
  const shapes = new Map<string, string>();
  for (const operation of service.operations.values()) {
    const method = String(operation.meta.method ?? '');
    const path = String(operation.meta.path ?? '');
    const source = operation.rules[0]?.source;
    if (!ROUTE_METHODS.has(method))
      problems.push({ message: `service "${service.name}": method "${method}" is not one of ${[...ROUTE_METHODS].join(', ')}`, source });
    const malformed = checkPathTemplate(path);
    if (malformed) {
      problems.push({ message: `service "${service.name}": ${malformed}`, source });
      continue;
    }
    const hiddenBy = mounts.find((m) => m.mount && (path === m.mount.path || path.startsWith(`${m.mount.path}/`)));
    if (hiddenBy?.mount) {
      problems.push({
        message: `service "${service.name}": route ${method} ${path} is hidden by service "${hiddenBy.name}", served at ${hiddenBy.mount.path} on this port; move one of them`,
        source,
      });
    }
    const key = `${method} ${shape(path)}`;
    const other = shapes.get(key);
    if (other !== undefined) {
      problems.push({
        message: `service "${service.name}": routes ${method} ${other} and ${method} ${path} are the same route with different parameter names; use one name`,
        source,
      });
    } else shapes.set(key, path);
  }
  return problems;
}
