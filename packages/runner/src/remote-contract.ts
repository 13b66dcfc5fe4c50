import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { ErrorCode, MockstackError } from '@mockstack/core';

/** How long a contract's download may take. */
const DOWNLOAD_TIMEOUT_MS = 30_000;
/** The largest contract downloaded (GitHub's REST description is 13 MB). */
const MAX_BYTES = 64 * 1024 * 1024;

/** Whether a source `up` was given is a contract's address (`https://…/openapi.yaml`) rather than a file. */
export function isContractUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The most files one contract's relative `$ref`s may bring with it. */
const MAX_REFERENCED_FILES = 500;

/**
 * Downloads the contract at `url` (an OpenAPI document, GraphQL SDL or introspection result, a .proto)
 * into `.mockstack/contracts/` under the working directory, as Prism serves `prism mock <url>`, and
 * returns the file's path: named as the address names it, so the service is too (`…/petstore.yaml` →
 * `petstore`). An address whose name has no contract ending gets the one its content type or text says
 * (JSON, YAML, SDL or proto). A document split over files (`$ref: schemas/pet.yaml#/Pet`,
 * `../common/problem.yaml`) brings them along, each at its place relative to the document.
 */
export async function downloadContract(url: string, cwd = process.cwd()): Promise<string> {
  const main = await download(url);
  const dir = resolve(cwd, '.mockstack/contracts', createHash('sha256').update(url).digest('hex').slice(0, 12));
  const name = fileNameOf(main.url, main.contentType, main.text);
  const refs = relativeRefsOf(main.text);
  if (refs.length === 0) return saved(join(dir, name), main.bytes);
  // The files keep the addresses' folders below `dir`, so that relative references between them (`../`) hold.
  const placeOf = (address: URL): string => join(dir, ...address.pathname.split('/').filter(Boolean).slice(0, -1).map(safeSegment));
  const file = saved(join(placeOf(main.url), name), main.bytes);
  const fetched = new Set([main.url.href]);
  const queue = refs.map((ref) => ({ address: new URL(ref, main.url), from: main.url }));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const address = new URL(next.address);
    address.hash = '';
    if (fetched.has(address.href)) continue;
    if (fetched.size > MAX_REFERENCED_FILES) {
      throw new MockstackError(
        ErrorCode.ContractDownload,
        `${url} refers to more than ${MAX_REFERENCED_FILES} files; check out the contract and pass its file`,
      );
    }
    fetched.add(address.href);
    const part = await download(address.href, next.from);
    saved(join(placeOf(address), safeSegment(address.pathname.split('/').pop() ?? '') || 'index'), part.bytes);
    for (const ref of relativeRefsOf(part.text)) queue.push({ address: new URL(ref, address), from: address });
  }
  return file;
}

interface Downloaded {
  bytes: Buffer;
  text: string;
  /** Where it came from in the end (after redirects): what its relative references are read against. */
  url: URL;
  contentType: string;
}

/** The file at `url`, or a MockstackError naming it (and the file referring to it) with what went wrong. */
async function download(url: string, referredFrom?: URL): Promise<Downloaded> {
  const what = referredFrom === undefined ? url : `${url} (which ${referredFrom.href} $refs)`;
  let answer: Response;
  try {
    answer = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), headers: { accept: 'application/json, application/yaml, text/plain, */*' } });
  } catch (error) {
    throw new MockstackError(
      ErrorCode.ContractDownload,
      `could not download ${what}: ${reasonOf(error)}; check the address, or download it and pass the file`,
      {
        cause: error,
      },
    );
  }
  if (!answer.ok) {
    throw new MockstackError(
      ErrorCode.ContractDownload,
      `could not download ${what}: the server answered ${answer.status} ${answer.statusText}; check the address, or download it and pass the file`,
    );
  }
  const bytes = Buffer.from(await answer.arrayBuffer());
  if (bytes.length > MAX_BYTES) {
    throw new MockstackError(ErrorCode.ContractDownload, `could not download ${what}: it is over ${MAX_BYTES / 1024 / 1024} MB; download it and pass the file`);
  }
  return { bytes, text: bytes.toString('utf8'), url: new URL(answer.url || url), contentType: answer.headers.get('content-type') ?? '' };
}

function saved(file: string, bytes: Buffer): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

/**
 * The files a JSON or YAML document's `$ref`s name by a relative address (`schemas/pet.yaml`,
 * `../common.yaml#/Problem`): not those within the document (`#/…`), nor absolute addresses, which the
 * document's reader fetches itself. Microsoft Graph's OData paths ending in `/$ref` are keys, not references.
 */
function relativeRefsOf(text: string): string[] {
  const refs = new Set<string>();
  for (const [, target] of text.matchAll(/(?:^|[\s{,"'])\$ref["']?\s*:\s*["']?([^\s"'#{}[\],]+)/gm)) {
    if (target !== undefined && !/^[a-z][\w+.-]*:/i.test(target)) refs.add(target);
  }
  return [...refs];
}

/** A path segment of an address as a file or folder name: decoded, without characters a file system may refuse. */
function safeSegment(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {}
  return decoded.replace(/[^\w.-]+/g, '-').replace(/^\.+$/, '-');
}

const CONTRACT_ENDINGS = new Set(['.json', '.yaml', '.yml', '.graphql', '.graphqls', '.gql', '.proto']);

/** The file name a downloaded contract is saved under: the address's last segment, with a contract ending. */
function fileNameOf(url: URL, contentType: string, text: string): string {
  const last = safeSegment(url.pathname.split('/').filter(Boolean).pop() ?? '') || safeSegment(url.hostname);
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
