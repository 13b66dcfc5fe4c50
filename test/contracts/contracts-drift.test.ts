/**
 * The drift corpus (test/drift/<protocol>/*.ts): each scenario breaks its contract in one way and
 * `mockstack check` must catch it at the right place with a message saying what the contract
 * expects; the `ok.ts` scenarios match their contracts and pass. One `check` run covers them all.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');
const drift = join(root, 'test', 'drift');

interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: 'type' | 'contract' | 'input';
  code: string;
}

const files = ['grpc', 'graphql', 'rest'].flatMap((protocol) =>
  readdirSync(join(drift, protocol))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `test/drift/${protocol}/${f}`),
);

let exitCode: number;
let problems: Problem[];

beforeAll(async () => {
  const result = await new Promise<{ code: number; stdout: string }>((done) => {
    execFile(process.execPath, [bin, 'check', ...files, '--format', 'json'], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
  exitCode = result.code;
  problems = (JSON.parse(result.stdout) as { problems: Problem[] }).problems;
}, 60_000);

function of(file: string, kind?: Problem['kind']): Problem[] {
  return problems.filter((p) => p.file === `test/drift/${file}` && (kind === undefined || p.kind === kind));
}

/** 1-based line of the first line of a drift file containing `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(join(drift, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

/**
 * A problem of this kind and message, reported between the service's factory call and the line
 * holding `at` (TypeScript reports a nested mismatch at the argument, the contract check at the rule).
 */
function expectProblem(file: string, kind: Problem['kind'], at: string, message: RegExp): void {
  const from = lineOf(file, 'mockstack') + 1;
  const to = lineOf(file, at);
  const found = of(file, kind).filter((p) => message.test(p.message));
  expect(found.map((p) => `${p.line}: ${p.message}`)).toHaveLength(1);
  expect(found[0]?.line).toBeGreaterThanOrEqual(from);
  expect(found[0]?.line).toBeLessThanOrEqual(to);
  expect(found[0]?.column).toBeGreaterThan(0);
}

test('check exits 1 on drift and the scenarios that match their contracts pass', () => {
  expect(exitCode).toBe(1);
  expect(of('grpc/ok.ts')).toEqual([]);
  expect(of('graphql/ok.ts')).toEqual([]);
  expect(of('rest/ok.ts')).toEqual([]);
  // Every broken scenario is caught.
  for (const file of files.filter((f) => !f.endsWith('/ok.ts'))) expect(problems.some((p) => p.file === file)).toBe(true);
});

