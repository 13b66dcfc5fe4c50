import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';

/** A test file's stack serving SDL texts zero-config, and the folder they were written to. */
export interface ServedSdl {
  readonly stack: TestStack;
  readonly dir: string;
}

/**
 * Writes SDL texts (by file name) to a temporary folder and serves them as `mockstack up a.graphql
 * b.graphql` does, for the test file that calls it: started before its tests, closed and removed after.
 */
export function servedSdl(files: Readonly<Record<string, string>>): ServedSdl {
  const served = { stack: undefined as TestStack | undefined, dir: '' };
  beforeAll(async () => {
    served.dir = mkdtempSync(join(tmpdir(), 'mockstack-sdl-'));
    const paths = Object.entries(files).map(([name, text]) => {
      const path = join(served.dir, name);
      writeFileSync(path, text);
      return path;
    });
    served.stack = await startStack(paths);
  });
  afterAll(async () => {
    await served.stack?.close();
    if (served.dir) rmSync(served.dir, { recursive: true, force: true });
  });
  return {
    get stack(): TestStack {
      if (!served.stack) throw new Error('the stack starts in beforeAll');
      return served.stack;
    },
    get dir(): string {
      return served.dir;
    },
  };
}
