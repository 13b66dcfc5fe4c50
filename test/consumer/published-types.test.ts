import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// The type tests of test/types (OpenAPI routes typed by their document, GraphQL operation rules by
// the operation documents, gRPC handlers by the proto) checked against the declarations the published
// package ships (packages/mockstack/dist/*.d.ts and *.d.cts, as `npm test` builds them), not against
// the sources the repository's own tsconfig reads. A user's editor and tsc only ever see those files.
// Before, `rest.get(…)` and `graphql.query(…)` there had their contract typing resolved against the
// empty registry of mockstack's own build: a route's body was `unknown`, its answer unchecked; and in
// a CommonJS project mockstack/msw's handlers, typed by msw's ES module declarations, were not the
// handlers msw/node's setupServer takes there (TS2345).
const root = resolve(import.meta.dirname, '../..');
const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '../bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'mockstack-published-types-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project holding test/types and the repository's generated contracts, `mockstack` being the built package. */
function project(name: string, type: 'module' | 'commonjs'): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(join(root, 'packages/mockstack'), join(dir, 'node_modules/mockstack'), 'dir');
  symlinkSync(join(root, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');
  // mockstack/msw's peer, as the user installs it.
  symlinkSync(join(root, 'node_modules/msw'), join(dir, 'node_modules/msw'), 'dir');
  cpSync(join(root, 'test/types'), join(dir, 'types'), { recursive: true });
  // The README's MSW set-up: the handlers go to msw's own setupServer, whose types the project's module kind picks.
  writeFileSync(
    join(dir, 'types/msw-handlers.ts'),
    [
      "import { rest, scenario } from 'mockstack';",
      "import { handlersFor } from 'mockstack/msw';",
      "import { setupServer } from 'msw/node';",
      '',
      "const mocks = handlersFor(scenario('msw-types').services({ api: rest({ port: 4000 }, [rest.get('/ping', { ok: true })]) }));",
      'export const server = setupServer(...mocks);',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'scenarios/generated'), { recursive: true });
  cpSync(join(root, 'scenarios/generated/contracts.d.ts'), join(dir, 'scenarios/generated/contracts.d.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  // The repository's strictness, without its @mockstack/source condition (which points at src/).
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    isolatedModules: true,
    skipLibCheck: true,
    noEmit: true,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['types', 'scenarios/generated'] }));
  return dir;
}

async function typeCheck(dir: string): Promise<{ code: number; output: string; files: string[] }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], { cwd: dir });
    return { code: 0, output: '', files: stdout.split('\n') };
  } catch (error) {
    const { code, stdout } = error as { code: number; stdout: string };
    return {
      code,
      output: stdout
        .split('\n')
        .filter((line) => line.includes('error TS'))
        .join('\n'),
      files: stdout.split('\n'),
    };
  }
}

test.each([
  ['an ES module project (dist/*.d.ts)', 'module', /\/mockstack\/dist\/index\.d\.ts$/],
  ['a CommonJS project (dist/*.d.cts)', 'commonjs', /\/mockstack\/dist\/index\.d\.cts$/],
] as const)(
  'the published declarations type routes, operations and handlers as the sources do: %s',
  async (_, type, entry) => {
    expect(readdirSync(join(root, 'test/types')).filter((file) => file.endsWith('.ts')).length).toBeGreaterThan(0);
    const { code, output, files } = await typeCheck(project(type, type));
    // Every @ts-expect-error of test/types must still be an error, and nothing else may be.
    expect(output).toBe('');
    expect(code).toBe(0);
    expect(files.some((file) => entry.test(file))).toBe(true);
    expect(files.filter((file) => /\/packages\/[^/]+\/src\//.test(file))).toEqual([]);
  },
  120_000,
);
