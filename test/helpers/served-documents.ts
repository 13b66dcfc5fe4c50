import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type TestStack } from '@mockstack/testing';

/**
 * OpenAPI documents served zero-config (seed 7) for one test file: `serve(file)` or `serveDocument(name,
 * document)` (written as JSON to a temporary folder) give the one service's URL; everything is closed
 * and removed after the file's tests.
 */
export function servedDocuments(prefix: string): { serve(file: string): Promise<string>; serveDocument(name: string, document: object): Promise<string> } {
  const dir = mkdtempSync(join(tmpdir(), `mockstack-${prefix}-`));
  const stacks: TestStack[] = [];
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const serve = async (file: string): Promise<string> => {
    const stack = await startStack([file], { seed: 7 });
    stacks.push(stack);
    return stack.url(Object.keys(stack.services)[0] as string);
  };
  return {
    serve,
    serveDocument: (name, document) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(document));
      return serve(file);
    },
  };
}
