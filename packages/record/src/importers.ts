import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { decodeBody, ErrorCode, isRecord, MockstackError, parseJsonOrUndefined } from '@mockstack/core';
import { checkImposter, impostersOf, imposterWhere, isImpostersDocument, refusing } from '@mockstack/mountebank';
import { isConfigTemplate, renderConfigFile } from '@mockstack/mountebank/config-file';
import { parseStub, type WiremockStub } from '@mockstack/wiremock';
import type { MatchDraft, RestRuleDraft, RestServiceDraft, ScenarioDraft } from './drafts.js';
import { draftsFromExchanges, type HttpExchange } from './exchanges.js';

/** The formats `mockstack import` reads. */
export type ImportFormat = 'wiremock' | 'mountebank' | 'postman' | 'har' | 'json-server';

export interface ImportResult {
  format: ImportFormat;
  draft: ScenarioDraft;
  /** Source files read. */
  files: string[];
}

/**
 * Reads a WireMock mapping file or directory (`mappings/` and `__files/`), a Postman collection
 * (v2.0/v2.1, its saved example responses), a HAR file, or a json-server `db.json`, as a scenario
 * draft. What the format says that a scenario cannot is listed in `draft.untranslated`. `writeBack`:
 * the scenario written from a db.json writes the changes to its collections back to that file.
 */
export function importSource(path: string, options: { writeBack?: boolean | undefined } = {}): ImportResult {
  const full = resolve(path);
  if (!existsSync(full)) throw new MockstackError(ErrorCode.ImportFormat, `${path} does not exist`);
  const imported = statSync(full).isDirectory() ? importWiremockDirectory(full) : importFile(full, options);
  // A scenario of no service is no scenario (it would not even parse): say why instead.
  if (imported.draft.services.length === 0) {
    const why = imported.draft.untranslated.length ? `: ${imported.draft.untranslated.join('; ')}` : '';
    throw new MockstackError(ErrorCode.ImportFormat, `nothing in ${path} can be served, so no scenario was written${why}`);
  }
  return imported;
}

function importFile(full: string, options: { writeBack?: boolean | undefined }): ImportResult {
  const text = readFileSync(full, 'utf8');
  // An `mb --configfile` template (imposters.ejs, with includes): read as mb reads it, rendered.
  const document = readJson(full, isConfigTemplate(full, text) ? renderConfigFile(full).text : text);
  const format = formatOf(document, full);
  const name = basename(full, extname(full));
  switch (format) {
    case 'wiremock':
      return { format, draft: wiremockDraft([{ file: full, document }], join(dirname(full), '__files'), name), files: [full] };
    case 'mountebank':
      return { format, draft: mountebankDraft(document as Record<string, unknown>), files: [full] };
    case 'postman':
      return { format, draft: postmanDraft(document as PostmanCollection), files: [full] };
    case 'har':
      return { format, draft: harDraft(document as Har), files: [full] };
    case 'json-server':
      return { format, draft: jsonServerDraft(document as Record<string, unknown>, name, options.writeBack ? full : undefined), files: [full] };
  }
}

function formatOf(document: unknown, file: string): ImportFormat {
  if (!isRecord(document))
    throw new MockstackError(
      ErrorCode.ImportFormat,
      `${file} is not a JSON object; import reads WireMock mappings, Mountebank imposters, Postman collections, HAR files and json-server db.json`,
    );
  if (isRecord(document.log) && Array.isArray(document.log.entries)) return 'har';
  if (isRecord(document.info) && Array.isArray(document.item)) return 'postman';
  if (Array.isArray(document.mappings) || (isRecord(document.request) && isRecord(document.response))) return 'wiremock';
  // `mb save` / `mb --configfile`: { imposters: [...] }; or one imposter as POST /imposters takes it.
  if (isImpostersDocument(document)) return 'mountebank';
  if (typeof document.swagger === 'string' || typeof document.openapi === 'string') {
    throw new MockstackError(
      ErrorCode.ImportFormat,
      `${file} is an OpenAPI/Swagger document: serve it as it is (mockstack up ${basename(file)}), or write a scenario for it with mockstack import ${basename(file)} (or mockstack init ${basename(file)})`,
    );
  }
  if (Object.values(document).every((v) => Array.isArray(v) || isRecord(v))) return 'json-server';
  throw new MockstackError(
    ErrorCode.ImportFormat,
    `${file}: not a format import reads (WireMock mappings, Mountebank imposters, a Postman collection, a HAR file, a json-server db.json)`,
  );
}

