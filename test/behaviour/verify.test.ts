import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { matchers, startStack, type TestStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';
import { graphql, grpc as grpcService, rest, scenario } from 'mockstack';

// One verification vocabulary over all three protocols: the same criteria for stack.verify,
// toHaveReceived and admin /verify (see admin-api.test.ts).
expect.extend(matchers);

const contract = (name: string) => resolve(import.meta.dirname, '../fixtures', 'contracts', name);
const greeterProto = contract('greeter.proto');

const shop = scenario('verify-all').services({
  orders: rest({}, [rest.get('/orders/:id', ({ params }) => ({ id: params.id }))]),
  inventory: graphql(
    { schema: contract('inventory.graphql') },
    { Query: { item: (_: unknown, { id }: { id: string }) => ({ id, name: 'mug', email: 'a@b.c', quantity: 1 }) } },
  ),
  greeter: grpcService({ proto: greeterProto }, {}),
});

let stack: TestStack;
let greeter: grpc.Client & { SayHello(req: object, metadata: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: unknown) => void): void };

beforeAll(async () => {
  stack = await startStack(shop);
  const definition = protoLoader.loadSync(greeterProto);
  const Greeter = (grpc.loadPackageDefinition(definition) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } }).demo.greeter
    .v1.Greeter;
  greeter = new Greeter(stack.url('greeter'), grpc.credentials.createInsecure()) as unknown as typeof greeter;
});
afterAll(async () => {
  greeter.close();
  await stack.close();
});
beforeEach(() => stack.reset());

const sayHello = (name: string, tenant: string) => {
  const metadata = new grpc.Metadata();
  metadata.set('x-tenant', tenant);
  return new Promise((done, fail) => greeter.SayHello({ name }, metadata, (error, reply) => (error ? fail(error) : done(reply))));
};

test('REST by method, path, query and headers', async () => {
  await fetch(`${stack.url('orders')}/orders/42?expand=lines`, { headers: { 'x-tenant': 'acme' } });
  expect(stack).toHaveReceived('GET /orders/:id', { path: '/orders/42', query: { expand: 'lines' }, headers: { 'X-Tenant': 'acme' }, times: 1 });
  expect(stack).toHaveReceived('GET /orders/:id', { method: 'GET', protocol: 'rest', matched: true });
  const miss = stack.verify('GET /orders/:id', { query: { expand: 'items' } });
  expect(miss.message).toMatch(/#1 orders GET \/orders\/42\?expand=lines → 200: query "expand" is "lines", wanted "items"/);
});

test('gRPC by metadata and message, auto-mocked methods included', async () => {
  await sayHello('Ada', 'acme');
  await sayHello('Grace', 'globex');
  expect(stack).toHaveReceived('demo.greeter.v1.Greeter/SayHello', { metadata: { 'x-tenant': 'acme' }, body: { name: 'Ada' }, times: 1 });
  expect(stack).not.toHaveReceived('demo.greeter.v1.Greeter/SayHello', { metadata: { 'x-tenant': 'initech' } });
  expect(stack.verify({ protocol: 'grpc', path: '/demo.greeter.v1.Greeter/SayHello' }).count).toBe(2);
});

test('GraphQL by the operation the client sent; a field name is refused with what to verify instead', async () => {
  await new GraphQLClient(stack.url('inventory')).request('query ItemById { item(id: "7") { id name } }');
  expect(stack).toHaveReceived('query ItemById', { service: 'inventory', times: 1 });
  expect(stack).not.toHaveReceived('query Items');
  expect(() => stack.verify('Query.item')).toThrow(/"Query.item" is a GraphQL field.*Verify the operation/);
});

test('in order across protocols, and the explanation of a wrong order', async () => {
  await fetch(`${stack.url('orders')}/orders/1`);
  await sayHello('Ada', 'acme');
  await fetch(`${stack.url('orders')}/orders/2`);
  expect(stack.verifyInOrder('GET /orders/:id', 'demo.greeter.v1.Greeter/SayHello', { path: '/orders/2' }).pass).toBe(true);
  const wrong = stack.verifyInOrder({ path: '/orders/2' }, 'demo.greeter.v1.Greeter/SayHello');
  expect(wrong.pass).toBe(false);
  expect(wrong.message).toMatch(/step 2 \(demo.greeter.v1.Greeter\/SayHello\) was received only before step 1 \(#2\)/);
});

test('an unknown service or operation is an error naming the nearest, and the stack keeps serving', async () => {
  expect(() => stack.verify('GET /orderz/:id')).toThrow(/did you mean "GET \/orders\/:id"/);
  expect(() => stack.verify({ service: 'order' })).toThrow(/no service "order"; did you mean "orders"\?/);
  expect((await fetch(`${stack.url('orders')}/orders/3`)).status).toBe(200);
  expect(stack).toHaveReceived('GET /orders/:id', { times: 1 });
});
