import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A project directory under test/ for the scenarios an import test writes (a package.json and a tsconfig
 * extending the repository's, so `check` type-checks them): made before the file's tests, removed after.
 */
export function importProject(prefix: string): string {
  const dir = join(resolve(import.meta.dirname, '..'), `.${prefix}-tmp-${process.pid}`);
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'imported', private: true, type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true } }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
