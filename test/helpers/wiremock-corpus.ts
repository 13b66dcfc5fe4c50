import { readFileSync } from 'node:fs';

/**
 * The corpus of WireMock matchers (test/fixtures/wiremock-matchers/corpus.json): mappings from
 * WireMock's request-matching docs and requests, each with the answer real WireMock 3.13.2 gave.
 */

export interface CorpusRequest {
  name: string;
  method: string;
  /** May hold `{{iso:+2d}}`: now plus (or minus) days, as the recording sent it. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expected: CorpusAnswer;
  /** Why mockstack answers otherwise than WireMock did (the tests then expect the other answer). */
  differs?: string;
}

/** The status, and the body unless no mapping matched (404). */
export interface CorpusAnswer {
  status: number;
  body: string;
}

export const corpus = JSON.parse(readFileSync(new URL('../fixtures/wiremock-matchers/corpus.json', import.meta.url), 'utf8')) as {
  mappings: Record<string, unknown>[];
  requests: CorpusRequest[];
};

/** `{{iso:+2d}}` as now plus (or minus) days, ISO 8601 to the second. */
function filled(text: string): string {
  return text.replace(/\{\{iso:([+-]\d+)d\}\}/g, (_, days: string) => new Date(Date.now() + Number(days) * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'));
}

/** What a request to `base` gets, as the recording kept it. */
export async function answerTo(base: string, { method, path, headers, body }: Omit<CorpusRequest, 'expected' | 'name'>): Promise<CorpusAnswer> {
  const response = await fetch(`${base}${filled(path)}`, {
    method,
    headers: Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, filled(value)])),
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  return { status: response.status, body: response.status === 404 ? '(no match)' : text };
}

/** The corpus's requests as jest table rows: those mockstack answers as WireMock did, and the known differences. */
export function corpusRows(): { alike: [string, CorpusRequest][]; differing: [string, CorpusRequest][] } {
  const row = (request: CorpusRequest): [string, CorpusRequest] => [request.name, request];
  return { alike: corpus.requests.filter((r) => !r.differs).map(row), differing: corpus.requests.filter((r) => r.differs).map(row) };
}
