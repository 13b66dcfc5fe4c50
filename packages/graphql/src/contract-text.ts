// What a contract file is, from its text alone. No imports: index.ts asks before graphql loads, and
// schema.ts runs in the browser (mockstack/msw).

/** JSON whose first key is `__schema`, or `data` then `__schema`: a GraphQL introspection result. */
const INTROSPECTION_FIRST_KEYS = /^\uFEFF?\s*\{\s*(?:"data"\s*:\s*\{\s*)?"__schema"\s*:/;

/**
 * True for a GraphQL introspection result (what `apollo client:download-schema`, graphql-codegen's
 * introspection plugin and Shopify's `storefront.schema.json` hold): JSON `{ "__schema": … }` or
 * `{ "data": { "__schema": … } }`, told apart from OpenAPI and json-server files by its first keys.
 */
export function isGraphqlIntrospection(text: string): boolean {
  return INTROSPECTION_FIRST_KEYS.test(text.slice(0, 500));
}

/** `type Query`, or a `schema { … }` definition naming the roots: what a file that is a whole schema has. */
const QUERY_ROOT = /(?:^|[\s}])(?:type\s+Query\b|schema\s*(?:@[\s\S]*?)?\{)/;

/**
 * True for an SDL file that is one part of a schema split over several files (graphql-tools' modular
 * schemas, @favware/graphql-pokemon's enums.graphql): it defines no Query type and no `schema { … }`,
 * so it cannot be served alone; a federation subgraph is not one. Strings and comments are blanked out before looking.
 */
export function isSchemaPart(text: string): boolean {
  const code = text.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*/g, ' ');
  // A federation subgraph (v1 has only `extend type Query`) is a whole schema of its own.
  if (/@(?:key|link|extends)\b/.test(code)) return false;
  return !QUERY_ROOT.test(code.replace(/extend\s+(?:type|schema)\b/g, ' '));
}
