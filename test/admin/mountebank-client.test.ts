/**
 * Mountebank's imposters API driven by a Mountebank client as its users have it: @anev/ts-mountebank
 * (1.8.0, a maintained TypeScript client) against a running scenario's admin port. The imposter it
 * creates is served by the scenario's REST service on its port; what mockstack cannot honour is
 * refused and the stack keeps serving.
 */
import {
  DefaultResponse,
  EqualPredicate,
  FlexiPredicate,
  HttpMethod,
  Imposter,
  Matches,
  Mountebank,
  Proxy as MountebankProxy,
  NotFoundResponse,
  Operator,
  PredicateGenerator,
  ProxyMode,
  Response,
  Stub,
} from '@anev/ts-mountebank';
import { rest, scenario } from 'mockstack';
import { serveWithAdmin } from '../helpers/admin.js';
import { startProxyBackend } from '../helpers/proxy-backend.js';

const shop = scenario('mountebank-client').services({
  payments: rest({ port: 0 }, []),
  shop: rest({ port: 0 }, [rest.get('/orders/:id', ({ params }) => ({ id: params.id, from: 'scenario' }))]),
});
const served = serveWithAdmin(shop, 'payments');
let mb: Mountebank;
let port: number;
beforeEach(() => {
  // The admin port's root is where Mountebank's API lives (mb's 2525).
  mb = new Mountebank().withURL(new URL(served.admin).origin);
  port = Number(new URL(served.url).port);
});

const answer = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${served.url}${path}`, init);
  return { status: response.status, body: await response.text() };
};

test('the client sees mockstack as a live mountebank, creates an imposter on a service port, reads it back and deletes it', async () => {
  expect(await mb.checkIsAlive()).toBe(true);
  const imposter = new Imposter()
    .withPort(port)
    .withName('payments')
    .withRecordRequests(true)
    .withStub(
      new Stub()
        .withPredicate(new EqualPredicate().withMethod(HttpMethod.POST).withPath('/payments').withHeader('X-Tenant', 'acme').withBody({ amount: 42 }))
        .withResponse(new Response().withStatusCode(201).withJSONBody({ id: 'pay_1', status: 'AUTHORIZED' })),
    )
    .withStub(
      new Stub()
        .withPredicate(new FlexiPredicate().withOperator(Operator.startsWith).withPath('/payments/').withMethod(HttpMethod.GET))
        .withResponse(new DefaultResponse('first', 200))
        .withResponse(new NotFoundResponse()),
    );
  await mb.createImposter(imposter);

  const created = await answer('/payments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': 'ACME' },
    body: JSON.stringify({ amount: 42, currency: 'EUR' }),
  });
  expect(created.status).toBe(201);
  expect(JSON.parse(created.body)).toEqual({ id: 'pay_1', status: 'AUTHORIZED' });
  // Responses of a stub in turn, then round again.
  // DefaultResponse is JSON: the client writes the string "first" as JSON text.
  expect(await answer('/payments/pay_1')).toEqual({ status: 200, body: '"first"' });
  expect((await answer('/payments/pay_1')).status).toBe(404);
  expect((await answer('/payments/pay_1')).status).toBe(200);
  // Nothing matched: Mountebank's default answer.
  expect(await answer('/refunds')).toEqual({ status: 200, body: '' });

  const read = await mb.getImposter(port);
  expect(read).toEqual(expect.objectContaining({ protocol: 'http', port, name: 'payments', numberOfRequests: 5, recordRequests: true }));
  expect(read.requests[0]).toEqual(expect.objectContaining({ method: 'POST', path: '/payments', body: JSON.stringify({ amount: 42, currency: 'EUR' }) }));
  expect(read.stubs).toHaveLength(2);

  // createImposter replaces one on the same port (it deletes first, as with mb).
  await mb.createImposter(new Imposter().withPort(port).withStub(new Stub().withResponse(new Response().withBody('replaced'))));
  expect((await answer('/payments/pay_1')).body).toBe('replaced');
  await mb.deleteImposter(port);
  expect((await answer('/payments/pay_1')).status).toBe(404); // the service's own answer again (it has no rules)
  expect(await (await fetch(`${served.running.stack.address('shop').url}/orders/1`)).json()).toEqual({ id: '1', from: 'scenario' });
});

test('a recording proxy the client makes keeps the real answer as a stub in front of it (proxyOnce)', async () => {
  const backend = await startProxyBackend();
  try {
    const generator = new PredicateGenerator().withMatches(new Matches()); // method, path, query and body
    await mb.createImposter(
      new Imposter()
        .withPort(port)
        .withStub(new Stub().withProxy(new MountebankProxy(backend.url).withMode(ProxyMode.ProxyOnce).withPredicateGenerator(generator))),
    );
    expect(JSON.parse((await answer('/payments/pay_1')).body)).toMatchObject({ path: '/payments/pay_1', call: 1 });
    let stubs: unknown[] = [];
    for (let tries = 0; tries < 100 && stubs.length < 2; tries++) stubs = (await mb.getImposter(port)).stubs;
    expect(stubs).toHaveLength(2);
    // Answered by the recorded stub: the real service is not asked again.
    expect(JSON.parse((await answer('/payments/pay_1')).body)).toMatchObject({ path: '/payments/pay_1', call: 1 });
    expect(JSON.parse((await answer('/payments/pay_2')).body)).toMatchObject({ path: '/payments/pay_2', call: 1 });
    await mb.deleteImposter(port);
  } finally {
    await backend.close();
  }
});

test('what mockstack cannot honour is refused: the client reports the 400, nothing is served, the stack keeps serving', async () => {
  const direct = await fetch(`${new URL(served.admin).origin}/imposters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 'http', port, stubs: [{ responses: [{ inject: 'function (config) { return {}; }' }] }] }),
  });
  expect(await direct.json()).toEqual({
    errors: [{ code: 'bad data', message: expect.stringContaining('JavaScript injection (inject) is not run by mockstack') }],
  });
  // A port something else listens on (the admin API's own): the client gets the 400.
  const adminPort = Number(new URL(served.admin).port);
  await expect(mb.createImposter(new Imposter().withPort(adminPort).withStub(new Stub().withResponse(new DefaultResponse('x', 200))))).rejects.toThrow(
    /Bad Request/,
  );
  expect(await (await fetch(`${new URL(served.admin).origin}/imposters`)).json()).toEqual({ imposters: [] });
  expect((await answer('/anything')).status).toBe(404);
  expect(await (await fetch(`${served.running.stack.address('shop').url}/orders/2`)).json()).toEqual({ id: '2', from: 'scenario' });
});
