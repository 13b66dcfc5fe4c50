// Real public OpenAPI documents served zero-config, every operation called (see openapi-corpus.ts).
// `npm run corpus` checks every operation of the huge documents too and prints the same report.
import { type CorpusResult, corpus, reportLine, runEntry } from './openapi-corpus.js';

const full = process.env.MOCKSTACK_CORPUS_FULL === '1';
const results: CorpusResult[] = [];

afterAll(() => {
  const lines = results.map(reportLine);
  process.stdout.write(`\nOpenAPI corpus (${full ? 'full' : 'sampled'}): ${results.length} contracts\n${lines.join('\n')}\n`);
});

test.each(corpus.map((entry) => [entry.name, entry] as const))(
  '%s: served, every request answered as documented',
  async (_name, entry) => {
    const result = await runEntry(entry, full);
    results.push(result);
    expect(result.failures).toEqual([]);
    // A document of webhooks only has no operations to serve.
    expect(result.checked).toBe(full || entry.sample === undefined ? result.operations : Math.min(entry.sample, result.operations));
  },
  full ? 1_800_000 : 120_000,
);
