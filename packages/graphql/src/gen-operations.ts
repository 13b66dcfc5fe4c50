import { compare, prop, quote } from '@mockstack/core/tooling';
import {
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getLocation,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type Location,
  type OperationDefinitionNode,
  type SelectionNode,
  typeFromAST,
  validate,
} from 'graphql';
import { inputType, namespaceOf, ref } from './gen-types.js';

/** A schema `mockstack gen` read, by its registry key (`'schemas/catalog.graphql'`). */
export interface KeyedSchema {
  key: string;
  schema: GraphQLSchema;
}

/** An operation of a client document that does not fit any schema, or a name used twice. */
export class OperationDocumentError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * Types of the named queries and mutations of client operation documents (`.graphql` files of
 * only operations and fragments): per operation, the schema it runs against, its variables as the
 * handler reads them, and the root value a `graphql.query(name, …)` handler answers, shaped by the
 * selection set. Fields are keyed by name (aliases read the same root value) and every field may be
 * left out (it is auto-mocked); a value of an interface or union must name its `__typename`
 * (the adapter resolves the type by it).
 */
export function graphqlOperationTypes(documents: readonly DocumentNode[], schemas: readonly KeyedSchema[]): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const document of documents) {
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const byKind: Record<'query' | 'mutation', Map<string, string>> = { query: new Map(), mutation: new Map() };
  const seen = new Map<string, OperationDefinitionNode>();
  for (const document of documents) {
    for (const operation of document.definitions) {
      if (operation.kind !== Kind.OPERATION_DEFINITION || !operation.name || operation.operation === 'subscription') continue;
      const name = operation.name.value;
      const earlier = seen.get(name);
      if (earlier) {
        const where = locationOf(earlier);
        throw errorAt(operation, `operation ${name} is defined twice (first at ${where.file}:${where.line}:${where.column}); operation names must be unique`);
      }
      seen.set(name, operation);
      const used = usedFragments(operation, fragments);
      const { key, schema } = schemaOf(operation, used, schemas);
      const root = operation.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
      if (!root) continue; // validation already refused it
      const shapes = new ShapeWriter(schema, namespaceOf(key), fragments);
      const variables = variablesType(operation, schema, namespaceOf(key));
      const result = shapes.object(root, operation.selectionSet.selections, 'none');
      byKind[operation.operation].set(name, `${prop(name)}: { schema: ${quote(key)}; variables: ${variables}; result: ${result} };`);
    }
  }
  const part = (kind: 'query' | 'mutation') =>
    `${kind}: {\n${[...byKind[kind].entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([, entry]) => entry)
      .join('\n')}\n};`;
  return [part('query'), part('mutation')];
}

/** The fragments an operation spreads, transitively. */
function usedFragments(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const visit = (selections: readonly SelectionNode[]): void => {
    for (const selection of selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          visit(fragment.selectionSet.selections);
        }
      } else if (selection.selectionSet) visit(selection.selectionSet.selections);
    }
  };
  visit(operation.selectionSet.selections);
  return [...used.values()];
}

/** The first schema the operation (with its fragments) is valid against; else the errors against the closest one. */
function schemaOf(operation: OperationDefinitionNode, fragments: readonly DefinitionNode[], schemas: readonly KeyedSchema[]): KeyedSchema {
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
  let closest: { errors: readonly GraphQLError[]; key: string } | undefined;
  for (const candidate of schemas) {
    const errors = validate(candidate.schema, document);
    if (errors.length === 0) return candidate;
    if (!closest || errors.length < closest.errors.length) closest = { errors, key: candidate.key };
  }
  const name = operation.name?.value ?? '(anonymous)';
  if (!closest) throw errorAt(operation, `operation ${name} has no GraphQL schema to run against; add the schema's SDL under schemas/`);
  const first = closest.errors[0];
  const node = first?.nodes?.[0] ?? operation;
  throw errorAt(node, `operation ${name} does not fit ${closest.key}: ${first?.message ?? 'invalid'}`);
}

