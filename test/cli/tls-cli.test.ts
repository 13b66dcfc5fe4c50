/**
 * `mockstack up --tls`: every service over TLS, the CA path printed under the table, and curl trusting
 * that file gets HTTP/2 from a REST service. Needs the built CLI (see CONTRIBUTING.md).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { mockstack, root, waitFor } from '../reliability/cli-process.js';

const curl = promisify(execFile);

test('`mockstack up --tls` prints the CA to trust and serves https with HTTP/2', async () => {
  const run = mockstack(['up', 'scenarios/checkout.ts', '--tls', '--random-ports', '--no-admin']);
  try {
    const orders = (await waitFor(run, /orders\s+rest\s+(https:\/\/127\.0\.0\.1:\d+)/))[1] as string;
    await waitFor(run, /grpcs:\/\/127\.0\.0\.1:\d+/);
    const caFile = (await waitFor(run, /TLS: trust the CA in (\S+)/))[1] as string;
    expect(caFile).toBe('.mockstack/tls/ca.pem');
    const { stdout } = await curl('curl', ['-sS', '--http2', '--cacert', resolve(root, caFile), '-w', '\n%{http_version}', `${orders}/orders/ord_1001`]);
    expect(stdout).toMatch(/"id":"ord_1001"[\s\S]*\n2$/);
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
  }
});
