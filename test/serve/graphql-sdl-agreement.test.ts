/**
 * `up`, `gen` and `check` read GraphQL SDL through one loader: strict by default (each problem with
 * file:line:col), lenient in all three with a warning per problem.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Logger, MockstackError } from '@mockstack/core';
import { loadModel } from '@mockstack/runner';
import { startStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';

const root = resolve(import.meta.dirname, '../..');
const bin = resolve(root, 'packages/mockstack/bin/mockstack.js');
const fixtures = resolve(import.meta.dirname, '../fixtures/broken/sdl');
const temp = join(root, 'test', `.sdl-agreement-${process.pid}`);

function mockstack(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, request: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: () => {} };
}

const PROBLEMS = {
  'duplicate-field.graphql': { line: 7, message: 'Field "Product.title" can only be defined once.' },
  'missing-extension.graphql': { line: 10, message: 'Cannot extend type "Review" because it is not defined.' },
};

afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe.each(Object.entries(PROBLEMS))('%s', (name, { line, message }) => {
  const sdl = resolve(fixtures, name);

  test('up refuses it by default, naming file:line', async () => {
    const error = await loadModel([sdl]).then(
      () => undefined,
      (e: unknown) => e as MockstackError,
    );
    expect(error?.message).toContain(`${relative(process.cwd(), sdl)}:${line}:`);
    expect(error?.message).toContain(message);
  });

  test('up --lenient serves it with a warning naming file:line, answers, and keeps serving after a bad query', async () => {
    const logger = recordingLogger();
    const stack = await startStack([sdl], { lenient: true, logger });
    try {
      expect(logger.warnings.join('\n')).toMatch(new RegExp(`loaded leniently despite .*${name.replace('.', '\\.')}:${line}:\\d+: ${regexEscape(message)}`));
      const client = new GraphQLClient(stack.url(Object.keys(stack.services)[0] ?? ''));
      await expect(client.request('{ product(id: "p1") { nope } }')).rejects.toThrow(/Cannot query field "nope" on type "Product"/);
      const data = await client.request<{ product: { id: string; title: string | null } }>('{ product(id: "p1") { id title } }');
      expect(data.product.id).toEqual(expect.any(String));
    } finally {
      await stack.close();
    }
  });
});

test('gen and check agree with up: strict by default with file:line, --lenient with a warning', async () => {
  const dir = join(temp, 'project');
  mkdirSync(join(dir, 'schemas'), { recursive: true });
  mkdirSync(join(dir, 'scenarios'), { recursive: true });
  copyFileSync(resolve(fixtures, 'duplicate-field.graphql'), join(dir, 'schemas', 'shop.graphql'));
  writeFileSync(
    join(dir, 'scenarios', 'shop.ts'),
    `import { graphql, scenario } from 'mockstack';

export default scenario('shop').services({
  shop: graphql({ port: 0, schema: 'schemas/shop.graphql' }, { Query: { product: () => ({ id: 'p1', title: 'Tea' }) } }),
});
`,
  );
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
  const problem = 'schemas/shop.graphql:7:3: Field "Product.title" can only be defined once.';

  const gen = await mockstack(['gen', '--root', '.'], dir);
  expect(gen.code).toBe(1);
  expect(gen.output).toContain(problem);
  expect(gen.output).toContain('--lenient');

  const check = await mockstack(['check', '--root', '.'], dir);
  expect(check.code).toBe(1);
  expect(check.output).toContain(problem);

  const lenientGen = await mockstack(['gen', '--root', '.', '--lenient'], dir);
  expect(lenientGen.code).toBe(0);
  expect(lenientGen.output).toMatch(/warning: loaded leniently despite .*shop\.graphql:7:3: Field "Product\.title" can only be defined once\./);

  const lenientCheck = await mockstack(['check', '--root', '.', '--lenient'], dir);
  expect(lenientCheck.output).toMatch(
    /warning: service "shop": loaded leniently despite .*shop\.graphql:7:3: Field "Product\.title" can only be defined once\./,
  );
  expect(lenientCheck.output).toMatch(/✓ 1 scenario\(s\) match their contracts/);
  expect(lenientCheck.code).toBe(0);
}, 120_000);

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