function locationOf(node: { loc?: Location | undefined }): { file: string; line: number; column: number } {
  if (!node.loc) return { file: '(unknown)', line: 1, column: 1 };
  const { line, column } = getLocation(node.loc.source, node.loc.start);
  return { file: node.loc.source.name, line, column };
}

function errorAt(node: { loc?: Location | undefined }, message: string): OperationDocumentError {
  const { file, line, column } = locationOf(node);
  return new OperationDocumentError(`${file}:${line}:${column}: ${message}`, file, line, column);
}

function variablesType(operation: OperationDefinitionNode, schema: GraphQLSchema, ns: string): string {
  const members = (operation.variableDefinitions ?? []).map((definition) => {
    const type = typeFromAST(schema, definition.type as Parameters<typeof typeFromAST>[1]);
    const name = definition.variable.name.value;
    if (!type) return `${prop(name)}?: unknown;`;
    // The handler reads the variables as sent: one with a default may be left out.
    const optional = !isNonNullType(type) || definition.defaultValue !== undefined;
    return `${prop(name)}${optional ? '?' : ''}: ${inputType(type as Parameters<typeof inputType>[0], ns)}${optional ? ' | undefined' : ''};`;
  });
  return members.length ? `{ ${members.join(' ')} }` : 'Record<string, never>';
}

/** Writes the TypeScript shape of a selection set. */
class ShapeWriter {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly ns: string,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  ) {}

  /** One object type's shape: the selected fields by name (merged across aliases and fragments), each optional. */
  object(type: GraphQLObjectType, selections: readonly SelectionNode[], typename: 'none' | 'optional' | 'required'): string {
    const fields = new Map<string, SelectionNode[]>();
    this.collect(type, selections, fields);
    const members: string[] = [];
    if (typename === 'required') members.push(`__typename: ${quote(type.name)};`);
    else if (typename === 'optional') members.push('__typename?: string | undefined;');
    const own = type.getFields();
    for (const name of [...fields.keys()].sort(compare)) {
      const field = own[name];
      if (!field) continue;
      members.push(`${prop(name)}?: ${this.output(field.type, fields.get(name) ?? [])} | undefined;`);
    }
    return `{ ${members.join(' ')} }`;
  }

  private collect(type: GraphQLObjectType, selections: readonly SelectionNode[], into: Map<string, SelectionNode[]>): void {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const sub = into.get(name) ?? [];
        if (selection.selectionSet) sub.push(...selection.selectionSet.selections);
        into.set(name, sub);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type)) this.collect(type, selection.selectionSet.selections, into);
      } else {
        const fragment = this.fragments.get(selection.name.value);
        if (fragment && this.applies(fragment.typeCondition.name.value, type)) this.collect(type, fragment.selectionSet.selections, into);
      }
    }
  }

  /** True when a fragment on `condition` applies to an object of `type`. */
  private applies(condition: string, type: GraphQLObjectType): boolean {
    if (condition === type.name) return true;
    const named = this.schema.getType(condition);
    return named !== undefined && isAbstractType(named) && this.schema.isSubType(named, type);
  }

  private output(type: GraphQLOutputType, selections: readonly SelectionNode[]): string {
    if (isNonNullType(type)) return this.nonNull(type.ofType, selections);
    return `${this.nonNull(type, selections)} | null`;
  }

  private nonNull(type: GraphQLOutputType, selections: readonly SelectionNode[]): string {
    if (isListType(type)) return `readonly (${this.output(type.ofType, selections)})[]`;
    const named = getNamedType(type);
    if (!isCompositeType(named)) return ref(named.name, this.ns);
    return this.composite(named, selections);
  }

  /** An object's shape, or for an interface or union the shapes of its possible types (each naming its `__typename`). */
  private composite(type: GraphQLCompositeType, selections: readonly SelectionNode[]): string {
    if (isObjectType(type)) return this.object(type, selections, 'optional');
    const possible = [...this.schema.getPossibleTypes(type)].sort((a, b) => compare(a.name, b.name));
    return possible.length ? possible.map((t) => this.object(t, selections, 'required')).join(' | ') : 'never';
  }
}
