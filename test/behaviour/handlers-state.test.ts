/** Handlers and shared state: a handler reads the request, the state every service shares, and its call count. */
import { fault } from 'mockstack';
import { describeProtocols } from '../helpers/describe-protocols.js';

interface Guests {
  guests: string[];
}

describeProtocols('handlers and shared state', (protocol) => {
  const served = protocol.serve<Guests>({
    state: () => ({ guests: [] }),
    services: {
      door: {
        rules: [
          { name: 'Mallory', answer: () => fault.permissionDenied('Mallory may not come in') },
          {
            answer: ({ name, state, call }) => {
              state.guests.push(name);
              return { message: `welcome ${name}, call ${call}`, count: state.guests.length };
            },
          },
        ],
      },
      hall: { rules: [{ answer: ({ state }) => ({ message: state.guests.join(', '), count: state.guests.length }) }] },
    },
  });

  protocol.test('handlers', 'a handler answers from the request and counts its own calls', async () => {
    expect(await served.call('door', 'Ada')).toEqual({ ok: true, value: { message: 'welcome Ada, call 0', count: 1 } });
    expect(await served.call('door', 'Grace')).toEqual({ ok: true, value: { message: 'welcome Grace, call 1', count: 2 } });
  });

  protocol.test('handlers', 'two services share one state', async () => {
    await served.call('door', 'Ada');
    await served.call('door', 'Grace');
    expect(await served.call('hall')).toEqual({ ok: true, value: { message: 'Ada, Grace', count: 2 } });
    expect(served.stack.state<Guests>().guests).toEqual(['Ada', 'Grace']);
  });

  protocol.test('handlers', "a handler's fault is the protocol's error, and the state is untouched", async () => {
    expect(await served.call('door', 'Mallory')).toMatchObject({
      ok: false,
      code: 'PERMISSION_DENIED',
      message: 'Mallory may not come in',
      native: protocol.row.faults.PERMISSION_DENIED,
    });
    expect(await served.call('hall')).toEqual({ ok: true, value: { message: '', count: 0 } });
  });
});
