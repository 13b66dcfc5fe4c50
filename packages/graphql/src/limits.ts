import { type DocumentNode, type FragmentDefinitionNode, Kind, type SelectionSetNode } from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxFields: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 15, maxFields: 2000 };

/**
 * Why a document is too deep or too large, or undefined when it is within the limits.
 * Depth counts nested field selections through fragments; introspection (`__schema`, `__type`)
 * is not counted, so tools' introspection queries always pass. The walk stops at the limits,
 * so a document built to explode through fragments costs no more than `maxFields` visits.
 */
export function checkLimits(document: DocumentNode, limits: QueryLimits): { message: string; code: 'QUERY_TOO_DEEP' | 'QUERY_TOO_LARGE' } | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let fields = 0;
  let deepest = 0;
  let deepestPath = '';

  const walk = (set: SelectionSetNode, depth: number, path: string, seen: ReadonlySet<string>): boolean => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        if (++fields > limits.maxFields) return false;
        const here = path ? `${path}.${name}` : name;
        if (depth + 1 > deepest) {
          deepest = depth + 1;
          deepestPath = here;
          if (deepest > limits.maxDepth) return false;
        }
        if (selection.selectionSet && !walk(selection.selectionSet, depth + 1, here, seen)) return false;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!walk(selection.selectionSet, depth, path, seen)) return false;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        if (!walk(fragment.selectionSet, depth, path, new Set([...seen, name]))) return false;
      }
    }
    return true;
  };

  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (walk(definition.selectionSet, 0, '', new Set())) continue;
    if (fields > limits.maxFields) {
      return {
        code: 'QUERY_TOO_LARGE',
        message: `the query selects more than ${limits.maxFields} fields (fragments expanded); this service allows ${limits.maxFields} (set maxFields on the service to raise it)`,
      };
    }
    return {
      code: 'QUERY_TOO_DEEP',
      message: `the query nests deeper than ${limits.maxDepth} levels (at ${deepestPath}); this service allows ${limits.maxDepth} (set maxDepth on the service to raise it)`,
    };
  }
  return undefined;
}
