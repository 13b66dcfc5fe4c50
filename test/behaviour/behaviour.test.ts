import { ErrorCode, ScenarioCompileError } from '@mockstack/core';
import { loadModel } from '@mockstack/runner';
import { startStack, type TestStack } from '@mockstack/testing';
import { fallThrough, fault, graphql, grpc, rest, scenario } from 'mockstack';

const payments = scenario('behaviour', { seed: 99, machines: { payment: ['pending', 'authorized', 'captured'], retry: ['failing', 'ok'] } })
  .services({
    pay: rest({ port: 0 }, [
      rest.get('/payments/p1', { whenState: { payment: 'pending' } }, { status: 'pending' }),
      rest.get('/payments/p1', { whenState: { payment: 'authorized' } }, { status: 'authorized' }),
      rest.get('/payments/p1', { whenState: { payment: 'captured' } }, { status: 'captured' }),
      rest.post('/payments/p1/authorize', { whenState: { payment: 'pending' }, setState: { payment: 'authorized' } }, { ok: true }),
      rest.post('/payments/p1/capture', { whenState: { payment: 'authorized' }, setState: { payment: 'captured' } }, { ok: true }),
      // "retry succeeds on the third try": two failures, then success, as one declaration each
      rest.get('/flaky', { times: 2 }, fault.unavailable('try again')),
      rest.get('/flaky', { whenState: { retry: 'failing' }, setState: { retry: 'ok' } }, { attempt: 3 }),
      rest.get('/limited', { rateLimit: { limit: 2, window: '10s' } }, { ok: true }),
      rest.get('/chaotic', { chaos: { failRate: 0.5 } }, { ok: true }),
    ]),
    quota: rest({ port: 0, rateLimit: { limit: 1, window: '10s' } }, [rest.get('/a', 'a'), rest.get('/b', 'b')]),
  })
  .variants({
    'pay-flaky': { pay: { chaos: { failRate: 1, fault: fault.internal('injected') } } },
  });

let stack: TestStack;
let pay: string;
beforeAll(async () => {
  stack = await startStack(payments);
  pay = stack.url('pay');
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.reset();
  stack.variant();
});

const status = async (path: string, method = 'GET') => (await fetch(`${pay}${path}`, { method })).status;
const json = async (path: string, method = 'GET') => (await fetch(`${pay}${path}`, { method })).json();

