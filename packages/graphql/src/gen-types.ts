import type { GeneratedTypes } from '@mockstack/core';
import { compare, identOf, prop, quote } from '@mockstack/core/tooling';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';

const SCALARS: Record<string, string> = { ID: 'string', String: 'string', Int: 'number', Float: 'number', Boolean: 'boolean' };

/**
 * Types of one GraphQL schema, keyed in the registry by its path (`'schemas/catalog.graphql'`):
 * per object type, per field, the parent (what the type's resolvers return), the args as
 * graphql-js gives them (defaults applied) and the result a resolver must return. Objects may
 * leave fields out (they are resolved or auto-mocked), but never answer null for a non-null field.
 */
export function graphqlTypes(key: string, schema: GraphQLSchema): GeneratedTypes {
  const ns = namespaceOf(key);
  const lines: string[] = [];
  const named = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__'))
    .sort((a, b) => compare(a.name, b.name));
  const body: string[] = [];
  for (const type of named) body.push(...namedType(type, schema));
  lines.push(`declare namespace ${ns} {\n${body.join('\n')}\n}`);

  const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);
  const entries: string[] = [];
  for (const type of named) {
    if (!isObjectType(type)) continue;
    const parent = roots.has(type.name) ? 'unknown' : `${ns}.${type.name}`;
    const fields = Object.values(type.getFields())
      .sort((a, b) => compare(a.name, b.name))
      .map((field) => `${prop(field.name)}: { parent: ${parent}; args: ${argsType(field, ns)}; result: ${outputType(field.type, ns)} };`);
    entries.push(`${prop(type.name)}: {\n${fields.join('\n')}\n};`);
  }
  const root = (type: { name: string } | null | undefined) => (type ? quote(type.name) : 'never');
  return {
    declarations: lines,
    registry: {
      graphql: [`${quote(key)}: {\n${entries.join('\n')}\n};`],
      graphqlRoots: [
        `${quote(key)}: { query: ${root(schema.getQueryType())}; mutation: ${root(schema.getMutationType())}; subscription: ${root(schema.getSubscriptionType())} };`,
      ],
    },
  };
}

function namedType(type: GraphQLNamedType, schema: GraphQLSchema): string[] {
  if (isScalarType(type)) return SCALARS[type.name] ? [] : [`type ${type.name} = unknown;`];
  if (isEnumType(type))
    return [
      `type ${type.name} = ${
        type
          .getValues()
          .map((v) => quote(v.name))
          .join(' | ') || 'never'
      };`,
    ];
  if (isUnionType(type))
    return [
      `type ${type.name} = ${
        type
          .getTypes()
          .map((t) => t.name)
          .join(' | ') || 'never'
      };`,
    ];
  if (isInterfaceType(type)) {
    const impl = schema.getPossibleTypes(type).map((t) => t.name);
    return [`type ${type.name} = ${impl.sort(compare).join(' | ') || 'never'};`];
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).map((f) => {
      const optional = !isNonNullType(f.type) && f.defaultValue === undefined;
      return `${prop(f.name)}${optional ? '?' : ''}: ${inputType(f.type, '')}${optional ? ' | undefined' : ''};`;
    });
    return [`interface ${type.name} {\n${fields.join('\n')}\n}`];
  }
  if (isObjectType(type)) {
    const fields = Object.values(type.getFields()).map((f) => `${prop(f.name)}?: ${outputType(f.type, '')} | undefined;`);
    return [`interface ${type.name} {\n__typename?: string | undefined;\n${fields.join('\n')}\n}`];
  }
  return [];
}

/** The namespace holding a schema's named types in the generated file. */
export function namespaceOf(key: string): string {
  return `gql_${identOf(key)}`;
}

/** A named type: a TypeScript primitive for the built-in scalars, else the schema's own type. */
export function ref(name: string, ns: string): string {
  if (SCALARS[name]) return SCALARS[name];
  return ns ? `${ns}.${name}` : name;
}

function outputType(type: GraphQLOutputType, ns: string): string {
  if (isNonNullType(type)) return nonNullOutput(type.ofType, ns);
  return `${nonNullOutput(type, ns)} | null`;
}

function nonNullOutput(type: GraphQLOutputType, ns: string): string {
  if (isListType(type)) {
    const item = outputType(type.ofType, ns);
    return `readonly (${item})[]`;
  }
  return ref((type as GraphQLNamedType).name, ns);
}

/** An input type (arguments, variables) as graphql-js hands it over. */
export function inputType(type: GraphQLInputType, ns: string): string {
  if (isNonNullType(type)) return nonNullInput(type.ofType, ns);
  return `${nonNullInput(type, ns)} | null`;
}

function nonNullInput(type: GraphQLInputType, ns: string): string {
  if (isListType(type)) return `(${inputType(type.ofType, ns)})[]`;
  return ref((type as GraphQLNamedType).name, ns);
}

function argsType(field: GraphQLField<unknown, unknown>, ns: string): string {
  if (field.args.length === 0) return 'Record<string, never>';
  const members = field.args.map((arg: GraphQLArgument) => {
    // graphql-js applies defaults, so an argument with one is always there.
    const optional = !isNonNullType(arg.type) && arg.defaultValue === undefined;
    return `${prop(arg.name)}${optional ? '?' : ''}: ${inputType(arg.type, ns)}${optional ? ' | undefined' : ''};`;
  });
  return `{ ${members.join(' ')} }`;
}
