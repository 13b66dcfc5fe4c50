import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ErrorCode, MockstackError, projectRoot, REDACTED, Redactor, type RedactSetting } from '@mockstack/core';
import { type MatcherCondition, matchersOf, proxyOptionsOf, type WiremockMatchers } from '@mockstack/wiremock';
import type {
  BodyCondition,
  GraphqlServiceDraft,
  GrpcAnswer,
  GrpcServiceDraft,
  HttpAnswer,
  MatchDraft,
  MatchValue,
  RestRuleDraft,
  RestServiceDraft,
  ScenarioDraft,
  ServiceDraft,
  TextTest,
} from './drafts.js';

export interface EmitOptions {
  /** The scenario file to write (relative to `root`). */
  out: string;
  /** The scenario's name (default: the file's name). */
  name?: string | undefined;
  /** Project root: `schemas/` for recorded GraphQL schemas, relative contract paths (default: the nearest package.json above `out`). */
  root?: string | undefined;
  /** First port; the services get consecutive ones (default 4010). */
  basePort?: number | undefined;
  /** JSON bodies larger than this many bytes go to a fixture file beside the scenario (default 1024). */
  fixtureBytes?: number | undefined;
  /** Headers and query parameters kept out of the scenario besides the defaults, or `false` to write secrets verbatim. */
  redact?: RedactSetting | undefined;
  /** Overwrite an existing scenario file. */
  force?: boolean | undefined;
  /** What wrote it, for the header comment (`mockstack record` from http://…). */
  origin: string;
}

export interface EmitResult {
  /** The scenario (absolute path). */
  file: string;
  name: string;
  /** Fixture and schema files written beside it (absolute paths). */
  written: string[];
  services: { name: string; protocol: string; port: number; rules: number }[];
  /** What the scenario does not say (also written in it as a comment). */
  warnings: string[];
}

/** Response headers that describe one transfer, not the answer: the server sets its own. */
const TRANSFER_HEADERS = new Set([
  'connection',
  'content-length',
  'content-encoding',
  'date',
  'keep-alive',
  'transfer-encoding',
  'server',
  'x-powered-by',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
]);

/**
 * Writes a scenario module from drafts (recorded exchanges, imported stubs) with ts-morph: one service
 * per draft, one rule per distinct request, big JSON bodies as fixture files beside it, no secrets
 * (Authorization, cookies, API keys… are left out unless `redact: false`), and every untranslated
 * thing listed in a comment at its top. Never overwrites an existing file unless `force`.
 */
export async function emitScenario(draft: ScenarioDraft, options: EmitOptions): Promise<EmitResult> {
  const file = resolve(options.out);
  const root = resolve(options.root ?? projectRoot(dirname(file)));
  if (existsSync(file) && !options.force) {
    throw new MockstackError(
      ErrorCode.InitFileExists,
      `${relative(process.cwd(), file) || file} already exists; pass --force to overwrite it, or --out another path`,
    );
  }
  const name = cleanName(options.name ?? basename(file, extname(file)));
  const writer = new ScenarioWriter(name, file, root, options);
  const text = await writer.render(draft);
  mkdirSync(dirname(file), { recursive: true });
  for (const [path, content] of writer.files) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  writeFileSync(file, text);
  return { file, name, written: [...writer.files.keys()], services: writer.services, warnings: writer.warnings };
}

class ScenarioWriter {
  readonly files = new Map<string, string>();
  readonly services: EmitResult['services'] = [];
  readonly warnings: string[] = [];
  readonly #imports = new Set<string>(['scenario']);
  /** The functions the written conditions call, each written once above the scenario. */
  readonly #helpers = new Set<keyof typeof BODY_HELPERS>();
  readonly #fixtureImports: string[] = [];
  /** The scenario uses `wiremock.matching` (imported from mockstack/wiremock, which holds the XML libraries). */
  #wiremockImport = false;
  /** The scenario serves Mountebank imposters (`mountebank.rules`, imported from mockstack/mountebank, which holds them). */
  #mountebankImport = false;
  readonly #fixtureNames = new Set<string>();
  readonly #redactor: Redactor;
  readonly #redacting: boolean;
  readonly #fixtureBytes: number;

  constructor(
    readonly name: string,
    readonly file: string,
    readonly root: string,
    readonly options: EmitOptions,
  ) {
    this.#redactor = new Redactor(options.redact);
    this.#redacting = options.redact !== false;
    this.#fixtureBytes = options.fixtureBytes ?? 1024;
  }

