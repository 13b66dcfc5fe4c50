import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isOperationsDocument } from '@mockstack/core/contract-files';
import { generate, isStale } from './generate.js';

let root: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mockstack-contracts-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const PROTO = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
service Shop {
  rpc Get(GetRequest) returns (Item);
  rpc Watch(GetRequest) returns (stream Item);
}
enum Kind { KIND_UNSPECIFIED = 0; BOOK = 1; }
message GetRequest { string id = 1; int64 version = 2; }
message Item {
  string id = 1;
  Kind kind = 2;
  repeated string tags = 3;
  map<string, int32> stock = 4;
  google.protobuf.Timestamp at = 5;
  oneof price { int32 cents = 6; string label = 7; }
}
`;

test('proto messages as handlers read and write them, one registry entry per method', async () => {
  write('protos/shop.proto', PROTO);
  const { file, contracts } = await generate({ root });
  expect(contracts).toEqual(['protos/shop.proto']);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain("type shop_v1_Kind__Output = 'BOOK' | 'KIND_UNSPECIFIED';");
  expect(text).toContain('type shop_v1_Kind = shop_v1_Kind__Output | 0 | 1;');
  expect(text).toMatch(/interface shop_v1_GetRequest__Output \{\s+id: string;\s+version: string;\s+\}/);
  expect(text).toMatch(
    /interface shop_v1_Item \{[^}]*tags\?: readonly string\[\] \| null \| undefined;[^}]*stock\?: Readonly<Record<string, number>> \| null \| undefined;/,
  );
  expect(text).toMatch(/at: google_protobuf_Timestamp__Output \| null;/);
  expect(text).toContain('type google_protobuf_Timestamp = Date | string | number | {');
  expect(text).toMatch(/cents\?: number \| undefined;\s+label\?: string \| undefined;/);
  expect(text).toMatch(
    /'shop\.v1\.Shop': \{\s+Get: \{ request: shop_v1_GetRequest__Output; response: shop_v1_Item; requestStream: false; responseStream: false \};\s+Watch: \{ request: shop_v1_GetRequest__Output; response: shop_v1_Item; requestStream: false; responseStream: true \};/,
  );
});

test('GraphQL fields: parent, args with defaults applied, nullable results', async () => {
  write(
    'schemas/shop.graphql',
    'type Query { items(first: Int = 10, kind: Kind): [Item!]!  item(id: ID!): Item }\nenum Kind { BOOK MUG }\ntype Item { id: ID! kind: Kind name: String }\n',
  );
  const text = readFileSync((await generate({ root })).file, 'utf8');
  expect(text).toContain("type Kind = 'BOOK' | 'MUG';");
  expect(text).toMatch(
    /items: \{ parent: unknown; args: \{ first: number \| null; kind\?: gql_schemas_shop_graphql\.Kind \| null \| undefined; \}; result: readonly \(gql_schemas_shop_graphql\.Item\)\[\] \};/,
  );
  expect(text).toMatch(/item: \{ parent: unknown; args: \{ id: string; \}; result: gql_schemas_shop_graphql\.Item \| null \};/);
  expect(text).toMatch(/Item: \{\s+id: \{ parent: gql_schemas_shop_graphql\.Item;/);
});

test('OpenAPI operations by operationId, by route and per document (paths by method, in every form a route may write them)', async () => {
  write(
    'schemas/api.yaml',
    `openapi: 3.0.3
info: { title: t, version: '1' }
servers: [{ url: /api }]
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }, { name: full, in: query, schema: { type: boolean } }]
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } } }
        '404': { description: gone }
components:
  schemas:
    Item: { type: object, required: [id], properties: { id: { type: string }, kind: { type: string, enum: [book, mug], nullable: true } } }
