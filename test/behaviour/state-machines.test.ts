/** State machines (WireMock scenarios): rules match in a state and move machines; a call out of order misses. */
import { describeProtocols } from '../helpers/describe-protocols.js';

describeProtocols('state machines', (protocol) => {
  const served = protocol.serve({
    machines: { visit: ['new', 'greeted', 'left'] },
    services: {
      host: {
        rules: [
          { name: 'hello', whenState: { visit: 'new' }, setState: { visit: 'greeted' }, answer: { message: 'nice to meet you', count: 1 } },
          { name: 'hello', whenState: { visit: 'greeted' }, answer: { message: 'hello again', count: 2 } },
          { name: 'bye', whenState: { visit: 'greeted' }, setState: { visit: 'left' }, answer: { message: 'goodbye', count: 3 } },
          { name: 'hello', whenState: { visit: 'left' }, answer: { message: 'welcome back', count: 4 } },
        ],
      },
      // A second service of the same stack: machines are shared by every service.
      doorman: { rules: [{ name: 'status', whenState: { visit: 'left' }, answer: { message: 'the guest left', count: 0 } }] },
    },
  });

  const message = async (service: string, name: string) => {
    const answer = await served.call(service, name);
    return answer.ok ? answer.value.message : answer.code;
  };

  protocol.test('state machines', 'rules move the machine through its states', async () => {
    expect(await message('host', 'hello')).toBe('nice to meet you');
    expect(await message('host', 'hello')).toBe('hello again');
    expect(await message('host', 'bye')).toBe('goodbye');
    expect(await message('host', 'hello')).toBe('welcome back');
    expect(served.stack.engine.machines).toEqual({ visit: 'left' });
  });

  protocol.test('state machines', 'a machine moved by one service changes what another answers', async () => {
    await served.call('host', 'hello');
    await served.call('host', 'bye');
    expect(await message('doorman', 'status')).toBe('the guest left');
  });

  protocol.test('state machines', 'a call out of order is not answered by the rule waiting for another state', async () => {
    const early = await served.call('host', 'bye');
    const { unmatched } = protocol.row;
    if (unmatched === 'contract') expect(early).toMatchObject({ ok: true });
    else expect(early).toMatchObject({ ok: false, code: unmatched.code, native: unmatched.native });
    expect(served.stack.engine.machines).toEqual({ visit: 'new' });
    expect(served.stack.requests()[0]?.rule).toBe(unmatched === 'contract' ? `contract:${protocol.row.operation}` : null);
  });

  protocol.test('state machines', 'reset puts the machine back in its first state', async () => {
    await served.call('host', 'hello');
    await served.stack.reset();
    expect(await message('host', 'hello')).toBe('nice to meet you');
  });
});