  async render(draft: ScenarioDraft): Promise<string> {
    this.warnings.push(...draft.untranslated);
    const basePort = this.options.basePort ?? 4010;
    const taken = new Set<string>();
    const entries: string[] = [];
    const states: string[] = [];
    draft.services.forEach((service, i) => {
      let key = camel(service.name);
      for (let n = 2; taken.has(key); n++) key = `${camel(service.name)}${n}`;
      taken.add(key);
      const port = service.protocol === 'rest' && service.port !== undefined ? service.port : basePort + i;
      entries.push(`${prop(key)}: ${this.#service(service, key, port, states)}`);
    });

    const { Project, QuoteKind } = await import('ts-morph');
    const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
    const source = project.createSourceFile('/scenario.ts', '');
    const header = [
      `Scenario "${this.name}", written by ${this.options.origin}.`,
      '',
      `  npx mockstack check ${relPosix(this.file)}`,
      `  npx mockstack up ${relPosix(this.file)}`,
    ];
    source.addStatements(`/**\n${header.map((l) => ` *${l ? ` ${l}` : ''}`).join('\n')}\n */`);
    source.addImportDeclaration({ moduleSpecifier: 'mockstack', namedImports: [...this.#imports].sort() });
    if (this.#mountebankImport) source.addImportDeclaration({ moduleSpecifier: 'mockstack/mountebank', namedImports: ['mountebank'] });
    if (this.#wiremockImport) source.addImportDeclaration({ moduleSpecifier: 'mockstack/wiremock', namedImports: ['wiremock'] });
    for (const line of this.#fixtureImports) source.addStatements(line);
    for (const helper of this.#helpers) source.addStatements(BODY_HELPERS[helper]);
    if (this.warnings.length) {
      source.addStatements(`// Not translated (each was also printed as a warning):\n${this.warnings.map((w) => `// - ${w.replace(/\n/g, ' ')}`).join('\n')}`);
    }
    const machines = draft.machines && Object.keys(draft.machines).length ? `, machines: ${literal(draft.machines)}` : '';
    if (states.length) {
      source.addStatements(
        `/** The records every service shares; \`reset\` (admin API, tests) goes back to these. */\nexport const seedState = () => ({\n${states.join(',\n')},\n});\nexport type State = ReturnType<typeof seedState>;`,
      );
    }
    const state = states.length ? ', state: seedState' : '';
    source.addStatements(`export default scenario(${quote(this.name)}, { seed: 1${state}${machines} }).services({\n${entries.join(',\n')},\n});`);
    source.formatText({ indentSize: 2, convertTabsToSpaces: true });
    const text = source.getFullText();
    return text.endsWith('\n') ? text : `${text}\n`;
  }

  #service(service: ServiceDraft, key: string, port: number, states: string[]): string {
    switch (service.protocol) {
      case 'rest':
        return this.#rest(service, key, port, states);
      case 'graphql':
        return this.#graphql(service, key, port);
      case 'grpc':
        return this.#grpc(service, key, port);
    }
  }

  #rest(service: RestServiceDraft, key: string, port: number, states: string[]): string {
    this.#imports.add('rest');
    const tls = service.tls ? ', tls: true' : '';
    if (service.mountebank) {
      // The imposter as data, served with Mountebank's meaning (the same code as the admin API's /imposters).
      this.#mountebankImport = true;
      const stubs = Array.isArray(service.mountebank.stubs) ? service.mountebank.stubs.length : 0;
      this.services.push({ name: key, protocol: 'rest', port, rules: stubs });
      return `rest({ port: ${port}${tls} }, mountebank.rules(${this.#value(service.mountebank, `${key}-imposter`)}))`;
    }
    const rules: string[] = [];
    // A json-server database: every collection and singular resource in the state, which is the database
    // (`_embed`/`_expand`, nested routes) and, with `writeBack`, what is written to the file.
    const writeBack = service.writeBack ? `, writeBack: ${quote(relative(dirname(this.file), service.writeBack).split(sep).join('/'))}` : '';
    for (const crud of service.crud ?? []) {
      const stateKey = prop(crud.key);
      states.push(`${stateKey}: ${this.#value(crud.records, `${key}-${crud.key}`)} as Record<string, unknown>[]`);
      rules.push(
        `...rest.crud(${quote(crud.path)}, { collection: (state: State) => state[${quote(crud.key)}], list: 'array', database: (state: State) => state${writeBack} })`,
      );
    }
    for (const [path, value] of Object.entries(service.singletons ?? {})) {
      if (service.crud?.length) {
        const stateKey = path.replace(/^\//, '');
        states.push(`${prop(stateKey)}: ${this.#value(value, `${key}-${stateKey}`)} as unknown`);
        rules.push(`rest.get(${quote(path)}, ({ state }: { state: State }) => state[${quote(stateKey)}])`);
      } else rules.push(`rest.get(${quote(path)}, ${this.#value(value, `${key}-get-${path}`)})`);
    }
    for (const rule of service.rules) {
      const route = routeOf(rule.path);
      if (route !== rule.path) this.warnings.push(`${rule.method} ${rule.path}: written as ${route} (a ':' in a path is a parameter in the router)`);
      const options = this.#ruleOptions(rule, `${rule.method} ${rule.path}`);
      const answer = this.#httpAnswers(rule.answers, `${key}-${rule.method}-${rule.path}`, `${rule.method} ${rule.path}`);
      const factory = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(rule.method.toLowerCase());
      if (!factory) {
        this.warnings.push(`${rule.method} ${rule.path}: the method ${rule.method} is not served by REST services; left out`);
        continue;
      }
      const note = rule.note ? `// ${rule.note.replace(/\n/g, ' ')}\n` : '';
      rules.push(`${note}rest.${rule.method.toLowerCase()}(${quote(route)}, ${options ? `${options}, ` : ''}${answer})`);
    }
    this.services.push({ name: key, protocol: 'rest', port, rules: rules.length });
    return `rest({ port: ${port}${tls} }, [\n${rules.join(',\n')},\n])`;
  }

  #graphql(service: GraphqlServiceDraft, key: string, port: number): string {
    this.#imports.add('graphql');
    const schema = join(this.root, 'schemas', `${kebab(this.name)}-${kebab(key)}.graphql`);
    this.files.set(schema, service.sdl.endsWith('\n') ? service.sdl : `${service.sdl}\n`);
    const rules = service.operations.map((op) => {
      const options = op.match?.body === undefined ? undefined : `{ match: { variables: ${literal(op.match.body)} } }`;
      const answer =
        op.answers.length === 1
          ? this.#value(op.answers[0], `${key}-${op.name}`)
          : this.#sequence(op.answers.map((a, i) => this.#value(a, `${key}-${op.name}-${i + 1}`)));
      return `graphql.${op.kind}(${quote(op.name)}, ${options ? `${options}, ` : ''}${answer})`;
    });
    const path = service.path && service.path !== '/graphql' ? `, path: ${quote(service.path)}` : '';
    this.services.push({ name: key, protocol: 'graphql', port, rules: rules.length });
    return `graphql({ port: ${port}, schema: ${quote(this.#projectPath(schema))}${path} }, {}, [\n${rules.join(',\n')},\n])`;
  }

  #grpc(service: GrpcServiceDraft, key: string, port: number): string {
    this.#imports.add('grpc');
    const rules = service.rules.map((rule) => {
      const options = this.#matchOptions(rule.match, rule.method);
      const answers = rule.answers.map((a, i) => this.#grpcAnswer(a, rule.streaming, `${key}-${rule.method}-${i + 1}`));
      const answer = answers.length === 1 ? (answers[0] as string) : this.#sequence(answers);
      return `grpc.method(${quote(rule.method)}, ${options ? `${options}, ` : ''}${answer})`;
    });
    const dirs = (service.includeDirs ?? []).filter((d) => d !== dirname(service.proto)).map((d) => quote(this.#projectPath(d)));
    const options = `{ port: ${port}, proto: ${quote(this.#projectPath(service.proto))}${dirs.length ? `, includeDirs: [${dirs.join(', ')}]` : ''} }`;
    this.services.push({ name: key, protocol: 'grpc', port, rules: rules.length });
    return `grpc(${options}, [\n${rules.join(',\n')},\n])`;
  }

  #grpcAnswer(answer: GrpcAnswer, streaming: boolean, fixture: string): string {
    if (answer.status !== 'OK') {
      this.#imports.add('fault');
      return `fault.grpc(${quote(answer.status)}${answer.message ? `, ${quote(answer.message)}` : ''})`;
    }
    if (streaming) return `grpc.stream(${this.#value(answer.messages, fixture)})`;
    return this.#value(answer.messages[0] ?? {}, fixture);
  }

  #ruleOptions(rule: RestRuleDraft, where: string): string | undefined {
    const parts: string[] = [];
    const match = this.#match(rule.match, where);
    if (match) parts.push(`match: ${match}`);
    if (rule.whenState) parts.push(`whenState: ${literal(rule.whenState)}`);
    if (rule.setState) parts.push(`setState: ${literal(rule.setState)}`);
    return parts.length ? `{ ${parts.join(', ')} }` : undefined;
  }

  #matchOptions(match: MatchDraft | undefined, where: string): string | undefined {
    const text = this.#match(match, where);
    return text ? `{ match: ${text} }` : undefined;
  }

  /** The `match` object, without secret headers and query parameters (each left out is a warning). */
  #match(match: MatchDraft | undefined, where: string): string | undefined {
    if (!match) return undefined;
    const parts: string[] = [];
    const kept = (kind: 'headers' | 'query', values: Record<string, MatchValue> | undefined): Record<string, MatchValue> | undefined => {
      if (!values) return undefined;
      const out: Record<string, MatchValue> = {};
      for (const [name, value] of Object.entries(values))
        if (!this.#leftOutAsSecret(kind, name, where)) out[kind === 'headers' ? name.toLowerCase() : name] = value;
      return Object.keys(out).length ? out : undefined;
    };
    if (match.params) parts.push(`params: ${matchRecord(match.params)}`);
    const query = kept('query', match.query);
    const headers = kept('headers', match.headers);
    if (query) parts.push(`query: ${matchRecord(query)}`);
    if (headers) parts.push(`headers: ${matchRecord(headers)}`);
    if (match.body !== undefined) parts.push(`body: ${literal(match.body)}`);
    if (match.bodyEquals !== undefined) parts.push(`bodyEquals: ${literal(match.bodyEquals)}`);
    const bodyTest = match.bodyConditions?.length ? `({ body }) => ${match.bodyConditions.map((c) => this.#bodyCondition(c)).join(' && ')}` : undefined;
    const matchers = this.#wiremockMatchers(match.matchers ?? [], where);
    if (matchers) {
      // WireMock's matchers the DSL has no form for, evaluated as WireMock does.
      this.#wiremockImport = true;
      parts.push(`when: wiremock.matching(${literal(matchers)}${bodyTest ? `, ${bodyTest}` : ''})`);
    } else if (bodyTest) parts.push(`when: ${bodyTest}`);
    return parts.length ? `{ ${parts.join(', ')} }` : undefined;
  }

  /** WireMock matchers for `wiremock.matching`, without those on secret headers and query parameters (each left out is a warning). */
  #wiremockMatchers(conditions: readonly MatcherCondition[], where: string): WiremockMatchers | undefined {
    const kept = conditions.filter(({ on, name }) => (on !== 'headers' && on !== 'query') || !this.#leftOutAsSecret(on, name ?? '', where));
    return kept.length ? matchersOf(kept) : undefined;
  }

  /** Whether a match on a header or query parameter is left out as a secret (with a warning saying so). */
  #leftOutAsSecret(kind: 'headers' | 'query', name: string, where: string): boolean {
    const probe = { [name]: 'x' };
    const blanked = kind === 'headers' ? this.#redactor.headers(probe) : this.#redactor.query(probe);
    if (blanked[name] !== REDACTED) return false;
    this.warnings.push(`${where}: the match on ${kind === 'headers' ? 'header' : 'query parameter'} ${name} left out (a secret; --no-redact keeps it)`);
    return true;
  }

  /** A body condition as code over `body`: its text, or the value at a path of its JSON. */
  #bodyCondition(condition: BodyCondition): string {
    if ('text' in condition) {
      this.#imports.add('bodyText');
      return textTestCode('bodyText(body)', condition.text);
    }
    this.#helpers.add('valueAt');
    const value = `valueAt(body, ${literal(condition.path)})`;
    if (condition.absent) return `${value} === undefined`;
    if (!condition.test) return `${value} !== undefined`;
    this.#imports.add('bodyText');
    return textTestCode(`bodyText(${value})`, condition.test);
  }

  #httpAnswers(answers: readonly HttpAnswer[], fixture: string, where: string): string {
    const written = answers.map((a, i) => this.#httpAnswer(a, answers.length > 1 ? `${fixture}-${i + 1}` : fixture, where));
    return written.length === 1 ? (written[0] as string) : this.#sequence(written);
  }

  #httpAnswer(answer: HttpAnswer, fixture: string, where: string): string {
    if (answer.proxy) return this.#proxyAnswer(answer, where);
    if (answer.fault || answer.dribble) return this.#faultAnswer(answer, fixture, where);
    if (answer.template) return this.#templateAnswer(answer, where);
    this.#imports.add('respond');
    const headers = this.#answerHeaders(answer, where);
    const init: string[] = [];
    if (answer.status !== 200 || answer.body === undefined) init.push(`status: ${answer.status}`);
    if (Object.keys(headers).length) init.push(`headers: ${literal(headers)}`);
    if (answer.delay) init.push(`delay: ${literal(answer.delay)}`);
    const body = answer.body === undefined ? 'undefined' : this.#value(answer.body, fixture);
    return `respond(${body}${init.length ? `, { ${init.join(', ')} }` : ''})`;
  }

  /** A proxy stub: `rest.proxy(base, options)`; a delay before it is a warning (the real service takes its time). */
  #proxyAnswer(answer: HttpAnswer, where: string): string {
    const proxy = answer.proxy as NonNullable<HttpAnswer['proxy']>;
    if (answer.delay) this.warnings.push(`${where}: the delay before a proxied answer is left out`);
    const options = proxyOptionsOf(proxy);
    return `rest.proxy(${quote(proxy.baseUrl)}${Object.keys(options).length ? `, ${literal(options)}` : ''})`;
  }

  /** A connection fault, or a body dribbled slowly (both `fault.*`); a delay before either is a warning (they have none). */
  #faultAnswer(answer: HttpAnswer, fixture: string, where: string): string {
    this.#imports.add('fault');
    if (answer.delay) this.warnings.push(`${where}: the delay before a fault or a dribbled body is left out`);
    if (answer.fault === 'drop' || answer.fault === 'empty') return `fault.${answer.fault}()`;
    const headers = this.#answerHeaders(answer, where);
    const init: string[] = [];
    if (answer.dribble) init.push(`over: ${answer.dribble.overMs}`, `chunks: ${answer.dribble.chunks}`);
    if (answer.status !== 200) init.push(`status: ${answer.status}`);
    if (Object.keys(headers).length) init.push(`headers: ${literal(headers)}`);
    const body = answer.body === undefined ? (answer.fault ? 'undefined' : "''") : this.#value(answer.body, fixture);
    if (answer.fault === 'malformedChunk') return `fault.malformedChunk(${body}${init.length ? `, { ${init.join(', ')} }` : ''})`;
    return `fault.dribble(${body}, { ${init.join(', ')} })`;
  }

