/**
 * Webhooks: `respond(answer, { webhooks: [webhook(url, body, options)] })` from a REST, GraphQL and
 * gRPC handler calls exactly the URL named (a loopback receiver here), after its delay; each call is
 * journaled as protocol `webhook` and verified like a request (stack.verify, admin /verify). A target
 * that refuses or hangs is a journaled failure within a bounded timeout, and serving goes on.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, graphql, grpc as grpcService, respond, rest, scenario, webhook } from 'mockstack';

const proto = resolve(import.meta.dirname, '../fixtures/contracts/greeter.proto');
const sdl = resolve(import.meta.dirname, '../fixtures/contracts/inventory.graphql');
const withCallbacks = resolve(import.meta.dirname, '../fixtures/contracts/callbacks.openapi.json');
const withWebhooks = resolve(import.meta.dirname, '../fixtures/contracts/webhooks.openapi.json');

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback server that records every call and answers 204 (or never, for `/hang`). */
let receiver: Server;
let base = '';
const received: Received[] = [];
const waiters: (() => void)[] = [];

function nextCall(): Promise<void> {
  return new Promise((done) => waiters.push(done));
}

type Greeter = grpc.Client & { SayHello(req: object, cb: (e: grpc.ServiceError | null, r: { message: string }) => void): void };
const Greeter = (
  grpc.loadPackageDefinition(protoLoader.loadSync(proto)) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } }
).demo.greeter.v1.Greeter;

let stack: TestStack;
let refusedUrl = '';
/** Port 2: below the ports the system hands out, served by nothing on a test machine, and not one fetch refuses to call (1 is). */
const REFUSING_PORT = 2;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.url === '/hang') return; // never answers: the sender's timeout cuts it
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(204).end();
      waiters.shift()?.();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // A port that refuses: a privileged one nothing here listens on. (A port bound and closed again could be handed
  // to the next server started, in this file or in another test run in parallel: the webhook once got its 404.)
  refusedUrl = `http://127.0.0.1:${REFUSING_PORT}/refused`;

  stack = await startStack(
    scenario('webhooks', { seed: 1 }).services({
      payments: rest({ port: 0 }, [
        rest.post('/payments', ({ body }) => {
          const { callbackUrl } = body as { callbackUrl: string };
          return respond(
            { id: 'pay_1', status: 'pending' },
            { status: 202, webhooks: [webhook(callbackUrl, { id: 'pay_1', status: 'paid' }, { delay: '20ms', headers: { 'X-Signature': 'sig' } })] },
          );
        }),
        rest.post('/refused', () => respond({ ok: true }, { webhooks: [webhook(refusedUrl, { n: 1 })] })),
        rest.post('/hang', () => respond({ ok: true }, { webhooks: [webhook(`${base}/hang`, { n: 2 }, { timeout: '150ms' })] })),
        rest.post('/not-a-url', () => respond({ ok: true }, { webhooks: [webhook('file:///etc/passwd', { n: 3 })] })),
        rest.post('/declined', ({ body }) =>
          fault.failedPrecondition('card declined', {
            webhooks: [webhook((body as { callbackUrl: string }).callbackUrl, { id: 'pay_2', status: 'failed' })],
          }),
        ),
        rest.get('/ok', { ok: true }),
      ]),
      subscriptions: rest({ port: 0, openapi: withCallbacks }),
      pets: rest({ port: 0, openapi: withWebhooks, webhooks: { newPet: { after: 'POST /pets', url: '{$request.body#/notifyUrl}' } } }),
      catalog: graphql(
        { port: 0, schema: sdl },
        {
          Query: {
            item: (_: unknown, { id }: { id: string }) => respond({ id, name: 'Pen' }, { webhooks: [webhook(`${base}/graphql-hook`, { viewed: id })] }),
          },
        },
      ),
      greeter: grpcService(
        { port: 0, proto },
        {
          'demo.greeter.v1.Greeter': {
            SayHello: ({ request }) =>
              request.name === 'nobody'
                ? fault.grpc('NOT_FOUND', 'no such person', { webhooks: [webhook(`${base}/grpc-miss`, { missed: request.name })] })
                : respond({ message: 'hi' }, { webhooks: [webhook(`${base}/grpc-hook?x=1`, { greeted: request.name }, { method: 'PUT' })] }),
          },
        },
      ),
    }),
    { admin: true },
  );
});

afterAll(async () => {
  await stack.close();
  receiver.closeAllConnections();
  await new Promise((done) => receiver.close(done));
});

/** Waits until the journal has an entry for `operation` of protocol webhook (the call and its answer are journaled after both). */
async function journaled(operation: string): Promise<NonNullable<ReturnType<TestStack['requests']>[number]>> {
  for (;;) {
    const entry = stack.requests({ protocol: 'webhook', operation }).at(-1);
    if (entry) return entry;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a REST handler fires a webhook at the URL the request named, journaled and verifiable', async () => {
  const call = nextCall();
  const res = await fetch(`${stack.url('payments')}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 10, callbackUrl: `${base}/hooks/payments` }),
  });
  expect(res.status).toBe(202);
  await call;
  expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/hooks/payments', body: '{"id":"pay_1","status":"paid"}' });
  expect(received.at(-1)?.headers).toMatchObject({ 'content-type': 'application/json', 'x-signature': 'sig' });
  const entry = await journaled(`POST ${base}/hooks/payments`);
  expect(entry).toMatchObject({ service: 'payments', status: 204, target: `POST ${base}/hooks/payments`, request: { body: { id: 'pay_1', status: 'paid' } } });
  expect(stack.verify({ protocol: 'webhook', body: { status: 'paid' }, times: 1 }).pass).toBe(true);
  const admin = await fetch(`${stack.adminUrl}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.adminHeaders },
    body: JSON.stringify({ protocol: 'webhook', operation: `POST ${base}/hooks/payments`, times: 1 }),
  });
  expect(await admin.json()).toMatchObject({ ok: true, count: 1 });
});

