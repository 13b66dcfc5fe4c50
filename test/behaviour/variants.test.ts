/** Variants: named overlays switched at runtime fail a service, add rules that win, or change its behaviour. */
import { fault } from 'mockstack';
import { describeProtocols } from '../helpers/describe-protocols.js';

describeProtocols('variants', (protocol) => {
  const served = protocol.serve({
    services: {
      greeter: { rules: [{ answer: { message: 'hello', count: 1 } }] },
      other: { rules: [{ answer: { message: 'unaffected', count: 0 } }] },
    },
    variants: {
      down: { greeter: fault.unavailable('greeter is down') },
      vip: { greeter: { rules: [{ name: 'Ada', answer: { message: 'welcome, VIP', count: 100 } }] } },
      strict: { greeter: { rateLimit: { limit: 1, window: '60s' } } },
      broken: { greeter: { fault: fault.internal('broken by the variant') } },
    },
  });

  protocol.test('variants', "a variant's fault fails every call in the protocol's terms, and off again restores it", async () => {
    await served.stack.variant('down');
    expect(await served.call('greeter')).toMatchObject({
      ok: false,
      code: 'UNAVAILABLE',
      message: 'greeter is down',
      native: protocol.row.serviceFaults.UNAVAILABLE,
    });
    expect(await served.call('other')).toMatchObject({ ok: true, value: { message: 'unaffected' } });
    await served.stack.variant();
    expect(await served.call('greeter')).toEqual({ ok: true, value: { message: 'hello', count: 1 } });
  });

  protocol.test('variants', "a variant's rules win over the service's, for the calls they match", async () => {
    await served.stack.variant('vip');
    expect(await served.call('greeter', 'Ada')).toEqual({ ok: true, value: { message: 'welcome, VIP', count: 100 } });
    expect(await served.call('greeter', 'Bob')).toEqual({ ok: true, value: { message: 'hello', count: 1 } });
    expect(served.stack.requests().map((e) => e.variants)).toEqual([['vip'], ['vip']]);
  });

  protocol.test('variants', "a variant changes the service's behaviour (a rate limit)", async () => {
    await served.stack.variant('strict');
    expect(await served.call('greeter')).toMatchObject({ ok: true });
    expect(await served.call('greeter')).toMatchObject({ ok: false, code: 'RESOURCE_EXHAUSTED' });
  });

  protocol.test('variants', "a variant's fault option fails every call with that fault", async () => {
    await served.stack.variant('broken');
    expect(await served.call('greeter')).toMatchObject({
      ok: false,
      code: 'INTERNAL',
      message: 'broken by the variant',
      native: protocol.row.serviceFaults.INTERNAL,
    });
  });
});
