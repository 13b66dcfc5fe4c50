import {
  type DefinitionNode,
  type DocumentNode,
  type GraphQLFieldResolver,
  Kind,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  parse,
  visit,
} from 'graphql';

// An Apollo Federation subgraph's SDL (`extend schema @link(url: "https://specs.apollo.dev/federation/v2.…")`,
// or v1's `@key` and `extend type` of types defined elsewhere) builds as @apollo/subgraph's
// buildSubgraphSchema builds it: the federation directives and scalars it uses without defining are
// added, an extension of a type no file defines becomes its definition, and Query gets `_service` and,
// when types have `@key`, `_entities` (the fields a router asks a subgraph).

/** The definitions of the federation subgraph specification (v1 and v2 directives), each added only when the SDL uses it undefined. */
const FEDERATION_SDL = `
scalar _Any
scalar FieldSet
scalar _FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
scalar federation__Scope
scalar federation__Policy
scalar federation__ContextFieldValue
directive @link(url: String!, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external(reason: String) on OBJECT | FIELD_DEFINITION
directive @extends on OBJECT | INTERFACE
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA
directive @interfaceObject on OBJECT
directive @composeDirective(name: String!) repeatable on SCHEMA
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[federation__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[federation__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION
directive @fromContext(field: federation__ContextFieldValue) on ARGUMENT_DEFINITION
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`;

/** Directives only federation gives a meaning: an SDL that uses one of them undefined is a subgraph's. */
const FEDERATION_ONLY = new Set(['key', 'external', 'requires', 'provides', 'extends', 'shareable', 'interfaceObject', 'composeDirective']);
const FEDERATION_LINK = /^https:\/\/specs\.apollo\.dev\/federation\//;

let federationDefinitions: readonly DefinitionNode[] | undefined;
const definitionsOfFederation = (): readonly DefinitionNode[] => {
  federationDefinitions ??= parse(FEDERATION_SDL, { noLocation: true }).definitions;
  return federationDefinitions;
};

const nameOf = (definition: DefinitionNode): string | undefined => ('name' in definition && definition.name ? definition.name.value : undefined);

/** What a subgraph's documents define and use: to tell whether they are one, and what to add. */
interface Usage {
  defined: Set<string>;
  directivesDefined: Set<string>;
  directivesUsed: Set<string>;
  linksFederation: boolean;
  /** Types with `@key` (object types and their extensions): the members of `_Entity`. */
  entities: Set<string>;
}

function usageOf(documents: readonly DocumentNode[]): Usage {
  const usage: Usage = { defined: new Set(), directivesDefined: new Set(), directivesUsed: new Set(), linksFederation: false, entities: new Set() };
  for (const document of documents) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.DIRECTIVE_DEFINITION) usage.directivesDefined.add(definition.name.value);
      else if ('name' in definition && definition.name && !definition.kind.endsWith('Extension')) usage.defined.add(definition.name.value);
      if ((definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) && hasKey(definition)) {
        usage.entities.add(definition.name.value);
      }
    }
    visit(document, {
      Directive(node) {
        usage.directivesUsed.add(node.name.value);
        if (node.name.value !== 'link') return;
        const url = node.arguments?.find((a) => a.name.value === 'url')?.value;
        if (url?.kind === Kind.STRING && FEDERATION_LINK.test(url.value)) usage.linksFederation = true;
      },
    });
  }
  return usage;
}

function hasKey(definition: ObjectTypeDefinitionNode | ObjectTypeExtensionNode): boolean {
  return (definition.directives ?? []).some(
    (d) => d.name.value === 'key' && (d.arguments ?? []).every((a) => a.name.value !== 'resolvable' || a.value.kind !== Kind.BOOLEAN || a.value.value),
  );
}

/** True when the documents are a federation subgraph's: they link the federation spec, or use its directives without defining them. */
export function isSubgraph(documents: readonly DocumentNode[]): boolean {
  const usage = usageOf(documents);
  return usage.linksFederation || [...FEDERATION_ONLY].some((name) => usage.directivesUsed.has(name) && !usage.directivesDefined.has(name));
}

