/** Faults: one `fault` vocabulary, each code mapped to the protocol's own error; the service keeps serving. */
import { type Fault, fault } from 'mockstack';
import { describeProtocols } from '../helpers/describe-protocols.js';

const faults: [string, Fault][] = [
  ['INVALID_ARGUMENT', fault.invalidArgument('bad name')],
  ['UNAUTHENTICATED', fault.unauthenticated('who are you?')],
  ['PERMISSION_DENIED', fault.permissionDenied('not you')],
  ['NOT_FOUND', fault.notFound('nobody here')],
  ['FAILED_PRECONDITION', fault.failedPrecondition('not yet')],
  ['INTERNAL', fault.internal('it broke')],
  ['UNAVAILABLE', fault.unavailable('gone fishing')],
  ['DEADLINE_EXCEEDED', fault.deadlineExceeded('too slow')],
];

describeProtocols('faults', (protocol) => {
  const served = protocol.serve({
    services: {
      greeter: {
        rules: [...faults.map(([code, answer]) => ({ name: code, answer })), { answer: { message: 'still here', count: 0 } }],
      },
    },
  });

  describe.each(faults)('%s', (code, answer) => {
    protocol.test('faults', `is answered as ${code} in the protocol's terms`, async () => {
      expect(await served.call('greeter', code)).toMatchObject({ ok: false, code, message: answer.message, native: protocol.row.faults[code] });
      expect(await served.call('greeter', 'Ada')).toEqual({ ok: true, value: { message: 'still here', count: 0 } });
      expect(served.stack.requests()[0]).toMatchObject({ code, rule: `greeter#${faults.findIndex(([c]) => c === code) + 1}` });
    });
  });
});
