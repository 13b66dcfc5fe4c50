/**
 * The drift corpus: one table of ways a mock drifts from its contract, per protocol, each applied to
 * a working scenario (an entry module importing a service module) or to a copy of the contract it
 * names. Every variant must fail `mockstack check` at the file and line of the drift and fail
 * `tsc` over the same project (what `tsc -p scenarios` does); the unchanged scenarios must pass.
 *
 * All variants live side by side in one project (test/drift/.corpus): a contract variant is a copy
 * with a name of its own (a proto under a package of its own), so one `gen`, one `check` and one
 * `tsc` cover them all.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CheckProblem } from '@mockstack/contracts';

const repo = resolve(import.meta.dirname, '../..');
const root = join(repo, 'test', 'drift', '.corpus');

type Protocol = 'grpc' | 'graphql' | 'rest';
type Place = 'entry' | 'module';

interface Drift {
  protocol: Protocol;
  /** What drifted, as a reader of the report would say it. */
  kind: string;
  /** The file edited: the scenario's entry, its imported service module, or its contract. */
  edit: Place | 'contract';
  find: string;
  replace: string;
  /** Where the problem must be reported: the scenario file and a text on that line. */
  at: { file: Place; text: string };
  /**
   * Caught by `check` only: a handler of a map in a service given its state type (`grpc<State>(…)`),
   * whose returned object TypeScript does not check for unknown fields.
   */
  checkOnly?: true;
}

// The base scenario of each protocol: an entry with a service of its own, importing a service module.
// __PROTO__, __PKG__, __SCHEMA__ and __DOC__ name the contract (a copy for contract drifts), __ID__ the variant.
const base: Record<Protocol, Record<Place, string>> = {
  grpc: {
    module: `import { grpc, respond, type ServiceOf } from 'mockstack';

export const payments: ServiceOf<Record<string, never>> = grpc({ proto: '__PROTO__' }, {
  '__PKG__.PaymentService': {
    Authorize: ({ request }) => respond({ paymentId: \`pay_\${request.orderId}\`, status: 'AUTHORIZED' }),
    Capture: { paymentId: 'pay_1', status: 'CAPTURED', amount: { currencyCode: 'EUR', units: 12, nanos: 0 } },
    Refund: ({ request }) => ({ paymentId: request.paymentId, orderId: 'ord_1', status: 'REFUNDED' }),
  },
});
`,
    entry: `import { grpc, scenario } from 'mockstack';
import { payments } from './__ID__/service.js';

export default scenario('__ID__').services({
  payments,
  watch: grpc({ proto: '__PROTO__' }, {
    '__PKG__.PaymentService': {
      WatchPayment: ({ request }) => grpc.stream([{ paymentId: request.paymentId, status: 'CAPTURED' }]),
      Authorize: ({ request }) => ({ paymentId: request.orderId, status: 'DECLINED', declineReason: 'insufficient funds' }),
    },
  }),
  rules: grpc<Record<string, never>>({ proto: '__PROTO__' }, [
    grpc.method('__PKG__.PaymentService/Capture', { times: 1 }, { paymentId: 'pay_2', status: 'CAPTURED' }),
    grpc.method('__PKG__.PaymentService/Refund', ({ request }) => ({ paymentId: request.paymentId, status: 'REFUNDED' })),
  ]),
  explicit: grpc<Record<string, never>>({ proto: '__PROTO__' }, {
    '__PKG__.PaymentService': { Refund: ({ request }) => ({ paymentId: request.paymentId, orderId: 'ord_9' }) },
  }),
});
`,
  },
  graphql: {
    module: `import { graphql, type ServiceOf } from 'mockstack';

export const catalog: ServiceOf<Record<string, never>> = graphql({ schema: '__SCHEMA__' }, {
  Query: {
    product: (_, { sku }) => ({ id: sku, sku, name: 'Mug', stock: 3, price: { amountCents: 1600, currency: 'EUR', formatted: '€16.00' } }),
    categories: [{ id: 'cat_mugs', name: 'Mugs', slug: 'mugs', productCount: 3 }],
  },
  Mutation: {
    removeFromCart: (_, { cartId }) => ({ id: cartId, itemCount: 0 }),
  },
});
`,
    entry: `import { graphql, scenario } from 'mockstack';
import { catalog } from './__ID__/service.js';

export default scenario('__ID__').services({
  catalog,
  carts: graphql({ schema: '__SCHEMA__' }, {
    Query: {
      cart: (_, { id }) => ({ id, itemCount: 1 }),
    },
    Product: { stock: 7, inStock: true },
  }),
  rules: graphql<Record<string, never>>({ schema: '__SCHEMA__' }, {}, [
    graphql.field('Query.product', { match: { args: { sku: 'SKU-GONE' } } }, { id: 'p0', sku: 'SKU-GONE', name: 'Gone' }),
    graphql.query('GetCart', ({ variables }) => ({ cart: { id: String(variables.id), itemCount: 0 } })),
    graphql.mutation('AddToCart', { addToCart: { id: 'cart_1', itemCount: 1 } }),
  ]),
  explicit: graphql<Record<string, never>>({ schema: '__SCHEMA__' }, {
    Query: { cart: (_, { id }) => ({ id, lines: [] }) },
  }),
});
`,
  },
  rest: {
    module: `import { respond, rest, type ServiceOf } from 'mockstack';

const rate = { id: 'rate_dhl_std', carrier: 'DHL', service: 'standard', price: { amount: 4.99, currency: 'EUR' }, estimatedDays: 2 } as const;

export const shipping: ServiceOf<Record<string, never>> = rest({ openapi: '__DOC__' }, [
  rest.operation('getRate', ({ params }) => ({ ...rate, id: params.rateId })),
  rest.get('/v2/rates', ({ query }) => ({ rates: query.country === 'DE' ? [rate] : [] })),
  rest.post('/v2/shipments', ({ body }) => respond({ id: \`shp_\${body.rateId}\`, status: 'booked', trackingUrl: 'https://t.example/1' }, { status: 201 })),
]);
`,
    entry: `import { rest, scenario } from 'mockstack';
import { shipping } from './__ID__/service.js';

export default scenario('__ID__').services({
  shipping,
  rates: rest({ openapi: '__DOC__' }, [
    rest.get('/v2/rates/:rateId', { id: 'rate_ups', carrier: 'UPS', service: 'express', price: { amount: 9.5, currency: 'EUR' }, estimatedDays: 1 }),
    rest.operation('getRates', ({ query }) => ({ rates: query.country === 'FR' ? [] : [] })),
  ]),
  quotes: rest<Record<string, never>>({ openapi: '__DOC__' }, [
    rest.get('/v2/rates/:rateId', ({ params }) => ({ id: params.rateId, carrier: 'DPD', service: 'standard', price: { amount: 3, currency: 'EUR' }, estimatedDays: 3 })),
  ]),
  fixed: rest({}, [['/health', { ok: true }] as const].map(([path, body]) => rest.get(path, body))),
});
`,
  },
};

