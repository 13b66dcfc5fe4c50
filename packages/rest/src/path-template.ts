import type { Model, Problem, Service } from '@mockstack/core';

const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Why a path template is malformed, or undefined. Templates look like `/orders/:id/items/*`. */
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
    if (segment.startsWith(':')) {
      if (!PARAM.test(segment)) return `path "${path}" has a malformed parameter "${segment}"; write ":name" with letters, digits and "_"`;
      if (names.has(segment)) return `path "${path}" declares parameter "${segment}" twice`;
      names.add(segment);
    } else if (/[:*?#\s{}]/.test(segment)) {
      return `path "${path}" has a malformed segment "${segment}"; use "/literal", "/:param" or a final "/*"`;
    }
  }
  return undefined;
}

/** Routes that differ only by parameter names are one route to the router: `/a/:id` and `/a/:key`. */
function shape(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+/g, ':');
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
    if (!METHODS.has(method)) problems.push({ message: `service "${service.name}": method "${method}" is not one of ${[...METHODS].join(', ')}`, source });
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
