/** Reset: back to the seed in one call: state, machines, rule counts, sequences, rate-limit windows, the journal. */
import { fault, sequence } from 'mockstack';
import { describeProtocols } from '../helpers/describe-protocols.js';

interface Counter {
  greetings: number;
}

describeProtocols('reset', (protocol) => {
  const served = protocol.serve<Counter>({
    state: () => ({ greetings: 0 }),
    machines: { door: ['closed', 'open'] },
    services: {
      greeter: {
        rules: [
          { name: 'count', answer: ({ state }) => ({ message: 'counted', count: ++state.greetings }) },
          { name: 'open', whenState: { door: 'closed' }, setState: { door: 'open' }, answer: { message: 'opened', count: 0 } },
          { name: 'once', times: 1, answer: { message: 'first time', count: 0 } },
          { name: 'once', answer: fault.failedPrecondition('only once') },
          {
            name: 'steps',
            answer: sequence([
              { message: 'one', count: 1 },
              { message: 'two', count: 2 },
            ]),
          },
          { name: 'limited', rateLimit: { limit: 1, window: '60s' }, answer: { message: 'limited', count: 0 } },
        ],
      },
    },
  });

  protocol.test('reset', 'everything goes back to the seed', async () => {
    const calls = async () => {
      const answers = [];
      for (const name of ['count', 'count', 'open', 'once', 'once', 'steps', 'steps', 'limited', 'limited']) {
        const answer = await served.call('greeter', name);
        answers.push(answer.ok ? `${answer.value.message} ${answer.value.count}` : answer.code);
      }
      return answers;
    };
    const first = await calls();
    expect(first).toEqual(['counted 1', 'counted 2', 'opened 0', 'first time 0', 'FAILED_PRECONDITION', 'one 1', 'two 2', 'limited 0', 'RESOURCE_EXHAUSTED']);
    expect(served.stack.engine.machines).toEqual({ door: 'open' });
    await served.stack.reset();
    expect(served.stack.requests()).toEqual([]);
    expect(served.stack.state<Counter>()).toEqual({ greetings: 0 });
    expect(served.stack.engine.machines).toEqual({ door: 'closed' });
    expect(await calls()).toEqual(first);
  });
});