const contractOf: Record<Protocol, string> = { grpc: 'protos/payments.proto', graphql: 'schemas/catalog.graphql', rest: 'schemas/shipping-rates.yaml' };

const m = (text: string): Drift['at'] => ({ file: 'module', text });
const e = (text: string): Drift['at'] => ({ file: 'entry', text });

const drifts: Drift[] = [
  // gRPC (protos/payments.proto)
  {
    protocol: 'grpc',
    kind: 'misspelled field beside a valid one, in respond()',
    edit: 'module',
    find: 'respond({ paymentId:',
    replace: 'respond({ paymentIdd:',
    at: m('paymentIdd'),
  },
  {
    protocol: 'grpc',
    kind: 'misspelled field in a returned object',
    edit: 'module',
    find: '({ paymentId: request.paymentId, orderId',
    replace: '({ paymentID: request.paymentId, orderId',
    at: m('paymentID'),
  },
  {
    protocol: 'grpc',
    kind: 'misspelled field in a static message',
    edit: 'module',
    find: "status: 'CAPTURED', amount",
    replace: "stauts: 'CAPTURED', amount",
    at: m('stauts'),
  },
  {
    protocol: 'grpc',
    kind: 'unknown field in a nested message',
    edit: 'module',
    find: 'units: 12, nanos: 0',
    replace: 'units: 12, cents: 0',
    at: m('cents: 0'),
  },
  { protocol: 'grpc', kind: 'wrong type in a static message', edit: 'module', find: "paymentId: 'pay_1'", replace: 'paymentId: 1001', at: m('1001') },
  { protocol: 'grpc', kind: 'enum value not in the enum', edit: 'module', find: "status: 'REFUNDED'", replace: "status: 'BOUNCED'", at: m('BOUNCED') },
  {
    protocol: 'grpc',
    kind: 'unknown request field read',
    edit: 'module',
    find: 'request.paymentId, orderId',
    replace: 'request.paymentID, orderId',
    at: m('request.paymentID'),
  },
  { protocol: 'grpc', kind: 'method renamed in the scenario', edit: 'module', find: '    Refund:', replace: '    Refnud:', at: m('Refnud') },
  {
    protocol: 'grpc',
    kind: 'service renamed in the scenario',
    edit: 'entry',
    find: "'__PKG__.PaymentService': {\n      Watch",
    replace: "'__PKG__.PaymentServce': {\n      Watch",
    at: e('PaymentServce'),
  },
  {
    protocol: 'grpc',
    kind: 'unknown field in a stream item',
    edit: 'entry',
    find: "status: 'CAPTURED' }]",
    replace: "status: 'CAPTURED', note: 'x' }]",
    at: e("note: 'x'"),
  },
  {
    protocol: 'grpc',
    kind: 'misspelled field beside a valid one, in the entry',
    edit: 'entry',
    find: "declineReason: 'insufficient",
    replace: "declineReasn: 'insufficient",
    at: e('declineReasn'),
  },
  {
    protocol: 'grpc',
    kind: 'field renamed in the proto',
    edit: 'contract',
    find: 'string decline_reason = 4;',
    replace: 'string refusal_reason = 4;',
    at: e('declineReason'),
  },
  {
    protocol: 'grpc',
    kind: 'field removed from the proto',
    edit: 'contract',
    find: '  string order_id = 2;\n  checkout.common.v1.Money amount = 3;',
    replace: '  checkout.common.v1.Money amount = 3;',
    at: m('orderId: '),
  },
  {
    protocol: 'grpc',
    kind: 'field type changed in the proto',
    edit: 'contract',
    find: 'string payment_id = 1;\n  string order_id = 2;',
    replace: 'int32 payment_id = 1;\n  string order_id = 2;',
    at: m("paymentId: 'pay_1'"),
  },
  { protocol: 'grpc', kind: 'enum value removed from the proto', edit: 'contract', find: '  REFUNDED = 4;\n', replace: '', at: m("'REFUNDED'") },
  { protocol: 'grpc', kind: 'method renamed in the proto', edit: 'contract', find: 'rpc Capture(', replace: 'rpc CapturePayment(', at: m('Capture:') },
  {
    protocol: 'grpc',
    kind: 'request field renamed in the proto',
    edit: 'contract',
    find: 'message RefundRequest {\n  string payment_id = 1;',
    replace: 'message RefundRequest {\n  string payment_ref = 1;',
    at: m('request.paymentId, orderId'),
  },

  // GraphQL (schemas/catalog.graphql)
  {
    protocol: 'graphql',
    kind: 'misspelled field beside a valid one, returned',
    edit: 'module',
    find: "sku, name: 'Mug'",
    replace: "sku, nmae: 'Mug'",
    at: m('nmae'),
  },
  { protocol: 'graphql', kind: 'misspelled field in a static list item', edit: 'module', find: "slug: 'mugs'", replace: "slgu: 'mugs'", at: m('slgu') },
  {
    protocol: 'graphql',
    kind: 'unknown field in a nested object',
    edit: 'module',
    find: "formatted: '€16.00'",
    replace: "formatted: '€16.00', symbol: '€'",
    at: m("symbol: '€'"),
  },
  { protocol: 'graphql', kind: 'wrong type in a static value', edit: 'module', find: 'productCount: 3', replace: "productCount: 'three'", at: m("'three'") },
  { protocol: 'graphql', kind: 'wrong type in a returned object', edit: 'module', find: 'stock: 3,', replace: "stock: '3',", at: m("stock: '3'") },
  {
    protocol: 'graphql',
    kind: 'null for a non-null field',
    edit: 'module',
    find: "categories: [{ id: 'cat_mugs'",
    replace: "categories: null, other: [{ id: 'cat_mugs'",
    at: m('categories: null'),
  },
  {
    protocol: 'graphql',
    kind: 'unknown argument read',
    edit: 'module',
    find: '(_, { sku }) => ({ id: sku, sku,',
    replace: "(_, { id }) => ({ id: String(id), sku: 'x',",
    at: m('{ id }'),
  },
  { protocol: 'graphql', kind: 'query field renamed in the scenario', edit: 'module', find: '    product: (_', replace: '    prodcut: (_', at: m('prodcut') },
  { protocol: 'graphql', kind: 'type renamed in the scenario', edit: 'entry', find: '    Product: {', replace: '    Prodcut: {', at: e('Prodcut') },
  {
    protocol: 'graphql',
    kind: 'misspelled field in the entry',
    edit: 'entry',
    find: '({ id, itemCount: 1 })',
    replace: '({ id, itemCnt: 1 })',
    at: e('itemCnt'),
  },
  {
    protocol: 'graphql',
    kind: 'unknown field on a static type resolver',
    edit: 'entry',
    find: 'inStock: true',
    replace: 'inStock: true, onSale: true',
    at: e('onSale'),
  },
  {
    protocol: 'graphql',
    kind: 'field renamed in the schema',
    edit: 'contract',
    find: '  itemCount: Int!\n  total: Money!',
    replace: '  count: Int!\n  total: Money!',
    at: e('itemCount: 1'),
  },
  {
    protocol: 'graphql',
    kind: 'field removed from the schema',
    edit: 'contract',
    find: '  slug: String!\n  productCount: Int!',
    replace: '  productCount: Int!',
    at: m("slug: 'mugs'"),
  },
  {
    protocol: 'graphql',
    kind: 'field type changed in the schema',
    edit: 'contract',
    find: '  "Units available now; orders placed over REST reduce it."\n  stock: Int!',
    replace: '  stock: String!',
    at: e('stock: 7'),
  },
  {
    protocol: 'graphql',
    kind: 'argument renamed in the schema',
    edit: 'contract',
    find: 'product(sku: ID!): Product',
    replace: 'product(id: ID!): Product',
    at: m('{ sku }'),
  },
  {
    protocol: 'graphql',
    kind: 'query field renamed in the schema',
    edit: 'contract',
    find: '  categories: [Category!]!',
    replace: '  allCategories: [Category!]!',
    at: m('categories: ['),
  },
  {
    protocol: 'graphql',
    kind: 'mutation renamed in the schema',
    edit: 'contract',
    find: '  removeFromCart(cartId',
    replace: '  dropFromCart(cartId',
    at: m('removeFromCart'),
  },

  // OpenAPI (schemas/shipping-rates.yaml)
  {
    protocol: 'rest',
    kind: 'misspelled field beside a valid one, in respond()',
    edit: 'module',
    find: "status: 'booked'",
    replace: "status: 'booked', trackingUri: 'x'",
    at: m('trackingUri'),
  },
  {
    protocol: 'rest',
    kind: 'misspelled field in a returned object',
    edit: 'module',
    find: '({ ...rate, id: params.rateId })',
    replace: '({ ...rate, id: params.rateId, carier: "DHL" })',
    at: m('carier'),
  },
  { protocol: 'rest', kind: 'unknown request body field read', edit: 'module', find: 'body.rateId', replace: 'body.rateID', at: m('body.rateID') },
  { protocol: 'rest', kind: 'unknown path param read', edit: 'module', find: 'id: params.rateId', replace: 'id: params.id', at: m('params.id') },
  { protocol: 'rest', kind: 'undocumented status', edit: 'module', find: '{ status: 201 }', replace: '{ status: 202 }', at: m('status: 202') },
  { protocol: 'rest', kind: 'enum value not in the enum', edit: 'module', find: "status: 'booked'", replace: "status: 'shipped'", at: m("'shipped'") },
  { protocol: 'rest', kind: 'path renamed in the scenario', edit: 'module', find: "rest.get('/v2/rates'", replace: "rest.get('/v2/ratez'", at: m('/v2/ratez') },
  {
    protocol: 'rest',
    kind: 'method changed in the scenario',
    edit: 'module',
    find: "rest.post('/v2/shipments'",
    replace: "rest.put('/v2/shipments'",
    at: m("rest.put('/v2/shipments'"),
  },
  {
    protocol: 'rest',
    kind: 'operationId renamed in the scenario',
    edit: 'entry',
    find: "rest.operation('getRates'",
    replace: "rest.operation('getRatez'",
    at: e('getRatez'),
  },
  {
    protocol: 'rest',
    kind: 'unknown field in a static answer, in the entry',
    edit: 'entry',
    find: 'estimatedDays: 1 }',
    replace: 'estimatedDays: 1, eta: 1 }',
    at: e('eta: 1'),
  },
  { protocol: 'rest', kind: 'wrong type in a static answer', edit: 'entry', find: 'estimatedDays: 1 }', replace: "estimatedDays: 'one' }", at: e("'one'") },
  { protocol: 'rest', kind: 'missing required field', edit: 'entry', find: ', estimatedDays: 1 }', replace: ' }', at: e("rest.get('/v2/rates/:rateId'") },
  {
    protocol: 'rest',
    kind: 'field renamed in the document',
    edit: 'contract',
    find: 'required: [id, status, trackingUrl]',
    replace: 'required: [id, status, trackingLink]',
    at: m("trackingUrl: 'https"),
  },
  {
    protocol: 'rest',
    kind: 'field removed from the document',
    edit: 'contract',
    find: '        estimatedDays: { type: integer, minimum: 1, maximum: 14 }\n',
    replace: '',
    at: e('estimatedDays: 1'),
  },
  {
    protocol: 'rest',
    kind: 'required field added to the document',
    edit: 'contract',
    find: 'required: [id, carrier, service, price, estimatedDays]',
    replace: 'required: [id, carrier, service, price, estimatedDays, expiresAt]',
    at: e("rest.get('/v2/rates/:rateId'"),
  },
  {
    protocol: 'rest',
    kind: 'enum value removed from the document',
    edit: 'contract',
    find: 'enum: [DHL, UPS, FedEx, DPD]',
    replace: 'enum: [DHL, FedEx, DPD]',
    at: e("carrier: 'UPS'"),
  },
  { protocol: 'rest', kind: 'path renamed in the document', edit: 'contract', find: '  /rates:\n', replace: '  /quotes:\n', at: m("rest.get('/v2/rates'") },
  {
    protocol: 'rest',
    kind: 'operationId renamed in the document',
    edit: 'contract',
    find: 'operationId: getRates',
    replace: 'operationId: listRates',
    at: e("rest.operation('getRates'"),
  },
  {
    protocol: 'rest',
    kind: 'status removed from the document',
    edit: 'contract',
    find: "        '201':\n          description: Booked",
    replace: "        '200':\n          description: Booked",
    at: m('status: 201'),
  },
  // Rules (grpc.method, graphql.field, graphql.query/mutation, routes) in services given their state type.
  {
    protocol: 'grpc',
    kind: 'misspelled field in a grpc.method static answer',
    edit: 'entry',
    find: "{ paymentId: 'pay_2', status: 'CAPTURED' }",
    replace: "{ paymentId: 'pay_2', stauts: 'CAPTURED' }",
    at: e('stauts'),
  },
  {
    protocol: 'grpc',
    kind: 'unknown field returned by a grpc.method handler',
    edit: 'entry',
    find: "({ paymentId: request.paymentId, status: 'REFUNDED' })",
    replace: "({ paymentId: request.paymentId, refundId: 'r1', status: 'REFUNDED' })",
    at: e('refundId'),
  },
  {
    protocol: 'grpc',
    kind: 'enum value returned by a grpc.method handler',
    edit: 'entry',
    find: "status: 'REFUNDED' })",
    replace: "status: 'REVERSED' })",
    at: e('REVERSED'),
  },
  {
    protocol: 'graphql',
    kind: 'misspelled field in a graphql.field static answer',
    edit: 'entry',
    find: "sku: 'SKU-GONE', name: 'Gone'",
    replace: "sku: 'SKU-GONE', nmae: 'Gone'",
    at: e('nmae'),
  },
  {
    protocol: 'graphql',
    kind: 'unknown field returned by a graphql.query handler',
    edit: 'entry',
    find: 'itemCount: 0 } }))',
    replace: "itemCount: 0, owner: 'me' } }))",
    at: e('owner'),
  },
  {
    protocol: 'graphql',
    kind: 'wrong type returned by a graphql.query handler',
    edit: 'entry',
    find: 'id: String(variables.id)',
    replace: 'id: String(variables.id).length',
    at: e('.length'),
  },
  {
    protocol: 'graphql',
    kind: 'misspelled field in a graphql.mutation static answer',
    edit: 'entry',
    find: "{ addToCart: { id: 'cart_1', itemCount: 1 } }",
    replace: "{ addToCart: { id: 'cart_1', itemCuont: 1 } }",
    at: e('itemCuont'),
  },
  {
    protocol: 'grpc',
    kind: 'misspelled field returned by a handler of a grpc<State> map',
    edit: 'entry',
    find: "orderId: 'ord_9'",
    replace: "orderID: 'ord_9'",
    at: e('orderID'),
    checkOnly: true,
  },
  {
    protocol: 'graphql',
    kind: 'unknown field returned by a resolver of a graphql<State> map',
    edit: 'entry',
    find: '({ id, lines: [] })',
    replace: "({ id, lines: [], note: 'x' })",
    at: e('note'),
    checkOnly: true,
  },
  {
    protocol: 'rest',
    kind: 'unknown field returned by a route of rest<State>',
    edit: 'entry',
    find: "carrier: 'DPD',",
    replace: "carrier: 'DPD', co2Grams: 12,",
    at: e('co2Grams'),
  },
];

