/** `times` and sequences: a rule answers a number of times then lets later rules answer; a sequence steps per call. */
import { fault, sequence } from 'mockstack';
import { type Answer, describeProtocols } from '../helpers/describe-protocols.js';

const greeting = (message: string) => ({ message, count: 0 });

describeProtocols('times and sequences', (protocol) => {
  const served = protocol.serve({
    services: {
      flaky: {
        rules: [{ times: 2, answer: fault.unavailable('try again') }, { answer: greeting('third time lucky') }],
      },
      steps: { rules: [{ answer: sequence([greeting('first'), greeting('second'), fault.internal('out of steps')]) }] },
      looping: { rules: [{ answer: sequence([greeting('ping'), greeting('pong')], { after: 'cycle' }) }] },
    },
  });

  const outcome = (answer: Answer) => (answer.ok ? answer.value.message : answer.code);

  protocol.test('times', 'a rule with times answers that often, then the next rule answers', async () => {
    const answers = [await served.call('flaky'), await served.call('flaky'), await served.call('flaky'), await served.call('flaky')];
    expect(answers.map(outcome)).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'third time lucky', 'third time lucky']);
    expect(served.stack.requests().map((e) => e.rule)).toEqual(['flaky#1', 'flaky#1', 'flaky#2', 'flaky#2']);
  });

  protocol.test('times', 'a sequence answers its steps in order, and its last step again after the end', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(outcome(await served.call('steps')));
    expect(answers).toEqual(['first', 'second', 'INTERNAL', 'INTERNAL']);
  });

  protocol.test('times', 'a looping sequence starts over', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(outcome(await served.call('looping')));
    expect(answers).toEqual(['ping', 'pong', 'ping', 'pong', 'ping']);
  });

  protocol.test('times', 'reset starts the counts and sequences again', async () => {
    await served.call('flaky');
    await served.call('flaky');
    await served.call('steps');
    await served.stack.reset();
    expect(outcome(await served.call('flaky'))).toBe('UNAVAILABLE');
    expect(outcome(await served.call('steps'))).toBe('first');
  });
});
