// The browser's twin of platform.ts (picked by the `browser` condition of `@mockstack/core/platform`):
// there are no files, so contract paths are names and their text is what the caller passed in
// (`handlersFor(scenario, { contracts })`, see the compile option `contracts`).
import { ErrorCode, MockstackError } from './errors.js';
import type { Model } from './model.js';

/** A contract path as the scenario writes it, without `./`: the key its text is given under. */
export function resolveContractPath(_model: Pick<Model, 'file' | 'root'>, path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

export function projectRoot(from: string): string {
  return from;
}

export function defaultRoot(_file: string | undefined): string {
  return '';
}

export function displayPath(file: string): string {
  return file;
}

function unreadable(path: string): MockstackError {
  return new MockstackError(
    ErrorCode.ContractLoad,
    `cannot read ${path} in the browser: pass its text with the scenario, e.g. handlersFor(scenario, { contracts: { '${path}': text } })`,
  );
}

export function readTextFile(path: string): Promise<string> {
  return Promise.reject(unreadable(path));
}

export function readHashedTextFile(path: string): Promise<{ hash: string; text: () => string }> {
  return Promise.reject(unreadable(path));
}

export function readTextFileSync(path: string): string {
  throw unreadable(path);
}

export function fileVersion(_path: string): string {
  return '';
}

export function fileStamp(_path: string): undefined {
  return undefined;
}

export function writeTextFileAtomic(path: string, _text: string): Promise<void> {
  return Promise.reject(
    new MockstackError(ErrorCode.ScenarioInvalid, `cannot write ${path} in the browser: leave writeBack out of the scenario the page runs`),
  );
}

export function originalPosition(_file: string, _line: number, _column: number): undefined {
  return undefined;
}
