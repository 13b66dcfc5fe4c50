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
const QUERY_ROOT = /(?:^|[\s}])(?:type\s+Query\b|schema\s*\{)/;
const DEFINED = /\b(?:type|interface|union|enum|input|scalar)\s+([_A-Za-z]\w*)/g;
/** A field's, argument's or input field's type: `name: [Type!]!`. */
const FIELD_TYPE = /:\s*\[*\s*([_A-Za-z]\w*)/g;
const IMPLEMENTS = /\bimplements\s+&?\s*(\w+(?:\s*&\s*\w+)*)/g;
const UNION_MEMBERS = /\bunion\s+\w+[^=]*=\s*\|?\s*(\w+(?:\s*\|\s*\w+)*)/g;
/** graphql-js' scalars, and AWS AppSync's (its SDL uses them undeclared; see platform-declarations.ts). */
const BUILT_IN = new Set([
  'Int',
  'Float',
  'String',
  'Boolean',
  'ID',
  'AWSDate',
  'AWSTime',
  'AWSDateTime',
  'AWSTimestamp',
  'AWSEmail',
  'AWSJSON',
  'AWSURL',
  'AWSPhone',
  'AWSIPAddress',
]);

/**
 * True for an SDL file that is one part of a schema split over several files (graphql-tools' modular
 * schemas; @favware/graphql-pokemon's enums.graphql; Vendure's modules, each adding to Query): it
 * defines no Query type and no `schema { … }`, or it uses a type it does not define, so it cannot be
 * served alone. A federation subgraph is not one. Read from the text alone (strings, comments,
 * directive arguments and default values blanked out), so that `up` can ask without loading graphql.
 */
export function isSchemaPart(text: string): boolean {
  const code = text.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*/g, ' ').replace(/@\w+\s*\([^)]*\)|=\s*(?:\{[^}]*\}|\[[^\]]*\])/g, ' ');
  // A federation subgraph (v1 has only `extend type Query`) is a whole schema of its own.
  if (/@(?:key|link|extends)\b/.test(text)) return false;
  const own = code.replace(/\bextend\s+(?:type|interface|union|enum|input|scalar|schema)\b/g, ' ');
  if (!QUERY_ROOT.test(own)) return true;
  const defined = new Set([...own.matchAll(DEFINED)].map((m) => m[1]));
  const used = [
    ...[...code.matchAll(FIELD_TYPE)].map((m) => m[1] ?? ''),
    ...[...code.matchAll(IMPLEMENTS)].flatMap((m) => (m[1] ?? '').split(/[\s&]+/)),
    ...[...code.matchAll(UNION_MEMBERS)].flatMap((m) => (m[1] ?? '').split(/[\s|]+/)),
  ];
  return used.some((name) => name !== '' && !BUILT_IN.has(name) && !defined.has(name));
}