describe('gRPC (protos/payments.proto)', () => {
  test('wrong field name', () => {
    expectProblem(
      'grpc/wrong-field-name.ts',
      'contract',
      'stauts',
      /Capture answers a checkout\.payments\.v1\.Payment whose field stauts: .* has no such field \(it has paymentId, orderId, amount, status, updatedAt\)/,
    );
    expectProblem('grpc/wrong-field-name.ts', 'type', 'stauts', /'stauts' is not in the contract/);
  });
  test('wrong type, static and from a handler', () => {
    expectProblem('grpc/wrong-type.ts', 'contract', '1001', /field paymentId: expected a string, got number 1001/);
    expectProblem('grpc/wrong-type.ts', 'type', '1001', /Type 'number' is not assignable to type 'string'/);
    expectProblem('grpc/wrong-type-handler.ts', 'type', 'units', /Type 'number' is not assignable to type 'string'/);
  });
  test('enum value not in the enum, in a message and in a stream item', () => {
    expectProblem(
      'grpc/enum-value.ts',
      'contract',
      'BOUNCED',
      /field status: "BOUNCED" is not a value of enum checkout\.payments\.v1\.PaymentStatus \(PAYMENT_STATUS_UNSPECIFIED, AUTHORIZED/,
    );
    expectProblem('grpc/enum-value.ts', 'type', 'BOUNCED', /Type '"BOUNCED"' is not assignable to type 'number \| "AUTHORIZED"/);
    expectProblem(
      'grpc/stream-item.ts',
      'contract',
      'SETTLED',
      /WatchPayment answers a checkout\.payments\.v1\.PaymentEvent whose field status: "SETTLED" is not a value of enum/,
    );
    expectProblem('grpc/stream-item.ts', 'type', 'SETTLED', /Type '"SETTLED"' is not assignable/);
  });
  test('unknown service', () => {
    expectProblem(
      'grpc/unknown-service.ts',
      'contract',
      'PaymentServce',
      /its protos define no service checkout\.payments\.v1\.PaymentServce; they define checkout\.payments\.v1\.PaymentService/,
    );
    expectProblem('grpc/unknown-service.ts', 'type', 'PaymentServce', /''checkout\.payments\.v1\.PaymentServce'' does not exist in type/);
  });
  test('unknown method, unknown request field', () => {
    expectProblem(
      'grpc/unknown-method.ts',
      'contract',
      'Authorise',
      /PaymentService has no method "Authorise"; it has Authorize, Capture, Refund, WatchPayment/,
    );
    expectProblem('grpc/unknown-method.ts', 'type', 'Authorise', /'Authorise' does not exist in type .* Did you mean to write 'Authorize'\?/);
    expectProblem(
      'grpc/unknown-request-field.ts',
      'type',
      'paymentID',
      /Property 'paymentID' does not exist on type 'checkout\.payments\.v1\.CaptureRequest'\. Did you mean 'paymentId'\?/,
    );
  });
});

describe('GraphQL (schemas/catalog.graphql)', () => {
  test('wrong field name', () => {
    expectProblem(
      'graphql/wrong-field-name.ts',
      'contract',
      'nmae',
      /Query\.categories\[0\]: Category has no field nmae \(it has id, name, slug, productCount\)/,
    );
    expectProblem('graphql/wrong-field-name.ts', 'type', 'nmae', /'nmae' is not in the contract/);
  });
  test('wrong type, static and from a resolver', () => {
    expectProblem('graphql/wrong-type.ts', 'contract', 'many', /Query\.categories\[0\]\.productCount is Int but the answer is "many"/);
    expectProblem('graphql/wrong-type.ts', 'type', 'many', /Type 'string' is not assignable to type 'number'/);
    expectProblem('graphql/wrong-type-handler.ts', 'type', 'plenty', /Type 'string' is not assignable to type 'number'/);
  });
  test('null for a non-null field (a required value missing)', () => {
    expectProblem('graphql/null-for-non-null.ts', 'contract', 'categories: null', /Query\.categories is \[Category!\]! \(non-null\) but the answer is null/);
    expectProblem('graphql/null-for-non-null.ts', 'type', 'categories: null', /Type 'null' is not assignable/);
  });
  test('unknown field, unknown argument', () => {
    expectProblem(
      'graphql/unknown-field.ts',
      'contract',
      'productz',
      /type Query has no field "productz"; its fields: product, products, search, categories, cart/,
    );
    expectProblem('graphql/unknown-field.ts', 'type', 'productz', /'productz' does not exist .* Did you mean to write 'product'\?/);
    expectProblem('graphql/unknown-arg.ts', 'type', '{ id }', /Property 'id' does not exist on type '\{ sku: string; \}'/);
  });
  test('operation rules: an operation the documents lack, a wrong type in the answer, a variable the operation does not declare', () => {
    expectProblem('graphql/operation-unknown.ts', 'type', 'AddToCard', /Argument of type '"AddToCard"' is not assignable to parameter of type '"AddToCart"'/);
    expectProblem('graphql/operation-wrong-type.ts', 'contract', "'two'", /query GetCart: Query\.cart\.itemCount is Int but the answer is "two"/);
    expectProblem('graphql/operation-wrong-type.ts', 'type', "'two'", /Type 'string' is not assignable to type 'number'/);
    expectProblem('graphql/operation-variable.ts', 'type', 'cartId', /Property 'cartId' does not exist on type '\{ id: string; \}'/);
  });
  test('a persisted document of the client that the schema no longer takes (only that one)', () => {
    expectProblem(
      'graphql/persisted-stale.ts',
      'contract',
      'persistedDocuments',
      /persisted document "9c1e" of .*persisted-stale\.json does not fit the schema: Cannot query field "productTotal" on type "Category"\. Did you mean "productCount"\? \(line 1, column 36 of the document\)/,
    );
    expect(of('graphql/persisted-stale.ts')).toHaveLength(1);
  });
});

describe('OpenAPI (schemas/shipping-rates.yaml)', () => {
  test('wrong field name', () => {
    expectProblem('rest/wrong-field-name.ts', 'contract', 'carier', /getRate 200: body must have required property 'carrier'/);
    expectProblem('rest/wrong-field-name.ts', 'type', 'carier', /'carier' does not exist in type/);
  });
  test('wrong type', () => {
    expectProblem('rest/wrong-type.ts', 'contract', "'none'", /getRates 200: body\.rates must be array/);
    expectProblem('rest/wrong-type.ts', 'type', "'none'", /Type 'string' is not assignable to type 'readonly Rate\[\]/);
  });
  test('missing required field', () => {
    expectProblem('rest/missing-required.ts', 'contract', 'rest.operation', /getRate 200: body must have required property 'estimatedDays'/);
    expectProblem('rest/missing-required.ts', 'type', 'rest.operation', /Property 'estimatedDays' is missing/);
  });
  test('enum value not in the enum', () => {
    expectProblem('rest/enum-value.ts', 'contract', 'Hermes', /getRate 200: body\.carrier must be equal to one of the allowed values \(DHL, UPS, FedEx, DPD\)/);
    expectProblem('rest/enum-value.ts', 'type', 'Hermes', /Type '"Hermes"' is not assignable to type '"DHL" \| "UPS" \| "FedEx" \| "DPD"'/);
  });
  test('unknown operation, unknown path param', () => {
    expectProblem('rest/unknown-operation.ts', 'contract', 'getRatez', /operationId "getRatez" is not in schemas\/shipping-rates\.yaml; near names: getRates/);
    expectProblem('rest/unknown-operation.ts', 'type', 'getRatez', /Argument of type '"getRatez"' is not assignable/);
    expectProblem('rest/wrong-query.ts', 'type', 'params.id', /Property 'id' does not exist on type '\{ rateId: string; \}'/);
  });
  test('a route the document lacks, or has for another method: the service names the document, so its routes are checked against it', () => {
    expectProblem(
      'rest/unknown-route.ts',
      'contract',
      '/v2/ratez',
      /^service "[^"]+": operation GET \/v2\/ratez is not in schemas\/shipping-rates\.yaml; near names: GET \/v2\/rates/,
    );
    expectProblem('rest/unknown-route.ts', 'type', '/v2/ratez', /Argument of type '"\/v2\/ratez"' is not assignable to parameter of type '.*"\/v2\/rates"/);
    expectProblem('rest/wrong-method.ts', 'contract', '/v2/rates', /^service "[^"]+": operation POST \/v2\/rates is not in schemas\/shipping-rates\.yaml/);
    expectProblem(
      'rest/wrong-method.ts',
      'type',
      '/v2/rates',
      /Argument of type '"\/v2\/rates"' is not assignable to parameter of type '"\/v2\/shipments" \| "\/shipments"'/,
    );
  });
  test('a route is typed like its operation: static answer and request body', () => {
    expectProblem(
      'rest/route-enum-value.ts',
      'contract',
      'Hermes',
      /getRate 200: body\.carrier must be equal to one of the allowed values \(DHL, UPS, FedEx, DPD\)/,
    );
    expectProblem('rest/route-enum-value.ts', 'type', 'Hermes', /Type '"Hermes"' is not assignable to type '"DHL" \| "UPS" \| "FedEx" \| "DPD"'/);
    expectProblem('rest/route-body-field.ts', 'type', 'rateID', /Property 'rateID' does not exist on type 'ShipmentRequest'\. Did you mean 'rateId'\?/);
  });
  test('a status the operation does not document', () => {
    expectProblem('rest/wrong-status.ts', 'contract', '418', /getRate answers status 418, which the contract does not document \(documented: 200, 404\)/);
    // TypeScript reports the reply against the documented ones: the 404 status, or the 200 body it does not have.
    expectProblem(
      'rest/wrong-status.ts',
      'type',
      '418',
      /Type '418' is not assignable to type '404'|TypedReply<.*, 418>' is not assignable to parameter|status: 418; \}' is missing the following properties from type 'Rate'/,
    );
  });
});
