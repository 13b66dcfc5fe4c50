/**
 * Delays: a delayed answer comes after answers that were not delayed, from a rule, a service or a variant.
 * Ordering only, never timing: the delay is long (a minute), the client cuts the delayed call itself once it
 * has seen the undelayed one answered, and the server keeps serving.
 */
import { type Answer, describeProtocols } from '../helpers/describe-protocols.js';

const LONG = '60s';

describeProtocols('delays', (protocol) => {
  const served = protocol.serve({
    services: {
      greeter: {
        rules: [{ name: 'slow', delay: LONG, answer: { message: 'at last', count: 1 } }, { answer: { message: 'at once', count: 0 } }],
      },
      sluggish: { delay: LONG, rules: [{ answer: { message: 'at last', count: 1 } }] },
      other: { rules: [{ answer: { message: 'at once', count: 0 } }] },
    },
    variants: { 'slow-greeter': { greeter: { delay: LONG } } },
  });

  /** Starts a call expected to wait; `settled` says whether it has answered yet. */
  function startDelayed(service: string, name?: string) {
    const client = new AbortController();
    const delayed = { settled: false, answer: undefined as Promise<Answer> | undefined, cut: () => client.abort() };
    delayed.answer = served.call(service, name, { signal: client.signal }).finally(() => {
      delayed.settled = true;
    });
    return delayed;
  }

  protocol.test('delays', "a rule's delay holds its answer while other calls are answered", async () => {
    const delayed = startDelayed('greeter', 'slow');
    expect(await served.call('greeter', 'quick')).toEqual({ ok: true, value: { message: 'at once', count: 0 } });
    expect(delayed.settled).toBe(false);
    delayed.cut();
    expect(await delayed.answer).toEqual({ ok: false, code: 'ABORTED_BY_CLIENT' });
    expect(await served.call('greeter', 'quick')).toMatchObject({ ok: true });
  });

  protocol.test('delays', "a service's delay holds every answer of that service only", async () => {
    const delayed = startDelayed('sluggish');
    expect(await served.call('greeter', 'quick')).toMatchObject({ ok: true });
    expect(delayed.settled).toBe(false);
    delayed.cut();
    expect(await delayed.answer).toEqual({ ok: false, code: 'ABORTED_BY_CLIENT' });
  });

  protocol.test('delays', "a variant's delay holds the answers of its service, and none once it is off", async () => {
    await served.stack.variant('slow-greeter');
    const delayed = startDelayed('greeter', 'quick');
    expect(await served.call('other')).toMatchObject({ ok: true });
    expect(delayed.settled).toBe(false);
    delayed.cut();
    expect(await delayed.answer).toEqual({ ok: false, code: 'ABORTED_BY_CLIENT' });
    await served.stack.variant();
    expect(await served.call('greeter', 'quick')).toMatchObject({ ok: true });
  });
});
