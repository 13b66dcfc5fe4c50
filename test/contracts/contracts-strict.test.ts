/**
 * With generated contract types, plain `tsc` over the scenarios (scenarios/tsconfig.json, which the
 * editor also uses) rejects names the contracts lack, not only `mockstack check`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const dir = resolve(root, 'scenarios', `.strict-test-${process.pid}`);

beforeAll(async () => {
  await run(process.execPath, [resolve(root, 'packages/mockstack/bin/mockstack.js'), 'gen'], { cwd: root });
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts', '../generated/*.d.ts'] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tsc(source: string): Promise<string> {
  writeFileSync(resolve(dir, 'scenario.ts'), source);
  try {
    await run(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: root });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

test('a misspelt method of a contract is a type error with the right name suggested; the right one passes', async () => {
  const scenario = (method: string) => `import { grpc, scenario } from 'mockstack';
export default scenario('drift').services({
  payments: grpc({ port: 0, proto: 'protos/payments.proto' }, {
    'checkout.payments.v1.PaymentService': { ${method}: ({ request }) => ({ paymentId: request.orderId, status: 'AUTHORIZED' }) },
  }),
});
`;
  expect(await tsc(scenario('Authorise'))).toMatch(/scenario\.ts\(\d+,\d+\): error TS\d+: .*Did you mean to write 'Authorize'\?/s);
  expect(await tsc(scenario('Authorize'))).toBe('');
}, 60000);

test('a route of a service with an OpenAPI document must be one of its paths for that method; a plain service takes any path', async () => {
  const scenario = (route: string) => `import { rest, scenario } from 'mockstack';
export default scenario('drift').services({
  shipping: rest({ port: 0, openapi: 'schemas/shipping-rates.yaml' }, [${route}]),
  orders: rest({ port: 0 }, [rest.get('/orders/:id', ({ params }) => ({ id: params.id }))]),
});
`;
  const unknownPath = await tsc(scenario("rest.get('/v2/ratez', { rates: [] })"));
  expect(unknownPath).toMatch(
    /scenario\.ts\(3,\d+\): error TS2345: Argument of type '"\/v2\/ratez"' is not assignable to parameter of type '[^']*"\/v2\/rates"/,
  );
  // POST /v2/rates is not documented (only GET is); the message lists the POST paths.
  expect(await tsc(scenario("rest.post('/v2/rates', { rates: [] })"))).toMatch(
    /'"\/v2\/rates"' is not assignable to parameter of type '"\/v2\/shipments" \| "\/shipments"'/,
  );
  expect(await tsc(scenario("rest.operation('getRatez', { rates: [] })"))).toMatch(
    /'"getRatez"' is not assignable to parameter of type '"getRates" \| "getRate" \| "createShipment" \| "getLabel"'/,
  );
  expect(
    await tsc(
      scenario(
        "rest.get('/rates/{rateId}', ({ params }) => ({ id: params.rateId, carrier: 'DHL', service: 'standard', price: { amount: 1, currency: 'EUR' }, estimatedDays: 1 }))",
      ),
    ),
  ).toBe('');
}, 60000);

test('an operation rule must name an operation of the schema’s operation documents; the named ones pass', async () => {
  const scenario = (rule: string) => `import { fault, graphql, scenario } from 'mockstack';
export default scenario('drift').services({
  catalog: graphql({ port: 0, schema: 'schemas/catalog.graphql' }, {}, [${rule}]),
});
`;
  expect(await tsc(scenario("graphql.query('GetCartz', { cart: null })"))).toMatch(
    /scenario\.ts\(3,\d+\): error TS2345: Argument of type '"GetCartz"' is not assignable to parameter of type '"GetCart" \| "Search"'/,
  );
  expect(
    await tsc(
      scenario("graphql.query('GetCart', ({ variables }) => ({ cart: { id: variables.id } })), graphql.mutation('AddToCart', fault.unauthenticated())"),
    ),
  ).toBe('');
}, 60000);

test('resolvers of SDL written in the scenario are typed loosely (no types are generated for it); a schema path stays typed', async () => {
  const scenario = (schema: string) => `import { graphql, scenario } from 'mockstack';
export default scenario('inline').services({
  api: graphql({ port: 0, schema: ${schema} }, { Query: { hello: () => 'hi' } }),
});
`;
  expect(await tsc(scenario("'type Query { hello: String! }'"))).toBe('');
  expect(await tsc(scenario("'schemas/catalog.graphql'"))).toMatch(/scenario\.ts\(3,\d+\): error TS\d+: .*'hello'/s);
}, 60000);