interface Variant {
  id: string;
  drift: Drift | undefined;
  protocol: Protocol;
  entry: string;
  module: string;
}

const variants: Variant[] = [];

/** Writes the corpus project: base contracts, one copy per contract drift, and two files per variant. */
function writeCorpus(): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'scenarios'), { recursive: true });
  cpSync(join(repo, 'protos'), join(root, 'protos'), { recursive: true });
  mkdirSync(join(root, 'schemas'));
  for (const file of ['catalog.graphql', 'shipping-rates.yaml', 'shipping-common.yaml']) copyFileSync(join(repo, 'schemas', file), join(root, 'schemas', file));
  writeFileSync(join(root, 'package.json'), '{ "name": "drift-corpus", "private": true, "type": "module" }\n');
  writeFileSync(
    join(root, 'tsconfig.json'),
    `${JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true, types: ['node'] }, include: ['scenarios/**/*.ts'] }, null, 2)}\n`,
  );
  const all: (Drift | undefined)[] = [undefined, undefined, undefined, ...drifts];
  const protocols: Protocol[] = ['grpc', 'graphql', 'rest'];
  all.forEach((drift, index) => {
    const protocol = drift?.protocol ?? (protocols[index] as Protocol);
    const id = drift ? `d${String(index).padStart(2, '0')}-${protocol}` : `ok-${protocol}`;
    let contract = contractOf[protocol];
    let pkg = 'checkout.payments.v1';
    if (drift?.edit === 'contract') {
      const text = readFileSync(join(repo, contract), 'utf8');
      if (!text.includes(drift.find)) throw new Error(`${drift.kind}: ${contract} has no ${JSON.stringify(drift.find)}`);
      let changed = text.replace(drift.find, drift.replace);
      if (drift.kind === 'field renamed in the document') changed = changed.replace('trackingUrl: { type: string', 'trackingLink: { type: string');
      if (protocol === 'grpc') {
        pkg = `drift.${id.replace(/-/g, '_')}.v1`;
        changed = changed.replace('package checkout.payments.v1;', `package ${pkg};`);
      }
      contract = `${dirname(contract)}/${id}${contract.slice(contract.lastIndexOf('.'))}`;
      writeFileSync(join(root, contract), changed);
    }
    const fill = (text: string) =>
      text
        .replaceAll('__PROTO__', contract)
        .replaceAll('__SCHEMA__', contract)
        .replaceAll('__DOC__', contract)
        .replaceAll('__PKG__', pkg)
        .replaceAll('__ID__', id);
    let entry = fill(base[protocol].entry);
    let module = fill(base[protocol].module);
    if (drift && drift.edit !== 'contract') {
      const before = drift.edit === 'entry' ? entry : module;
      const find = fill(drift.find);
      if (!before.includes(find)) throw new Error(`${drift.kind}: the ${drift.edit} has no ${JSON.stringify(find)}`);
      const after = before.replace(find, fill(drift.replace));
      if (drift.edit === 'entry') entry = after;
      else module = after;
    }
    mkdirSync(join(root, 'scenarios', id));
    writeFileSync(join(root, 'scenarios', `${id}.ts`), entry);
    writeFileSync(join(root, 'scenarios', id, 'service.ts'), module);
    variants.push({ id, drift, protocol, entry, module });
  });
}

