/** Journal and verification: every call is journaled in the protocol's terms and can be verified by count, body and order. */
import { matchers } from '@mockstack/testing';
import { fault } from 'mockstack';
import { describeProtocols } from '../helpers/describe-protocols.js';

expect.extend(matchers);

describeProtocols('journal and verify', (protocol) => {
  const served = protocol.serve({
    services: {
      greeter: {
        rules: [
          { name: 'Ghost', answer: fault.notFound('nobody here') },
          { name: 'Ada', answer: { message: 'hello Ada', count: 1 } },
          { name: 'Bob', answer: { message: 'hello Bob', count: 2 } },
        ],
      },
    },
  });
  const { name, operation, okStatus } = protocol.row;

  protocol.test('journal', 'every call is journaled: protocol, service, operation, rule, status, code', async () => {
    await served.call('greeter', 'Ada');
    await served.call('greeter', 'Ghost');
    expect(served.stack.requests().map(({ protocol, service, operation, rule, code }) => ({ protocol, service, operation, rule, code }))).toEqual([
      { protocol: name, service: 'greeter', operation, rule: 'greeter#2', code: undefined },
      { protocol: name, service: 'greeter', operation, rule: 'greeter#1', code: 'NOT_FOUND' },
    ]);
    expect(served.stack.requests()[0]?.status).toBe(okStatus);
  });

  protocol.test('journal', 'a call no rule matches is journaled with the reason, or as answered by the contract', async () => {
    await served.call('greeter', 'Carol');
    const [entry] = served.stack.requests();
    const { unmatched } = protocol.row;
    if (unmatched === 'contract') expect(entry).toMatchObject({ rule: `contract:${operation}` });
    else {
      expect(entry).toMatchObject({ rule: null, miss: { nearest: { missed: [expect.stringContaining('"Carol"')] } } });
      expect(served.stack.requests({ matched: false })).toHaveLength(1);
    }
  });

  protocol.test('journal', 'verify counts calls by operation and body; a miss says what came in', async () => {
    await served.call('greeter', 'Ada');
    await served.call('greeter', 'Bob');
    await served.call('greeter', 'Ada');
    expect(served.stack.verify(operation, { times: 3 }).pass).toBe(true);
    expect(served.stack.verify(operation, { body: protocol.row.sentBody('Ada'), times: 2 }).pass).toBe(true);
    expect(served.stack).toHaveReceived(operation, { service: 'greeter', body: protocol.row.sentBody('Bob'), times: 1 });
    const miss = served.stack.verify(operation, { body: protocol.row.sentBody('Carol'), times: 1 });
    expect(miss).toMatchObject({ pass: false, count: 0 });
    expect(miss.message).toContain('Carol');
  });

  protocol.test('journal', 'verify in order', async () => {
    await served.call('greeter', 'Ada');
    await served.call('greeter', 'Bob');
    const ada = { operation, body: protocol.row.sentBody('Ada') };
    const bob = { operation, body: protocol.row.sentBody('Bob') };
    expect(served.stack.verifyInOrder(ada, bob).pass).toBe(true);
    expect(served.stack.verifyInOrder(bob, ada).pass).toBe(false);
  });
});