`,
  );
  const text = readFileSync((await generate({ root })).file, 'utf8');
  expect(text).toMatch(/type Item = \{ id: string; kind\?: \('book' \| 'mug'\) \| null \| undefined; \};/);
  expect(text).toMatch(
    /'GET \/api\/items\/:id': \{ method: 'GET'; route: '\/api\/items\/:id'; params: \{ id: string; \}; query: \{ full\?: string \| string\[\] \| undefined; \}/,
  );
  expect(text).toMatch(/responses: \{ 200: oas_schemas_api_yaml\.Item; 404: undefined; \}/);
  const operation = "oas_schemas_api_yaml__operations['GET /api/items/:id']";
  expect(text).toContain(`'getItem': ${operation};`);
  expect(text).toContain(`'GET /api/items/:id': ${operation};`);
  expect(text).toMatch(/'schemas\/api\.yaml': \{\s+operations: \{ 'getItem': oas_schemas_api_yaml__operations\['GET \/api\/items\/:id'\]; \};/);
  expect(text).toContain(`GET: { '/api/items/:id': ${operation}; '/items/{id}': ${operation}; '/items/:id': ${operation}; };`);
});

test('same input, same bytes; stale when a contract is newer', async () => {
  write('protos/shop.proto', PROTO);
  write('schemas/shop.graphql', 'type Query { a: Int }');
  const first = await generate({ root });
  const bytes = readFileSync(first.file, 'utf8');
  expect(isStale({ root })).toBe(false);
  const second = await generate({ root });
  expect(second.written).toBe(false);
  expect(readFileSync(second.file, 'utf8')).toBe(bytes);
  const later = new Date(Date.now() + 10_000);
  utimesSync(join(root, 'schemas/shop.graphql'), later, later);
  expect(isStale({ root })).toBe(true);
});

test('a contract that does not parse names its file and line', async () => {
  write('schemas/bad.graphql', 'type Query {\n  a: Int\n  b(: Int\n}\n');
  await expect(generate({ root })).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_CONTRACT_LOAD',
    message: expect.stringMatching(/^schemas\/bad\.graphql:3:5: /),
  });
  rmSync(join(root, 'schemas'), { recursive: true });
  write('protos/bad.proto', 'syntax = "proto3";\npackage x;\nmessage A { string id = 1 }\n');
  await expect(generate({ root })).rejects.toMatchObject({ message: expect.stringMatching(/protos\/bad\.proto:3/) });
});

const SHOP_SDL = `type Query { cart(id: ID!): Cart  search(text: String!): [Result!]! }
type Mutation { add(sku: ID!, quantity: Int = 1): Cart! }
type Cart { id: ID!  total: Int!  lines: [Line!]! }
type Line { sku: ID!  quantity: Int! }
type Book { title: String! }
type Mug { color: String }
union Result = Book | Mug
`;

test('GraphQL operation documents: each named query and mutation typed by its variables and selection set', async () => {
  write('schemas/shop.graphql', SHOP_SDL);
  write(
    'schemas/shop.operations.graphql',
    `# what the web app sends
query GetCart($id: ID!) { cart(id: $id) { id mine: total ...Lines } }
mutation Add($sku: ID!, $quantity: Int = 2) { add(sku: $sku, quantity: $quantity) { total } }
query Find($text: String!) { search(text: $text) { __typename ... on Book { title } ... on Mug { color } } }
fragment Lines on Cart { lines { sku } total }
`,
  );
  const { file, contracts } = await generate({ root });
  expect(contracts).toEqual(['schemas/shop.graphql', 'schemas/shop.operations.graphql']);
  const text = readFileSync(file, 'utf8');
  // Fields by name (an alias reads the same root value), fragments merged in, every field optional.
  expect(text).toContain(
    "GetCart: { schema: 'schemas/shop.graphql'; variables: { id: string; }; result: { cart?: { __typename?: string | undefined; id?: string | undefined; lines?: readonly ({ __typename?: string | undefined; sku?: string | undefined; })[] | undefined; total?: number | undefined; } | null | undefined; } };",
  );
  // A variable with a default may be missing; a union's members name their __typename.
  expect(text).toContain("Add: { schema: 'schemas/shop.graphql'; variables: { sku: string; quantity?: number | null | undefined; };");
  expect(text).toContain(
    "search?: readonly ({ __typename: 'Book'; title?: string | undefined; } | { __typename: 'Mug'; color?: string | null | undefined; })[] | undefined;",
  );
  expect(text).toContain("graphqlRoots: {\n      'schemas/shop.graphql': { query: 'Query'; mutation: 'Mutation'; subscription: never };");
});

test('an operation that does not fit the schema, or a name used twice, is named by file, line and column', async () => {
  write('schemas/shop.graphql', SHOP_SDL);
  write('schemas/ops.graphql', 'query GetCart($id: ID!) {\n  cart(id: $id) { id totl }\n}\n');
  await expect(generate({ root })).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_CONTRACT_LOAD',
    message: expect.stringMatching(
      /^schemas\/ops\.graphql:2:22: operation GetCart does not fit schemas\/shop\.graphql: Cannot query field "totl" on type "Cart"\. Did you mean "total"\?/,
    ),
  });
  write('schemas/ops.graphql', 'query GetCart($id: ID!) { cart(id: $id) { id } }\n');
  write('schemas/more.graphql', '\nquery GetCart { cart(id: "1") { total } }\n');
  await expect(generate({ root })).rejects.toMatchObject({
    message: expect.stringMatching(/^schemas\/ops\.graphql:1:1: operation GetCart is defined twice \(first at schemas\/more\.graphql:2:1\)/),
  });
  write('schemas/more.graphql', 'query Broken { cart(id: "1") { total }\n');
  await expect(generate({ root })).rejects.toMatchObject({
    message: expect.stringMatching(/^schemas\/more\.graphql:2:1: the GraphQL operations do not parse: /),
  });
});

test('a GraphQL document holding only operations and fragments is told apart from SDL', () => {
  expect(isOperationsDocument('query A($id: ID!) { a(id: $id) { b } }\n# type X { }\nfragment F on T { c }')).toBe(true);
  expect(isOperationsDocument('{ a }')).toBe(true);
  expect(isOperationsDocument('"""A query root"""\ntype Query { query: String }')).toBe(false);
  expect(isOperationsDocument('scalar Date\nquery A { a }')).toBe(false);
  expect(isOperationsDocument('query A { a }\nextend type Query { b: Int }')).toBe(false);
  expect(isOperationsDocument('')).toBe(false);
});