describe('state machines', () => {
  test('rules move a machine through its states, and an out-of-order call misses with the reason', async () => {
    expect(await json('/payments/p1')).toEqual({ status: 'pending' });
    const early = await fetch(`${pay}/payments/p1/capture`, { method: 'POST' });
    expect(early.status).toBe(404);
    expect(((await early.json()) as { error: { nearest: { missed: string[] } } }).error.nearest.missed).toEqual([
      'state machine "payment" is "pending", the rule wants "authorized"',
    ]);
    expect(await status('/payments/p1/authorize', 'POST')).toBe(200);
    expect(await json('/payments/p1')).toEqual({ status: 'authorized' });
    expect(await status('/payments/p1/capture', 'POST')).toBe(200);
    expect(await json('/payments/p1')).toEqual({ status: 'captured' });
    expect(stack.engine.machines).toEqual({ payment: 'captured', retry: 'failing' });
  });

  test('reset puts every machine back in its first state', async () => {
    await status('/payments/p1/authorize', 'POST');
    stack.reset();
    expect(await json('/payments/p1')).toEqual({ status: 'pending' });
  });

  test('retry succeeds on the third try', async () => {
    expect([await status('/flaky'), await status('/flaky'), await status('/flaky')]).toEqual([503, 503, 200]);
  });

  test('a rule naming an unknown machine or state is a compile error with its line', async () => {
    const broken = scenario('broken-machines', { machines: { payment: ['pending', 'captured'] } }).services({
      api: rest({}, [rest.get('/a', { whenState: { payment: 'captred' } }, 'a'), rest.get('/b', { setState: { paymnt: 'pending' } }, 'b')]),
    });
    const error = (await loadModel(broken).catch((e: unknown) => e)) as ScenarioCompileError;
    expect(error).toBeInstanceOf(ScenarioCompileError);
    expect(error.code).toBe(ErrorCode.ScenarioCompile);
    expect(error.problems.map((p) => p.message)).toEqual([
      'rule api#1 whenState refers to state "captred" of machine "payment", which has: pending, captured',
      'rule api#2 setState refers to state machine "paymnt", which the scenario does not declare (machines: payment)',
    ]);
    expect(error.problems[0]?.source?.file).toMatch(/behaviour\.test\.ts$/);
  });

  test('a match key no condition reads (which would match every request) is a compile error with its line and the key meant', async () => {
    // As a scenario in JavaScript, or a spec built in a variable, can write them: TypeScript would refuse these literals.
    const specs = [{ request: { id: 'p1' } }, { metadata: { 'x-tenant': 'a' } }, { parms: { id: 'p1' } }, { anything: 1 }] as never[];
    const broken = scenario('broken-match').services({
      api: rest(
        {},
        specs.map((match, i) => rest.get(`/m${i}`, { match }, 'x')),
      ),
    });
    const error = (await loadModel(broken).catch((e: unknown) => e)) as ScenarioCompileError;
    expect(error).toBeInstanceOf(ScenarioCompileError);
    expect(error.problems.map((p) => p.message)).toEqual([
      'rule api#1 has match.request, which no condition reads, so the rule would match every request; a rule matches on params, query, headers, body, bodyEquals, when (did you mean body?)',
      'rule api#2 has match.metadata, which no condition reads, so the rule would match every request; a rule matches on params, query, headers, body, bodyEquals, when (did you mean headers?)',
      'rule api#3 has match.parms, which no condition reads, so the rule would match every request; a rule matches on params, query, headers, body, bodyEquals, when (did you mean params?)',
      'rule api#4 has match.anything, which no condition reads, so the rule would match every request; a rule matches on params, query, headers, body, bodyEquals, when',
    ]);
    expect(error.problems[0]?.source?.file).toMatch(/behaviour\.test\.ts$/);
  });

  test("a service option its protocol does not take (a typo, another protocol's setting) is a compile error with its line", async () => {
    const broken = scenario('broken-service-options').services({
      api: rest({ prot: 8080 } as never, []),
      catalog: graphql({ schema: 'schemas/catalog.graphql', proto: 'x.proto' } as never, {}),
    });
    const error = (await loadModel(broken).catch((e: unknown) => e)) as ScenarioCompileError;
    expect(error.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^service "api" has option prot, which a rest service does not take \(did you mean port\?\); its options are port, host, .*openapi/,
      ),
      expect.stringMatching(/^service "catalog" has option proto, which a graphql service does not take .*; its options are port, host, .*schema/),
    ]);
    expect(error.problems[0]?.source?.file).toMatch(/behaviour\.test\.ts$/);
  });

  test('a rule option no rule reads (a typo of times, a protocol word) is a compile error with its line', async () => {
    const options = [{ tims: 1 }, { dealy: '1s' }, { status: 201 }] as never[];
    const broken = scenario('broken-options').services({
      api: rest(
        {},
        options.map((given, i) => rest.get(`/o${i}`, given, 'x')),
      ),
      payments: grpc({ proto: 'protos/payments.proto' }, [grpc.method('checkout.payments.v1.PaymentService/Authorize', { retries: 2 } as never, {})]),
    });
    const error = (await loadModel(broken).catch((e: unknown) => e)) as ScenarioCompileError;
    expect(error.problems.map((p) => p.message)).toEqual([
      "rule api#1 has option tims, which no rule reads; a rule's options are match, times, name, delay, rateLimit, chaos, timeout, whenState, setState (did you mean times?)",
      "rule api#2 has option dealy, which no rule reads; a rule's options are match, times, name, delay, rateLimit, chaos, timeout, whenState, setState (did you mean delay?)",
      "rule api#3 has option status, which no rule reads; a rule's options are match, times, name, delay, rateLimit, chaos, timeout, whenState, setState",
      "rule payments#1 has option retries, which no rule reads; a rule's options are match, times, name, delay, rateLimit, chaos, timeout, whenState, setState",
    ]);
    expect(error.problems[0]?.source?.file).toMatch(/behaviour\.test\.ts$/);
  });
});

describe('rate limits', () => {
  test('per rule: the call over the limit gets 429 with Retry-After', async () => {
    expect([await status('/limited'), await status('/limited')]).toEqual([200, 200]);
    const res = await fetch(`${pay}/limited`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('rate limit of 2 per 10s exceeded');
  });

  test('per service: every route counts against one limit', async () => {
    const quota = stack.url('quota');
    expect((await fetch(`${quota}/a`)).status).toBe(200);
    expect((await fetch(`${quota}/b`)).status).toBe(429);
  });
});

describe('chaos', () => {
  async function run(): Promise<number[]> {
    stack.reset();
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push(await status('/chaotic'));
    return statuses;
  }

  test('fails about the given share of calls, the same ones for the same seed', async () => {
    const first = await run();
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    expect(await run()).toEqual(first);
  });

  test('a variant turns chaos on for a whole service, with its own fault', async () => {
    stack.variant('pay-flaky');
    const res = await fetch(`${pay}/payments/p1`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'injected' } });
    stack.variant();
    expect(await status('/payments/p1')).toBe(200);
  });
});

describe('fallThrough', () => {
  test('a handler can let the next rule answer', async () => {
    const stack = await startStack(
      scenario('fall-through').services({
        api: rest({}, [
          rest.get('/items/:id', ({ params }) => (params.id === 'special' ? { special: true } : fallThrough())),
          rest.get('/items/:id', ({ params }) => ({ id: params.id })),
        ]),
      }),
    );
    try {
      expect(await (await fetch(`${stack.url('api')}/items/special`)).json()).toEqual({ special: true });
      expect(await (await fetch(`${stack.url('api')}/items/7`)).json()).toEqual({ id: '7' });
      expect(stack.requests().map((e) => e.rule)).toEqual(['api#1', 'api#2']);
    } finally {
      await stack.close();
    }
  });
});
