// Types of bench/suites/openapi.mjs, for the tests that reuse its document generator.
export interface LargeDocumentOptions {
  operations?: number;
  targetBytes?: number;
}
export function makeLargeDocument(options?: LargeDocumentOptions): Record<string, unknown>;
export function writeLargeDocument(options?: LargeDocumentOptions): { file: string; bytes: number; cleanup(): void };
export function main(): Promise<void>;
