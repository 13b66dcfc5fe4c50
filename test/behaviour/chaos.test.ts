/**
 * Chaos with a seed: a rule fails about its share of calls, the same calls for the same seed, and which of
 * a rule's calls fail depends only on that rule's own calls (one random stream per rule), not on other traffic.
 */
import { fault } from 'mockstack';
import { type Answer, describeProtocols } from '../helpers/describe-protocols.js';

const CALLS = 24;

describeProtocols('chaos', (protocol) => {
  const served = protocol.serve({
    seed: 11,
    services: {
      greeter: {
        rules: [
          { name: 'a', chaos: { failRate: 0.5 }, answer: { message: 'a', count: 0 } },
          { name: 'b', chaos: { failRate: 0.5 }, answer: { message: 'b', count: 0 } },
          { name: 'c', chaos: { failRate: 1, fault: fault.internal('chaos said so') }, answer: { message: 'c', count: 0 } },
        ],
      },
    },
  });

  const failed = (answer: Answer) => (answer.ok ? '.' : answer.code);

  async function callsOfA(interleaveB: boolean): Promise<string> {
    await served.stack.reset();
    let pattern = '';
    for (let i = 0; i < CALLS; i++) {
      pattern += failed(await served.call('greeter', 'a')) === '.' ? '.' : 'x';
      if (interleaveB) await served.call('greeter', 'b');
    }
    return pattern;
  }

  protocol.test('chaos', 'fails about its share of calls, the same calls after a reset', async () => {
    const first = await callsOfA(false);
    const failures = [...first].filter((c) => c === 'x').length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(CALLS - 3);
    expect(await callsOfA(false)).toBe(first);
  });

  protocol.test('chaos', "a rule's failures do not move when other rules are called in between", async () => {
    expect(await callsOfA(true)).toBe(await callsOfA(false));
  });

  protocol.test('chaos', "fails with UNAVAILABLE by default, or the rule's own fault, in the protocol's terms", async () => {
    await served.stack.reset();
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await served.call('greeter', 'a'));
    expect(answers.find((a) => !a.ok)).toMatchObject({ code: 'UNAVAILABLE', native: protocol.row.faults.UNAVAILABLE });
    expect(await served.call('greeter', 'c')).toMatchObject({ ok: false, code: 'INTERNAL', message: 'chaos said so', native: protocol.row.faults.INTERNAL });
  });
});
