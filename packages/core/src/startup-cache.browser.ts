// The browser's twin of startup-cache.ts (the `browser` condition of `@mockstack/core/startup-cache`):
// nothing is kept between page loads, so every lookup misses and the work is done each time.
import { hashString } from './random.js';

export const startupCacheBuild: string | undefined = undefined;

export function startupCacheDir(): string {
  return '';
}

export function contentHash(text: string): string {
  return hashString(text).toString(16);
}

export function readStartupCache<T>(_name: string, _isValid: (value: unknown) => value is T): T | undefined {
  return undefined;
}

export function readStartupCacheText<T>(_name: string, _decode: (text: string) => T | undefined): T | undefined {
  return undefined;
}

export function writeStartupCache(_name: string, _value: unknown): void {}

export function writeStartupCacheText(_name: string, _text: string): void {}

export function fileHashes(_files: readonly string[]): Record<string, string> {
  return {};
}

export function unchanged(_hashes: Readonly<Record<string, string>>): boolean {
  return false;
}
