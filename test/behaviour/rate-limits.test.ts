/** Rate limits: per rule and per service; the call over the limit gets the protocol's error, the next window answers. */
import { describeProtocols } from '../helpers/describe-protocols.js';

describeProtocols('rate limits', (protocol) => {
  const served = protocol.serve({
    services: {
      greeter: {
        rules: [
          { name: 'limited', rateLimit: { limit: 2, window: '60s' }, answer: { message: 'limited', count: 1 } },
          { answer: { message: 'free', count: 0 } },
        ],
      },
      quota: { rateLimit: { limit: 1, window: '60s' }, rules: [{ answer: { message: 'one', count: 1 } }] },
    },
  });

  protocol.test('rate limits', 'per rule: the call over the limit is RESOURCE_EXHAUSTED with when to retry; other rules still answer', async () => {
    expect(await served.call('greeter', 'limited')).toMatchObject({ ok: true });
    expect(await served.call('greeter', 'limited')).toMatchObject({ ok: true });
    const over = await served.call('greeter', 'limited');
    expect(over).toMatchObject({
      ok: false,
      code: 'RESOURCE_EXHAUSTED',
      message: 'rate limit of 2 per 60s exceeded',
      native: protocol.row.faults.RESOURCE_EXHAUSTED,
    });
    expect(Number((over as { retryAfter?: string }).retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await served.call('greeter', 'free')).toMatchObject({ ok: true, value: { message: 'free' } });
  });

  protocol.test('rate limits', 'per service: every call counts against one limit', async () => {
    expect(await served.call('quota', 'Ada')).toMatchObject({ ok: true });
    expect(await served.call('quota', 'Bob')).toMatchObject({ ok: false, code: 'RESOURCE_EXHAUSTED' });
  });

  protocol.test('rate limits', 'reset opens a new window', async () => {
    await served.call('quota');
    await served.stack.reset();
    expect(await served.call('quota')).toMatchObject({ ok: true });
  });
});