test('GraphQL and gRPC handlers fire webhooks too', async () => {
  const graphqlCall = nextCall();
  await fetch(stack.url('catalog'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ item(id: "7") { name } }' }),
  });
  await graphqlCall;
  expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/graphql-hook', body: '{"viewed":"7"}' });

  const client = new Greeter(stack.url('greeter'), grpc.credentials.createInsecure()) as unknown as Greeter;
  try {
    const grpcCall = nextCall();
    await new Promise((done, fail) => client.SayHello({ name: 'Ada' }, (e, r) => (e ? fail(e) : done(r))));
    await grpcCall;
  } finally {
    client.close();
  }
  expect(received.at(-1)).toMatchObject({ method: 'PUT', url: '/grpc-hook?x=1', body: '{"greeted":"Ada"}' });
  expect((await journaled(`PUT ${base}/grpc-hook`)).service).toBe('greeter');
});

test('a webhook beside a fault fires too (REST and gRPC)', async () => {
  const restCall = nextCall();
  const res = await fetch(`${stack.url('payments')}/declined`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUrl: `${base}/hooks/declined` }),
  });
  expect(res.status).toBe(422);
  await restCall;
  expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/hooks/declined', body: '{"id":"pay_2","status":"failed"}' });
  expect(await journaled(`POST ${base}/hooks/declined`)).toMatchObject({ service: 'payments', status: 204 });

  const client = new Greeter(stack.url('greeter'), grpc.credentials.createInsecure()) as unknown as Greeter;
  try {
    const grpcCall = nextCall();
    const error = await new Promise<grpc.ServiceError>((done) => client.SayHello({ name: 'nobody' }, (e) => done(e as grpc.ServiceError)));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    await grpcCall;
  } finally {
    client.close();
  }
  expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/grpc-miss', body: '{"missed":"nobody"}' });
});

test.each([
  ['a target that refuses', '/refused', 'failed', /could not be reached: ECONNREFUSED/],
  ['a target that hangs', '/hang', 'timeout', /did not answer within 150 ms \(timeout\)/],
  ['a URL that is not http(s)', '/not-a-url', 'not sent', /is not an http\(s\) URL/],
])('%s: the failure is journaled and serving goes on', async (_name, path, status, error) => {
  const before = received.length;
  const res = await fetch(`${stack.url('payments')}${path}`, { method: 'POST' });
  expect(res.status).toBe(200);
  const url = path === '/refused' ? refusedUrl : path === '/hang' ? `${base}/hang` : 'file:///etc/passwd';
  const entry = await journaled(`POST ${url}`);
  expect(entry.status).toBe(status);
  expect(entry.error).toMatch(error);
  expect(received.length).toBe(before);
  expect((await fetch(`${stack.url('payments')}/ok`)).status).toBe(200);
});

test('OpenAPI callbacks fire at the URL the request named, with a body generated from the callback schema', async () => {
  const call = nextCall();
  const res = await fetch(`${stack.url('subscriptions')}/subscriptions?tenant=acme`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUrl: `${base}/subscriber` }),
  });
  expect(res.status).toBe(201);
  await call;
  const sent = received.at(-1) as Received;
  expect(sent).toMatchObject({ method: 'POST', url: '/subscriber/events?sub=acme' });
  const body = JSON.parse(sent.body) as { event: string; quantity: number };
  expect(body.event).toBe('created');
  expect(body.quantity).toBeGreaterThanOrEqual(1);
  expect(body.quantity).toBeLessThanOrEqual(5);
  const entry = await journaled(`callback onEvent POST {$request.body#/callbackUrl}/events?sub={$request.query.tenant}`);
  expect(entry).toMatchObject({ service: 'subscriptions', status: 204, target: `POST ${base}/subscriber/events?sub=acme` });
});

test('a request that fails the contract fires no callback', async () => {
  const before = received.length;
  const res = await fetch(`${stack.url('subscriptions')}/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(422);
  // A valid request after it: its callback is the only one to arrive.
  const call = nextCall();
  await fetch(`${stack.url('subscriptions')}/subscriptions?tenant=t2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUrl: `${base}/second` }),
  });
  await call;
  expect(received.slice(before).map((r) => r.url)).toEqual(['/second/events?sub=t2']);
});

test("an OpenAPI 3.1 document's webhook fires after the operation the service names", async () => {
  const call = nextCall();
  const res = await fetch(`${stack.url('pets')}/pets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Rex', notifyUrl: `${base}/pets-hook` }),
  });
  expect(res.status).toBe(201);
  await call;
  expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/pets-hook', body: '{"event":"pet.created","id":"pet_1"}' });
});

test('a webhook name the document lacks is a start error with near names', async () => {
  const start = startStack(
    scenario('bad-webhook').services({
      pets: rest({ port: 0, openapi: withWebhooks, webhooks: { newPets: { after: 'POST /pets', url: 'http://127.0.0.1:1/x' } } }),
    }),
  );
  await expect(start).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_OPERATION_UNKNOWN',
    message: expect.stringMatching(/webhook "newPets" is not in the webhooks .*near names: newPet/),
  });
});
