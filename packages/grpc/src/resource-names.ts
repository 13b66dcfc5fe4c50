import protobuf from 'protobufjs';

/** A resource a message is (AIP-123 `google.api.resource`): its name patterns, and the field holding its name. */
interface ResourceOfMessage {
  patterns: readonly string[];
  nameField: string;
}

/** What a `google.api.resource` or `google.api.resource_definition` option holds (the parts read here). */
interface ResourceDescriptor {
  type?: unknown;
  pattern?: unknown;
  name_field?: unknown;
}

/**
 * The resource names (AIP-122) of a contract: the patterns of each resource type its protos define, on
 * messages (`option (google.api.resource)`) and files (`option (google.api.resource_definition)`), so
 * that an auto-mocked resource is named as its API names it (`projects/p/locations/l/instances/cache`)
 * and a client library's path templates (google-gax's `match…FromInstanceName`) can read the name.
 */
export class ResourceNames {
  readonly #byType = new Map<string, readonly string[]>();
  readonly #ofMessage = new Map<protobuf.Type, ResourceOfMessage>();

  constructor(root: protobuf.Root) {
    this.#collect(root);
  }

  /** The resource `type` is, if it is one. */
  ofMessage(type: protobuf.Type): ResourceOfMessage | undefined {
    return this.#ofMessage.get(type);
  }

  /**
   * The patterns a string field names a resource by (`google.api.resource_reference`): those of its
   * `type`, or for a `child_type` those of the child's parent (the pattern without its last collection and id).
   */
  referencedBy(field: protobuf.Field): readonly string[] | undefined {
    const reference = field.options ?? {};
    const type = reference['(google.api.resource_reference).type'];
    if (typeof type === 'string') return this.#byType.get(type);
    const child = reference['(google.api.resource_reference).child_type'];
    if (typeof child !== 'string') return undefined;
    const parents = this.#byType.get(child)?.map((pattern) => pattern.split('/').slice(0, -2).join('/'));
    return parents?.filter((pattern) => pattern !== '');
  }

  #collect(namespace: protobuf.NamespaceBase): void {
    // protobufjs types them as one object; they are a list of one-option objects, in the order written.
    const options = (namespace.parsedOptions ?? []) as unknown as readonly Record<string, unknown>[];
    for (const option of options) this.#define(option['(google.api.resource_definition)']);
    if (namespace instanceof protobuf.Type) {
      for (const option of options) {
        const resource = option['(google.api.resource)'];
        const patterns = this.#define(resource);
        if (patterns.length === 0) continue;
        const nameField = (resource as ResourceDescriptor).name_field;
        this.#ofMessage.set(namespace, { patterns, nameField: typeof nameField === 'string' && nameField !== '' ? nameField : 'name' });
      }
    }
    for (const nested of namespace.nestedArray) if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) this.#collect(nested);
  }

  /** Notes the patterns of a resource descriptor by its type; returns them (none for anything else). */
  #define(descriptor: unknown): readonly string[] {
    if (typeof descriptor !== 'object' || descriptor === null) return [];
    const { type, pattern } = descriptor as ResourceDescriptor;
    const patterns = (Array.isArray(pattern) ? pattern : [pattern]).filter((p): p is string => typeof p === 'string' && p.includes('{'));
    if (typeof type === 'string' && patterns.length > 0 && !this.#byType.has(type)) this.#byType.set(type, patterns);
    return patterns;
  }
}

/**
 * A name of `pattern` (`projects/{project}/instances/{instance}`): each variable from the request where it
 * says (the leading segments of a name the request holds, when they fit the pattern: its `parent`, or another
 * field as Pub/Sub's `project` and `topic`; an `<variable>_id` field, as a Create request's `instance_id`),
 * else `id(variable)`. With `whole`, for the resource a call answers, a name that fits all of the pattern is
 * taken whole (Pub/Sub's GetTopic asks by `topic`, not `name`).
 */
export function nameOf(pattern: string, request: Record<string, unknown>, id: (variable: string) => string, whole = false): string {
  const segments = pattern.split('/');
  const parent = parentIn(segments, request, whole);
  return segments
    .map((segment, i) => {
      if (!isVariable(segment)) return segment;
      if (i < parent.length) return parent[i] as string;
      const variable = segment.slice(1, -1).replace(/=.*$/, '');
      const given = request[`${variable}_id`] ?? request[`${protobuf.util.camelCase(variable)}Id`];
      return typeof given === 'string' && given !== '' ? given : id(variable);
    })
    .join('/');
}

/**
 * The leading segments of the request's name (its `parent` first, then its other string fields) that fit the
 * most of `segments`, short of the last unless `whole`: a literal segment equal, a variable non-empty. None
 * when no name fits one of the pattern's literal segments and a variable after it.
 */
function parentIn(segments: readonly string[], request: Record<string, unknown>, whole: boolean): readonly string[] {
  const reach = whole ? segments.length : segments.length - 1;
  const names = [request.parent, ...Object.values(request)].filter((value): value is string => typeof value === 'string' && value.includes('/'));
  let best: readonly string[] = [];
  for (const name of names) {
    const parts = name.split('/');
    let fit = 0;
    while (fit < parts.length && fit < reach && parts[fit] !== '' && (isVariable(segments[fit] as string) || segments[fit] === parts[fit])) fit++;
    const fitsVariable = segments.slice(0, fit).some(isVariable) && segments.slice(0, fit).some((segment) => !isVariable(segment));
    if (fitsVariable && fit > best.length) best = parts.slice(0, fit);
  }
  return best;
}

function isVariable(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}
