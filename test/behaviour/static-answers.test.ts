/** Static answers: a rule answers a fixed value, first match wins, a static fault is the protocol's error. */
import { fault } from 'mockstack';
import { describeProtocols } from '../helpers/describe-protocols.js';

describeProtocols('static answers', (protocol) => {
  const served = protocol.serve({
    services: {
      greeter: {
        rules: [
          { name: 'Ada', answer: { message: 'hello Ada', count: 1 } },
          { name: 'Ada', answer: { message: 'never: the rule above matches first', count: 0 } },
          { name: 'Ghost', answer: fault.notFound('no such person') },
          { answer: { message: 'hello stranger', count: 0 } },
        ],
      },
    },
  });

  protocol.test('static', 'a rule answers its value; the first matching rule wins', async () => {
    expect(await served.call('greeter', 'Ada')).toEqual({ ok: true, value: { message: 'hello Ada', count: 1 } });
    expect(await served.call('greeter', 'Bob')).toEqual({ ok: true, value: { message: 'hello stranger', count: 0 } });
    expect(served.stack.requests().map((e) => e.rule)).toEqual(['greeter#1', 'greeter#4']);
  });

  protocol.test('static', "a static fault is the protocol's error, and the service keeps serving", async () => {
    expect(await served.call('greeter', 'Ghost')).toEqual({
      ok: false,
      code: 'NOT_FOUND',
      message: 'no such person',
      native: protocol.row.faults.NOT_FOUND,
      retryAfter: undefined,
    });
    expect(await served.call('greeter', 'Ada')).toMatchObject({ ok: true });
  });
});
