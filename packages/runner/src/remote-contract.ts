import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { ErrorCode, MockstackError } from '@mockstack/core';

/** How long a contract's download may take. */
const DOWNLOAD_TIMEOUT_MS = 30_000;
/** The largest contract downloaded (GitHub's REST description is 13 MB). */
const MAX_BYTES = 64 * 1024 * 1024;

/** Whether a source `up` was given is a contract's address (`https://…/openapi.yaml`) rather than a file. */
export function isContractUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * Downloads the contract at `url` (an OpenAPI document, GraphQL SDL or introspection result, a .proto)
 * into `.mockstack/contracts/` under the working directory, as Prism serves `prism mock <url>`, and
 * returns the file's path: named as the address names it, so the service is too (`…/petstore.yaml` →
 * `petstore`). An address whose name has no contract ending gets the one its content type or text says
 * (JSON, YAML, SDL or proto). A contract split over several files is served from a checkout of them:
 * their relative `$ref`s and imports are not fetched.
 */
export async function downloadContract(url: string, cwd = process.cwd()): Promise<string> {
  let answer: Response;
  try {
    answer = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), headers: { accept: 'application/json, application/yaml, text/plain, */*' } });
  } catch (error) {
    throw new MockstackError(ErrorCode.ContractDownload, `could not download ${url}: ${reasonOf(error)}; check the address, or download it and pass the file`, {
      cause: error,
    });
  }
  if (!answer.ok) {
    throw new MockstackError(
      ErrorCode.ContractDownload,
      `could not download ${url}: the server answered ${answer.status} ${answer.statusText}; check the address, or download it and pass the file`,
    );
  }
  const bytes = Buffer.from(await answer.arrayBuffer());
  if (bytes.length > MAX_BYTES) {
    throw new MockstackError(ErrorCode.ContractDownload, `could not download ${url}: it is over ${MAX_BYTES / 1024 / 1024} MB; download it and pass the file`);
  }
  const text = bytes.toString('utf8');
  const name = fileNameOf(new URL(answer.url || url), answer.headers.get('content-type') ?? '', text);
  const dir = resolve(cwd, '.mockstack/contracts', createHash('sha256').update(url).digest('hex').slice(0, 12));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const CONTRACT_ENDINGS = new Set(['.json', '.yaml', '.yml', '.graphql', '.graphqls', '.gql', '.proto']);

/** The file name a downloaded contract is saved under: the address's last segment, with a contract ending. */
function fileNameOf(url: URL, contentType: string, text: string): string {
  const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '').replace(/[^\w.-]+/g, '-') || url.hostname.replace(/[^\w.-]+/g, '-');
  if (CONTRACT_ENDINGS.has(extname(last).toLowerCase())) return last;
  return `${last}${endingOf(contentType, text)}`;
}

/** The ending a contract's content type or text says it has. */
function endingOf(contentType: string, text: string): string {
  const type = contentType.toLowerCase();
  const start = text.trimStart();
  if (type.includes('json') || start.startsWith('{')) return '.json';
  if (type.includes('yaml') || /^(?:openapi|swagger)\s*:/m.test(start)) return '.yaml';
  if (/^\s*(?:syntax|edition)\s*=|^\s*package\s+[\w.]+\s*;/m.test(start)) return '.proto';
  if (type.includes('graphql') || /^\s*(?:type|schema|extend|scalar|interface|union|enum|input|directive)\b/m.test(start)) return '.graphql';
  return '.yaml';
}

/** What fetch's error says went wrong: its cause's message (`connect ECONNREFUSED 127.0.0.1:4010`), not "fetch failed". */
function reasonOf(error: unknown): string {
  const failure = error as { name?: unknown; message?: unknown; cause?: { message?: unknown } } | undefined;
  if (failure?.name === 'TimeoutError') return `no answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  const message = failure?.cause?.message ?? failure?.message;
  return typeof message === 'string' ? message : String(error);
}