  /**
   * An answer's headers as the scenario writes them: lower-cased, without those node sets itself, the
   * content type the body gives anyway (not for a template: its body is text until rendered), or secrets.
   */
  #answerHeaders(answer: HttpAnswer, where: string): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers ?? {})) {
      const lower = name.toLowerCase();
      if (TRANSFER_HEADERS.has(lower)) continue;
      if (lower === 'content-type' && !answer.template && isDefaultType(value, answer.body)) continue;
      if (this.#redacting && this.#redactor.headers({ [lower]: value })[lower] === REDACTED) {
        this.warnings.push(`${where}: response header ${lower} left out (a secret; --no-redact keeps it)`);
        continue;
      }
      headers[lower] = value;
    }
    return headers;
  }

  /** A response template, as it was written: its headers (secrets left out as for any answer) and body are rendered per request. */
  #templateAnswer(answer: HttpAnswer, where: string): string {
    this.#imports.add('template');
    const headers = this.#answerHeaders(answer, where);
    const fields: string[] = [];
    if (answer.status !== 200) fields.push(`status: ${answer.status}`);
    if (Object.keys(headers).length) fields.push(`headers: ${literal(headers)}`);
    if (answer.body !== undefined) fields.push(`body: ${literal(answer.body)}`);
    if (answer.delay) fields.push(`delay: ${literal(answer.delay)}`);
    return `template({ ${fields.join(', ')} })`;
  }

  #sequence(steps: readonly string[]): string {
    this.#imports.add('sequence');
    return `sequence([\n${steps.join(',\n')},\n])`;
  }

  /** A JSON value as a literal, or, when large, as the import of a fixture file written beside the scenario. */
  #value(value: unknown, fixture: string): string {
    const json = JSON.stringify(value, null, 2);
    if (json === undefined) return 'undefined';
    if (typeof value !== 'object' || value === null || Buffer.byteLength(json) <= this.#fixtureBytes) return literal(value);
    let base = kebab(fixture).slice(0, 80) || 'body';
    for (let n = 2; this.#fixtureNames.has(base); n++) base = `${kebab(fixture).slice(0, 80)}-${n}`;
    this.#fixtureNames.add(base);
    const path = join(dirname(this.file), 'fixtures', kebab(this.name), `${base}.json`);
    this.files.set(path, `${json}\n`);
    const id = camel(base);
    const from = `./${relative(dirname(this.file), path).split(sep).join('/')}`;
    this.#fixtureImports.push(`import ${id} from ${quote(from)} with { type: 'json' };`);
    return id;
  }

  /** How the scenario names a file: from the project root when inside it, else absolute. */
  #projectPath(file: string): string {
    const fromRoot = relative(this.root, file);
    return (fromRoot.startsWith('..') || isAbsolute(fromRoot) ? file : fromRoot || '.').split(sep).join('/');
  }
}

