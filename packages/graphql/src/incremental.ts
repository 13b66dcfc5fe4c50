import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLInt, GraphQLNonNull, GraphQLSchema, GraphQLString } from 'graphql';

// Clients send @defer and @stream (Apollo Client, Relay, urql) to any server; graphql-js 16 has no
// incremental delivery, and a schema rarely declares them, so such a query would fail validation
// ("Unknown directive @defer"). The incremental delivery RFC lets a server deliver deferred and
// streamed data at once, so the mock accepts both and answers the whole result in one response.

const ifArgument = { type: new GraphQLNonNull(GraphQLBoolean), defaultValue: true };

const defer = new GraphQLDirective({
  name: 'defer',
  description: 'Accepted so that clients may send it; this mock delivers deferred fragments with the rest of the result.',
  locations: [DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
  args: { if: ifArgument, label: { type: GraphQLString } },
});

const stream = new GraphQLDirective({
  name: 'stream',
  description: 'Accepted so that clients may send it; this mock delivers streamed lists whole.',
  locations: [DirectiveLocation.FIELD],
  args: { if: ifArgument, label: { type: GraphQLString }, initialCount: { type: GraphQLInt, defaultValue: 0 } },
});

/** The schema with @defer and @stream declared (its own declarations, if any, kept): the same types, so mocking it in place still works. */
export function withIncrementalDirectives(schema: GraphQLSchema): GraphQLSchema {
  const missing = [defer, stream].filter((directive) => !schema.getDirective(directive.name));
  if (missing.length === 0) return schema;
  return new GraphQLSchema({ ...schema.toConfig(), directives: [...schema.getDirectives(), ...missing] });
}