function readJson(file: string, text = readFileSync(file, 'utf8')): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new MockstackError(ErrorCode.ImportFormat, `${file} is not JSON: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// WireMock

function importWiremockDirectory(dir: string): ImportResult {
  const mappings = existsSync(join(dir, 'mappings')) ? join(dir, 'mappings') : dir;
  const files = listJson(mappings);
  if (files.length === 0) throw new MockstackError(ErrorCode.ImportFormat, `${dir} has no WireMock mapping files (*.json in it or in mappings/)`);
  const documents = files.map((file) => ({ file, document: readJson(file) }));
  return { format: 'wiremock', draft: wiremockDraft(documents, join(dirname(mappings), '__files'), basename(dir)), files };
}

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listJson(join(dir, entry.name)) : entry.name.endsWith('.json') ? [join(dir, entry.name)] : []))
    .sort();
}

function wiremockDraft(documents: readonly { file: string; document: unknown }[], filesDir: string, name: string): ScenarioDraft {
  const untranslated: string[] = [];
  const machines: Record<string, string[]> = {};
  const stubs: { stub: WiremockStub; where: string; order: number }[] = [];
  for (const { file, document } of documents) {
    const list = isRecord(document) && Array.isArray(document.mappings) ? document.mappings : [document];
    list.forEach((stub, i) => {
      if (isRecord(stub)) stubs.push({ stub: stub as WiremockStub, where: `${basename(file)}${list.length > 1 ? `#${i + 1}` : ''}`, order: stubs.length });
    });
  }
  // WireMock: a lower priority number wins; mockstack: the first rule that matches.
  stubs.sort((a, b) => (a.stub.priority ?? 5) - (b.stub.priority ?? 5) || a.order - b.order);
  const rules: (RestRuleDraft & { priority: number })[] = [];
  for (const { stub, where } of stubs) {
    const problems: string[] = [];
    const rule = wiremockRule(stub, filesDir, problems);
    for (const problem of problems) untranslated.push(`${where}${stub.name ? ` (${stub.name})` : ''}: ${problem}`);
    if (!rule) continue;
    if (stub.scenarioName) {
      const machine = stub.scenarioName;
      const states = machines[machine] ?? ['Started'];
      machines[machine] = states;
      for (const state of [stub.requiredScenarioState, stub.newScenarioState]) if (state && !states.includes(state)) states.push(state);
      if (stub.requiredScenarioState) rule.whenState = { [machine]: stub.requiredScenarioState };
      if (stub.newScenarioState) rule.setState = { [machine]: stub.newScenarioState };
    }
    rule.note = `from ${where}${stub.name ? `: ${stub.name}` : ''}`;
    rules.push({ ...rule, priority: stub.priority ?? 5 });
  }
  // Of the stubs of one priority, those with conditions first: a stub without any (or whose conditions were not
  // translated, as `absent`) would otherwise answer every request of its route before them.
  const conditional = (rule: RestRuleDraft) => (rule.match || rule.whenState ? 0 : 1);
  rules.sort((a, b) => a.priority - b.priority || conditional(a) - conditional(b));
  const service: RestServiceDraft = { protocol: 'rest', name, rules: rules.map(({ priority: _, ...rule }) => rule) };
  return { services: [service], machines, untranslated };
}

/** A stub as a REST rule: a route for its URL (a pattern becomes a wildcard route with a regex on the rest). */
function wiremockRule(stub: WiremockStub, filesDir: string, problems: string[]): RestRuleDraft | undefined {
  const parsed = parseStub(stub, {
    read: (name) => {
      const file = join(filesDir, name);
      return existsSync(file) ? readFileSync(file) : undefined;
    },
    where: filesDir,
  });
  let method = parsed.method;
  if (method === 'ANY') {
    problems.push('method ANY is written as GET (a REST rule names one method)');
    method = 'GET';
  }
  const match: MatchDraft = parsed.match;
  let path: string;
  const { url } = parsed;
  if (url.kind === 'url' || url.kind === 'urlPath') {
    const parsedUrl = new URL(url.kind === 'url' ? url.url : url.path, 'http://wiremock');
    path = decodeURIComponent(parsedUrl.pathname);
    if (url.kind === 'url' && parsedUrl.search) match.query = Object.fromEntries(parsedUrl.searchParams);
  } else if (url.kind === 'urlPathTemplate') {
    // WireMock 3's `/users/{id}`: a route parameter, named as templates read it (`request.path.id`).
    path = url.template.replace(/\{([^}/]+)\}/g, ':$1');
  } else if (url.kind === 'urlPathPattern' || url.kind === 'urlPattern') {
    const { pattern } = url;
    const literal = /^[^.*+?^${}()|[\]\\]*$/.test(pattern);
    if (literal) path = pattern;
    else {
      const cut = pattern.slice(0, pattern.search(/[.*+?^${}()|[\]\\]/)).lastIndexOf('/');
      path = `${pattern.slice(0, cut + 1)}*`;
      match.params = { '*': { regex: `^${pattern.slice(cut + 1)}$` } };
      if (url.kind === 'urlPattern') problems.push(`urlPattern ${pattern} is matched against the path only`);
    }
  } else {
    problems.push('no url, urlPath, urlPathPattern or urlPattern: matches every path of its method (/*)');
    path = '/*';
  }
  problems.push(...parsed.untranslated);
  return { method, path, ...(Object.keys(match).length > 0 && { match }), answers: [parsed.answer] };
}

// ---------------------------------------------------------------------------------------------
// Mountebank

/**
 * Mountebank imposters (`mb save` output, an `mb --configfile` file rendered to JSON, or one imposter):
 * one REST service per http/https imposter, on its port, serving its stubs through `mountebank.rules`
 * (the same meaning as the admin API's `/imposters`). A stub mockstack cannot honour (JavaScript
 * injection, a recording proxy) is left out and listed; so is a tcp or smtp imposter.
 */
function mountebankDraft(document: Record<string, unknown>): ScenarioDraft {
  const untranslated: string[] = [];
  const list = impostersOf(document);
  if (!list) return { services: [], untranslated: ["'imposters' must be an array of imposters"] };
  const services: RestServiceDraft[] = [];
  list.forEach((imposter: unknown, i) => {
    const record = isRecord(imposter) ? imposter : {};
    const check = checkImposter(imposter, imposterWhere(imposter, i));
    untranslated.push(...check.ignored);
    if (check.errors.length) {
      untranslated.push(...check.errors.map((e) => `${e.message}; the imposter is left out`));
      return;
    }
    const stubs = Array.isArray(record.stubs) ? record.stubs : [];
    const kept = stubs.filter((_, index) => !check.stubs.has(index));
    for (const [index, problems] of check.stubs)
      untranslated.push(
        `${refusing(problems)
          .map((p) => p.message)
          .join('; ')}; stub ${index} is left out, so the stubs after it answer what it would have`,
      );
    const { _links: _l, numberOfRequests: _n, requests: _r, savedRequests: _s, allowCORS: _c, ...served } = record;
    const name = typeof record.name === 'string' && record.name ? record.name : `imposter ${record.port ?? i + 1}`;
    services.push({
      protocol: 'rest',
      name,
      rules: [],
      ...(Number.isInteger(record.port) && { port: record.port as number }),
      ...(record.protocol === 'https' && { tls: true }),
      mountebank: { ...served, stubs: kept.map(withoutOutput) },
    });
  });
  if (services.length === 0 && list.length === 0) untranslated.push('the file has no imposters');
  return { services, untranslated };
}

/** A stub without what `mb save` adds to it (links, matches). */
function withoutOutput(stub: unknown): unknown {
  if (!isRecord(stub)) return stub;
  const { _links: _l, matches: _m, ...rest } = stub;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Postman

interface PostmanCollection {
  info: { name?: string };
  item: PostmanItem[];
  variable?: { key?: string; id?: string; value?: unknown }[];
}
interface PostmanItem {
  name?: string;
  item?: PostmanItem[];
  request?: PostmanRequest | string;
  response?: PostmanResponse[];
}
interface PostmanRequest {
  method?: string;
  url?: string | { raw?: string; path?: string[] | string; query?: { key: string; value?: string | null; disabled?: boolean }[] };
  header?: { key: string; value: string; disabled?: boolean }[] | string;
  body?: { mode?: string; raw?: string };
}
interface PostmanResponse {
  name?: string;
  originalRequest?: PostmanRequest | string;
  code?: number;
  header?: { key: string; value: string }[] | string;
  body?: string;
}

function postmanDraft(collection: PostmanCollection): ScenarioDraft {
  const untranslated: string[] = [];
  const variables = new Map<string, string>();
  for (const v of collection.variable ?? []) {
    const key = v.key ?? v.id;
    if (key && v.value !== null && v.value !== undefined) variables.set(key, String(v.value));
  }
  const service = collection.info.name ?? 'postman';
  const exchanges: HttpExchange[] = [];
  const walk = (items: readonly PostmanItem[], trail: string): void => {
    for (const item of items) {
      const where = `${trail}${item.name ?? '(unnamed)'}`;
      if (item.item) walk(item.item, `${where} / `);
      if (!item.request) continue;
      if (!item.response?.length) {
        untranslated.push(`${where}: no saved example response (save one in Postman to import it)`);
        continue;
      }
      for (const example of item.response) {
        const request = requestOf(example.originalRequest ?? item.request, variables);
        if ('problem' in request) {
          untranslated.push(`${where}: ${request.problem}`);
          continue;
        }
        const headers = headerList(example.header);
        const type = headers['content-type'];
        const body =
          typeof example.body === 'string' && example.body !== '' ? decodeBody(new TextEncoder().encode(example.body), type ?? 'text/plain') : undefined;
        exchanges.push({
          protocol: 'http',
          service,
          ...request,
          response: { status: example.code ?? 200, headers, ...(body !== undefined && { body }) },
        });
      }
    }
  };
  walk(collection.item, '');
  const draft = draftsFromExchanges(exchanges);
  draft.untranslated.unshift(...untranslated);
  if (draft.services.length === 0) draft.services.push({ protocol: 'rest', name: service, rules: [] });
  return draft;
}

function requestOf(
  request: PostmanRequest | string,
  variables: ReadonlyMap<string, string>,
): Omit<HttpExchange, 'protocol' | 'service' | 'response'> | { problem: string } {
  const spec: PostmanRequest = typeof request === 'string' ? { url: request } : request;
  const raw =
    typeof spec.url === 'string' ? spec.url : (spec.url?.raw ?? (Array.isArray(spec.url?.path) ? `/${spec.url.path.join('/')}` : `/${spec.url?.path ?? ''}`));
  const resolved = raw.replace(/\{\{([^}]+)\}\}/g, (whole, name: string) => variables.get(name) ?? whole);
  // A base URL left as a variable (`{{base_url}}/users`) stands for the service's own root.
  const url = new URL(resolved.replace(/^\{\{[^}]+\}\}/, '').replace(/^(?![a-z]+:\/\/)\/?/i, 'http://postman/'), 'http://postman');
  const path = decodeURIComponent(url.pathname);
  if (path.includes('{{')) return { problem: `the path ${path} keeps a variable with no value in the collection` };
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!v.includes('{{')) query[k] = v;
  const headers = headerList(spec.header);
  const body = spec.body?.mode === 'raw' && spec.body.raw ? (parseJsonOrUndefined(spec.body.raw) ?? spec.body.raw) : undefined;
  return { method: (spec.method ?? 'GET').toUpperCase(), path, query, headers, ...(body !== undefined && { body }) };
}

function headerList(header: { key: string; value: string; disabled?: boolean }[] | string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof header === 'string') {
    for (const line of header.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  } else for (const h of header ?? []) if (!h.disabled) out[h.key.toLowerCase()] = h.value;
  return out;
}

// ---------------------------------------------------------------------------------------------
// HAR

interface Har {
  log: {
    entries: {
      request: { method: string; url: string; headers?: { name: string; value: string }[]; postData?: { mimeType?: string; text?: string } };
      response: { status: number; headers?: { name: string; value: string }[]; content?: { mimeType?: string; text?: string; encoding?: string } };
    }[];
  };
}

function harDraft(har: Har): ScenarioDraft {
  const untranslated: string[] = [];
  const exchanges: HttpExchange[] = [];
  // Browsers record absolute URLs; an edited HAR may hold paths, taken as on the first entry's origin.
  const base = har.log.entries.map((entry) => URL.parse(entry.request.url)).find((url) => url !== null) ?? undefined;
  for (const entry of har.log.entries) {
    const url = URL.parse(entry.request.url, base?.href);
    if (!url) {
      untranslated.push(`${entry.request.method} ${entry.request.url}: not a URL`);
      continue;
    }
    if (!entry.response.status) {
      untranslated.push(`${entry.request.method} ${url.href}: no answer was recorded (status 0: the browser blocked or cancelled the request)`);
      continue;
    }
    const headers = Object.fromEntries((entry.request.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]));
    const answerHeaders = Object.fromEntries((entry.response.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]));
    const content = entry.response.content;
    let body: unknown;
    if (content?.text !== undefined && content.text !== '') {
      const bytes = content.encoding === 'base64' ? Uint8Array.from(atob(content.text), (c) => c.charCodeAt(0)) : new TextEncoder().encode(content.text);
      body = decodeBody(bytes, content.mimeType ?? answerHeaders['content-type']);
    }
    if (body instanceof Uint8Array) {
      untranslated.push(`${entry.request.method} ${url.pathname}: a binary answer (${content?.mimeType}) is not translated`);
      continue;
    }
    const post = entry.request.postData;
    const requestBody = post?.text ? decodeBody(new TextEncoder().encode(post.text), post.mimeType ?? headers['content-type']) : undefined;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    exchanges.push({
      protocol: 'http',
      service: url.hostname.split('.')[0] || 'api',
      method: entry.request.method.toUpperCase(),
      path: decodeURIComponent(url.pathname),
      query,
      headers,
      ...(requestBody !== undefined && !(requestBody instanceof Uint8Array) && { body: requestBody }),
      response: { status: entry.response.status, headers: answerHeaders, ...(body !== undefined && { body }) },
    });
  }
  const draft = draftsFromExchanges(exchanges);
  draft.untranslated.unshift(...untranslated);
  return draft;
}

// ---------------------------------------------------------------------------------------------
// json-server

function jsonServerDraft(db: Record<string, unknown>, name: string, writeBack: string | undefined): ScenarioDraft {
  const service: RestServiceDraft = { protocol: 'rest', name, rules: [], crud: [], singletons: {}, ...(writeBack && { writeBack }) };
  const untranslated: string[] = [];
  for (const [key, value] of Object.entries(db)) {
    if (Array.isArray(value)) {
      if (value.some((r) => !isRecord(r))) untranslated.push(`${key}: records that are not objects are served as they are, without an id`);
      service.crud?.push({ path: `/${key}`, key, records: value });
    } else (service.singletons as Record<string, unknown>)[`/${key}`] = value;
  }
  return { services: [service], untranslated };
}
