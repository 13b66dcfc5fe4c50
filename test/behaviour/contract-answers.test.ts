/**
 * The contract answers what no rule answers (the engine's `fallback` outcome), over every protocol: an
 * operation without rules gets the service's delay, rate limit, chaos and a variant's fault or delay first,
 * and is journaled as `contract:<operation>`. (test/behaviour/contract-fallback.test.ts runs the same over
 * real-world contracts: petstore, the inventory SDL.)
 */
import { fault } from 'mockstack';
import { type Answer, describeProtocols } from '../helpers/describe-protocols.js';

const LONG = '60s';

describeProtocols('contract answers', (protocol) => {
  const served = protocol.serve({
    services: {
      contract: { contract: true },
      limited: { contract: true, rateLimit: { limit: 1, window: '60s' } },
      slow: { contract: true, delay: LONG },
      chaotic: { contract: true, chaos: { failRate: 1 } },
      ruled: { contract: true, rules: [{ name: 'Ada', answer: { message: 'hello Ada', count: 1 } }] },
    },
    variants: {
      down: { contract: fault.unavailable('contract service down') },
      slow: { contract: { delay: LONG } },
    },
  });
  const { operation } = protocol.row;
  const last = (service: string) => served.stack.requests({ service }).at(-1);
  const isGreeting = (answer: Answer) => answer.ok && typeof answer.value.message === 'string' && Number.isInteger(answer.value.count);

  protocol.test('contract fallback', 'an operation without rules is answered from the contract, the same for the same seed', async () => {
    const first = await served.call('contract');
    expect(isGreeting(first)).toBe(true);
    expect(last('contract')).toMatchObject({ operation, rule: `contract:${operation}`, status: protocol.row.okStatus });
    await served.stack.reset();
    expect(await served.call('contract')).toEqual(first);
  });

  protocol.test('contract fallback', "honours the service's rate limit, and answers again after a reset", async () => {
    expect(await served.call('limited')).toMatchObject({ ok: true });
    expect(await served.call('limited')).toMatchObject({ ok: false, code: 'RESOURCE_EXHAUSTED', native: protocol.row.serviceFaults.RESOURCE_EXHAUSTED });
    expect(last('limited')).toMatchObject({ rule: `contract:${operation}`, code: 'RESOURCE_EXHAUSTED' });
    await served.stack.reset();
    expect(await served.call('limited')).toMatchObject({ ok: true });
  });

  protocol.test('contract fallback', "honours the service's chaos", async () => {
    expect(await served.call('chaotic')).toMatchObject({ ok: false, code: 'UNAVAILABLE', native: protocol.row.serviceFaults.UNAVAILABLE });
    expect(last('chaotic')).toMatchObject({ rule: `contract:${operation}`, code: 'UNAVAILABLE' });
  });

  protocol.test('contract fallback', "honours the service's delay (ordering only: an undelayed call answers first)", async () => {
    const client = new AbortController();
    let settled = false;
    const delayed = served.call('slow', 'Ada', { signal: client.signal }).finally(() => {
      settled = true;
    });
    expect(await served.call('contract')).toMatchObject({ ok: true });
    expect(settled).toBe(false);
    client.abort();
    expect(await delayed).toEqual({ ok: false, code: 'ABORTED_BY_CLIENT' });
  });

  protocol.test('contract fallback', "honours a variant's fault and delay, and answers again once the variant is off", async () => {
    await served.stack.variant('down');
    expect(await served.call('contract')).toMatchObject({ ok: false, code: 'UNAVAILABLE', message: 'contract service down' });
    // A variant's fault stands in for the whole service: no rule and no contract answered.
    expect(last('contract')).toMatchObject({ rule: null, code: 'UNAVAILABLE', variants: ['down'] });
    await served.stack.variant('slow');
    const client = new AbortController();
    let settled = false;
    const delayed = served.call('contract', 'Ada', { signal: client.signal }).finally(() => {
      settled = true;
    });
    expect(await served.call('ruled', 'Ada')).toMatchObject({ ok: true });
    expect(settled).toBe(false);
    client.abort();
    expect(await delayed).toEqual({ ok: false, code: 'ABORTED_BY_CLIENT' });
    await served.stack.variant();
    expect(await served.call('contract')).toMatchObject({ ok: true });
  });

  protocol.test('contract fallback', 'beside rules: a call they match is theirs; one they miss is answered as the row says', async () => {
    expect(await served.call('ruled', 'Ada')).toEqual({ ok: true, value: { message: 'hello Ada', count: 1 } });
    const missed = await served.call('ruled', 'Bob');
    const expected = protocol.row.unmatchedBesideContract;
    if (expected === 'contract') {
      expect(isGreeting(missed)).toBe(true);
      expect(last('ruled')).toMatchObject({ rule: `contract:${operation}` });
    } else {
      expect(missed).toMatchObject({ ok: false, code: expected.code, native: expected.native });
      expect(last('ruled')?.miss?.nearest).toMatchObject({ rule: 'ruled#1', missed: ['body: $.name is "Bob", wanted "Ada"'] });
    }
  });
});