/**
 * A subgraph's documents as @apollo/subgraph builds them: the federation definitions they use and
 * do not define first, each extension of a type no document defines turned into its definition, and
 * `_service` (and `_entities` with the `_Entity` union, when types have `@key`) added to Query.
 */
export function subgraphDocuments(documents: readonly DocumentNode[]): DocumentNode[] {
  const usage = usageOf(documents);
  const added = definitionsOfFederation().filter((definition) => {
    const name = nameOf(definition) ?? '';
    return definition.kind === Kind.DIRECTIVE_DEFINITION ? !usage.directivesDefined.has(name) && usage.directivesUsed.has(name) : !usage.defined.has(name);
  });
  const promoted = new Set<string>();
  const own = documents.map((document) => ({
    ...document,
    definitions: document.definitions.map((definition) => {
      if (definition.kind !== Kind.OBJECT_TYPE_EXTENSION && definition.kind !== Kind.INTERFACE_TYPE_EXTENSION) return definition;
      const name = definition.name.value;
      if (usage.defined.has(name) || promoted.has(name)) return definition;
      promoted.add(name);
      return {
        ...definition,
        kind: definition.kind === Kind.OBJECT_TYPE_EXTENSION ? Kind.OBJECT_TYPE_DEFINITION : Kind.INTERFACE_TYPE_DEFINITION,
      } as DefinitionNode;
    }),
  }));
  const queryType = queryTypeName(documents);
  const entities = [...usage.entities];
  const fields: string[] = [];
  if (!usage.defined.has('_Service')) fields.push('_service: _Service!');
  if (entities.length && !usage.defined.has('_Entity')) fields.push('_entities(representations: [_Any!]!): [_Entity]!');
  const roots = [
    usage.defined.has('_Service') ? '' : 'type _Service { sdl: String }',
    entities.length && !usage.defined.has('_Entity') ? `union _Entity = ${entities.join(' | ')}` : '',
    fields.length ? `extend type ${queryType} { ${fields.join(' ')} }` : '',
  ].join('\n');
  // A subgraph whose only Query fields are `_entities` has no Query of its own: the extension above becomes it.
  const needsQuery = !usage.defined.has(queryType) && !promoted.has(queryType);
  const rootDocument = parse(needsQuery ? roots.replace(`extend type ${queryType}`, `type ${queryType}`) : roots, { noLocation: true });
  return [{ kind: Kind.DOCUMENT, definitions: added }, ...own, rootDocument];
}

function queryTypeName(documents: readonly DocumentNode[]): string {
  for (const document of documents) {
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
      const query = definition.operationTypes?.find((o) => o.operation === 'query');
      if (query) return query.type.name.value;
    }
  }
  return 'Query';
}

/**
 * What a router asks a subgraph, answered from the contract: `_service { sdl }` is the SDL as
 * written; `_entities` gives one entity per representation, of its `__typename`, with the key
 * fields the router sent (the auto-mock fills in the rest, the same for the same key).
 */
export function subgraphResolvers(sdl: string): Record<string, GraphQLFieldResolver<unknown, unknown>> {
  return {
    _service: () => ({ sdl }),
    _entities: (_source, args) => {
      const representations = (args as { representations?: unknown }).representations;
      return Array.isArray(representations) ? representations.map(entityOf) : [];
    },
  };
}

/** The entity a representation stands for: its fields as sent (the auto-mock adds the others). */
function entityOf(representation: unknown, index: number): Record<string, unknown> {
  if (!isRecord(representation) || typeof representation.__typename !== 'string') {
    throw new Error(
      `representation ${index} (${JSON.stringify(representation)}) has no __typename; a router sends { "__typename": "<entity type>", <key fields> } for each entity`,
    );
  }
  return { ...representation };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