/** fastify reads `:` as a parameter: a literal one is written `::`. */
function routeOf(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.startsWith(':') || !segment.includes(':') ? segment : segment.replace(/:/g, '::')))
    .join('/');
}

/** The content type the REST adapter sends for this body anyway. */
function isDefaultType(type: string, body: unknown): boolean {
  const base = type.split(';')[0]?.trim().toLowerCase();
  if (typeof body === 'string') return base === 'text/plain';
  return body !== undefined && base === 'application/json';
}

function matchRecord(values: Record<string, MatchValue>): string {
  const entries = Object.entries(values).map(([k, v]) => `${prop(k)}: ${matchValueCode(v)}`);
  return `{ ${entries.join(', ')} }`;
}

/** A match value as code: the value, a regex, or a predicate for an absent, present or not-matching value. */
function matchValueCode(value: MatchValue): string {
  if (typeof value !== 'object' || value === null) return literal(value);
  if ('absent' in value) return value.absent ? '(value: unknown) => value === undefined' : '(value: unknown) => value !== undefined';
  const regex = regexCode(value.regex, value.flags);
  return value.negate ? `(value: unknown) => typeof value === 'string' && !${regex}.test(value)` : regex;
}

/**
 * A regex as code: a literal, or `new RegExp('…')` when its source has a `/` (escaped or not, a slash
 * in a literal needs care the source may not have taken: `a\/b` would end the literal early).
 */