function fileOf(variant: Variant, place: Place): string {
  return place === 'entry' ? join(root, 'scenarios', `${variant.id}.ts`) : join(root, 'scenarios', variant.id, 'service.ts');
}

/** 1-based line of the first line of a variant's file containing `text`. */
function lineOf(variant: Variant, place: Place, text: string): number {
  const index = (place === 'entry' ? variant.entry : variant.module).split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${variant.drift?.kind}: ${text} is not in the ${place}`);
  return index + 1;
}

let result: { problems: CheckProblem[]; scenarios: { file: string; status: string }[] };
let tscErrors: { file: string; line: number; message: string }[];

beforeAll(async () => {
  writeCorpus();
  // The CLI as users run it (its JSON report), in a process of its own.
  const json = await new Promise<string>((done) => {
    const args = [join(repo, 'packages/mockstack/bin/mockstack.js'), 'check', ...variants.map((v) => fileOf(v, 'entry')), '--root', root, '--format', 'json'];
    execFile(process.execPath, args, { cwd: repo, maxBuffer: 1 << 26, env: { ...process.env, NODE_OPTIONS: '' } }, (_error, stdout) => done(stdout));
  });
  const report = JSON.parse(json) as {
    problems: CheckProblem[];
    scenarios: { file: string; status: string }[];
  };
  const absolute = <T extends { file: string }>(entry: T): T => ({ ...entry, file: resolve(repo, entry.file) });
  result = { problems: report.problems.map(absolute), scenarios: report.scenarios.map(absolute) };
  // tsc needs the generated types, which check wrote.
  const output = await new Promise<string>((done) => {
    execFile(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: repo, maxBuffer: 1 << 26 }, (_error, stdout) =>
      done(stdout),
    );
  });
  tscErrors = [...output.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/gm)].map((match) => ({
    file: resolve(repo, match[1] ?? ''),
    line: Number(match[2]),
    message: match[4] ?? '',
  }));
}, 240_000);

afterAll(() => {
  if (!process.env.KEEP_CORPUS) rmSync(root, { recursive: true, force: true });
});

test(`the corpus has at least 40 drift kinds over the three protocols`, () => {
  expect(drifts.length).toBeGreaterThanOrEqual(40);
  for (const protocol of ['grpc', 'graphql', 'rest'] as const) expect(drifts.filter((d) => d.protocol === protocol).length).toBeGreaterThanOrEqual(12);
  for (const edit of ['entry', 'module', 'contract'] as const) expect(drifts.filter((d) => d.edit === edit).length).toBeGreaterThanOrEqual(8);
});

test('the unchanged scenarios pass check and tsc', () => {
  for (const variant of variants.filter((v) => !v.drift)) {
    const files = [fileOf(variant, 'entry'), fileOf(variant, 'module')];
    expect(result.problems.filter((p) => files.includes(p.file))).toEqual([]);
    expect(tscErrors.filter((p) => files.includes(p.file))).toEqual([]);
    expect(result.scenarios.find((s) => s.file === files[0])?.status).toBe('passed');
  }
});

const cases = drifts.map((drift) => [`${drift.protocol}: ${drift.kind} (${drift.edit})`, drift] as const);

test.each(cases)('%s fails check and tsc at the drift', (_name, drift) => {
  const variant = variants.find((v) => v.drift === drift) as Variant;
  const file = fileOf(variant, drift.at.file);
  const line = lineOf(variant, drift.at.file, drift.at.text);
  const mine = result.problems.filter((p: CheckProblem) => p.file === file);
  // check: a type problem exactly at the drift's line, in words without the DSL's internal names.
  const typed = mine.filter((p) => p.kind === 'type');
  expect(typed.map((p) => `${p.line}: ${p.message}`)).toContainEqual(expect.stringMatching(new RegExp(`^${line}: `)));
  for (const p of typed) expect(p.message).not.toMatch(/\[KIND\]|TypedReply|bivarianceHack|MaybePromise/);
  // The scenario fails in the JUnit/JSON view, whichever of its files drifted.
  expect(result.scenarios.find((s) => s.file === fileOf(variant, 'entry'))?.status).toBe('failed');
  // tsc over the same project fails there too (it may report a nested mismatch at the service's argument).
  if (!drift.checkOnly) expect(tscErrors.filter((p) => p.file === file).length).toBeGreaterThan(0);
});
