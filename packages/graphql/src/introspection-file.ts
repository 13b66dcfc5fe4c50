// No imports: index.ts asks this before graphql loads, and schema.ts runs in the browser (mockstack/msw).

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