function regexCode(source: string, flags = ''): string {
  return source.includes('/') ? `new RegExp(${quote(source)}${flags ? `, ${quote(flags)}` : ''})` : `/${source}/${flags}`;
}

/** A JSON value as TypeScript source: identifier keys bare, strings single-quoted, short values on one line. */
/** Functions a written scenario's body conditions call (see `#bodyCondition`). */
const BODY_HELPERS = {
  valueAt: `/** The value at a path of a JSON body (keys and indexes), or undefined. */
const valueAt = (value: unknown, path: readonly (string | number)[]): unknown =>
  path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key] : undefined), value);`,
} as const;

/** A text test as code over the text expression `text` (WireMock's \`matches\` is on the whole text). */
function textTestCode(text: string, test: TextTest): string {
  if ('contains' in test) return `${text}.includes(${quote(test.contains)})`;
  if ('equalTo' in test) return `${text} === ${quote(test.equalTo)}`;
  const regex = `new RegExp(${quote(`^(?:${'matches' in test ? test.matches : test.doesNotMatch})$`)})`;
  return 'matches' in test ? `${regex}.test(${text})` : `!${regex}.test(${text})`;
}

export function literal(value: unknown, indent = ''): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((item) => literal(item === undefined ? null : item, inner))
    : Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => `${prop(key)}: ${literal(item, inner)}`);
  if (items.length === 0) return Array.isArray(value) ? '[]' : '{}';
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{ ', ' }'];
  const flat = `${open}${items.join(', ')}${close}`;
  if (flat.length <= 80 && !flat.includes('\n')) return flat;
  return `${open.trim()}\n${items.map((i) => `${inner}${i}`).join(',\n')},\n${indent}${close.trim()}`;
}

function quote(value: string): string {
  return `'${value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`;
}

function prop(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

function camel(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  // An all-capitals first word is an acronym: `HTTP Status` → `httpStatus`.
  const joined = words
    .map((w, i) => (i > 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w === w.toUpperCase() ? w.toLowerCase() : w.charAt(0).toLowerCase() + w.slice(1)))
    .join('');
  const id = joined || 'service';
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function cleanName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'recorded';
}

function relPosix(file: string): string {
  return (relative(process.cwd(), file) || file).split(sep).join('/');
}
