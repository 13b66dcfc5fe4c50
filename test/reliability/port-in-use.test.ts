import { createServer, type Server } from 'node:net';
import { mockstack } from './cli-process.js';

let taken: Server;
let port = 0;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
  const address = taken.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(() => new Promise<void>((done) => taken.close(() => done())));

/** One line, the code, no stack trace and nothing from grpc-js. */
function expectOneLine(output: string, what: RegExp): void {
  const lines = output.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(what);
  expect(lines[0]).toMatch(/\[MOCKSTACK_ERR_PORT_IN_USE\]$/);
}

test.each([
  [
    'the admin API',
    ['up', 'protos/payments.proto', '--random-ports', '--admin-port', 'PORT'],
    /^the admin API cannot listen on 127\.0\.0\.1:\d+: the port is in use/,
  ],
  ['a gRPC service', ['up', 'protos/payments.proto:PORT', '--no-admin'], /^service "payments" cannot listen on 127\.0\.0\.1:\d+: the port is in use/],
  [
    'a REST service',
    ['up', 'schemas/shipping-rates.yaml:PORT', '--no-admin'],
    /^service "shipping-rates" cannot listen on 127\.0\.0\.1:\d+: the port is in use/,
  ],
])('%s on a port in use: one MOCKSTACK_ERR_PORT_IN_USE line, exit 1', async (_what, args, message) => {
  const cli = mockstack(args.map((a) => a.replace('PORT', String(port))));
  expect((await cli.exited).code).toBe(1);
  expectOneLine(cli.output(), message);
});
