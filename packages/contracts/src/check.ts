import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { type Adapter, compile, ErrorCode, escapeRegExp, MockstackError, type Problem, type SourceLocation } from '@mockstack/core';
import { adaptersWith, lenientDefinition, loadScenario } from '@mockstack/runner';
import { findContracts, generate, generatedFile, isStale } from './generate.js';
import { pnpResolutionHost } from './pnp-resolution.js';
import { checkStaticAnswers } from './static-responses.js';

/** One problem `mockstack check` reports. */
export interface CheckProblem {
  /** Absolute path. */
  file: string;
  line: number;
  column: number;
  message: string;
  /** `type` (TypeScript), `contract` (a static response or a name the contract lacks), `input` (a file check cannot use). */
  kind: 'type' | 'contract' | 'input';
  /** `TS2322`, or a `MOCKSTACK_ERR_…` code. */
  code: string;
}

export interface CheckOptions {
  /** Project root (protos/, schemas/, scenarios/generated/). Default: cwd. */
  root?: string | undefined;
  /** Check against contracts with validity problems (as `up --lenient` serves them), a warning per problem. Default false. */
  lenient?: boolean | undefined;
  /** Protocols besides the built-in ones (see `RunOptions.protocols`): their contracts and services are checked too. */
  protocols?: readonly Adapter[] | undefined;
}

/** One scenario or contract `check` looked at, and how it went. */
export interface CheckedFile {
  /** Absolute path. */
  file: string;
  /**
   * `passed`; `failed` (a problem in it or, for a scenario, in a module it imports); `skipped`:
   * not checked, because a contract did not load (then that contract failed).
   */
  status: 'passed' | 'failed' | 'skipped';
  /** For a scenario: the user's modules its program holds (itself first). */
  modules: string[];
  /** The problems that make it fail (a problem in a module two scenarios import fails both). */
  problems: CheckProblem[];
}

export interface CheckResult {
  /** The scenarios asked for (absolute paths). */
  files: string[];
  /** Every problem, once, sorted by file and position. */
  problems: CheckProblem[];
  /** Each scenario asked for, in order. */
  scenarios: CheckedFile[];
  /** Each contract of the project (as `mockstack gen` finds them). */
  contracts: CheckedFile[];
  /** Contract problems the check went on despite (lenient mode, on the command line or per service). */
  warnings: string[];
}

/**
 * Type-checks scenarios (each one's whole program, with its own tsconfig, in strict contract
 * mode: a name the contracts lack is a type error) and validates every static response of their
 * compiled models against the contracts. Regenerates the contract types first when a contract is newer.
 */
export async function check(paths: readonly string[], options: CheckOptions = {}): Promise<CheckResult> {
  const root = resolve(options.root ?? process.cwd());
  const files = (paths.length ? paths : defaultScenarios(root)).map((p) => resolve(p));
  const { protocols } = options;
  const contracts = findContracts(root, protocols).files;
  const problems: CheckProblem[] = [];
  const modules = new Map<string, string[]>();
  const unchecked = new Set<string>();
  const warnings = new Set<string>();
  const result = (): CheckResult => ({ ...attribute(files, contracts, dedupe(problems).sort(byPlace), modules, unchecked), warnings: [...warnings] });

  if (isStale({ root, protocols })) {
    try {
      for (const warning of (await generate({ root, lenient: options.lenient, protocols })).warnings) warnings.add(warning);
    } catch (error) {
      // A contract that does not load: its types are not there to check the scenarios against.
      if (!(error instanceof MockstackError && error.code === ErrorCode.GenNoContracts)) {
        problems.push(...fromError(error, 'input', join(root, 'protos')));
        for (const file of files) unchecked.add(file);
        return result();
      }
    }
  }

  const scenarios: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) {
      problems.push({
        file,
        line: 1,
        column: 1,
        kind: 'input',
        code: 'MOCKSTACK_ERR_SCENARIO_NOT_FOUND',
        message: `${rel(file)} does not exist; pass a scenario module (scenarios/checkout.ts)`,
      });
      continue;
    }
    scenarios.push(file);
  }
  if (scenarios.length === 0) return result();

  mark('generate');
  // esbuild bundles the scenarios in its own process while TypeScript checks them here.
  const loads = scenarios.map((file) =>
    loadScenario(file).then(
      (loaded) => ({ loaded }),
      (error: unknown) => ({ error }),
    ),
  );
  const typed = await typeCheck(scenarios, root);
  problems.push(...typed.problems);
  for (const [file, reached] of typed.modules) modules.set(file, reached);
  mark('type-check');

  for (const [index, file] of scenarios.entries()) {
    let loaded: Awaited<ReturnType<typeof loadScenario>>;
    try {
      const result = await loads[index];
      if (!result || 'error' in result) throw result?.error;
      loaded = result.loaded;
    } catch (error) {
      const problem = fromSingleError(error, 'input', file);
      if ((error as MockstackError).code === 'MOCKSTACK_ERR_SCENARIO_INVALID') {
        problem.message = `${rel(file)} is not a scenario: it has no default-exported scenario(…) (a scenario module ends with \`export default scenario('name', { … }).services({ … })\`)`;
      }
      problems.push(problem);
      continue;
    }
    let model: Awaited<ReturnType<typeof compile>>;
    try {
      model = await compile(options.lenient ? lenientDefinition(loaded.definition) : loaded.definition, { adapters: adaptersWith(protocols), file });
    } catch (error) {
      problems.push(...fromError(error, 'contract', file));
      continue;
    }
    mark('load + compile');
    let checked: Awaited<ReturnType<typeof checkStaticAnswers>>;
    try {
      checked = await checkStaticAnswers(model, protocols);
    } catch (error) {
      // A protocol's tooling that cannot read the contract it checks against.
      problems.push(...fromError(error, 'contract', file));
      continue;
    }
    for (const warning of checked.warnings) warnings.add(warning);
    for (const violation of checked.violations) {
      problems.push({ ...where(violation.source, file), kind: 'contract', code: ErrorCode.ContractViolation, message: violation.message });
    }
  }
  mark('static responses');
  return result();
}

function byPlace(a: CheckProblem, b: CheckProblem): number {
  return a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1;
}

/**
 * Each problem to what it fails: the contract it is in, else every scenario whose program holds its
 * file (a problem in a module fails each scenario importing it), else the first scenario asked for.
 */
function attribute(
  files: readonly string[],
  contracts: readonly string[],
  problems: CheckProblem[],
  modules: ReadonlyMap<string, string[]>,
  unchecked: ReadonlySet<string>,
): Omit<CheckResult, 'warnings'> {
  const contractFiles: CheckedFile[] = contracts.map((file) => ({ file, status: 'passed', modules: [file], problems: [] }));
  const contractOf = (file: string) => contractFiles.find((c) => c.file === file);
  const scenarioFiles: CheckedFile[] = files.map((file) => ({
    file,
    status: 'passed',
    modules: modules.get(file) ?? [file],
    problems: [],
  }));
  for (const problem of problems) {
    const contract = contractOf(problem.file);
    if (contract) {
      contract.problems.push(problem);
      continue;
    }
    const owners = scenarioFiles.filter((s) => s.modules.includes(problem.file));
    if (owners.length === 0 && problem.kind === 'input') {
      // A contract problem named by a file that is no contract of the list (a proto import, a directory).
      contractFiles.push({ file: problem.file, status: 'failed', modules: [problem.file], problems: [problem] });
      continue;
    }
    for (const owner of owners.length ? owners : scenarioFiles.slice(0, 1)) owner.problems.push(problem);
  }
  for (const checked of [...scenarioFiles, ...contractFiles]) {
    checked.status = checked.problems.length ? 'failed' : unchecked.has(checked.file) ? 'skipped' : 'passed';
  }
  return { files: [...files], problems, scenarios: scenarioFiles, contracts: contractFiles };
}

let last = performance.now();
/** With MOCKSTACK_TIMING=1, how long each phase took (stderr). */
function mark(phase: string): void {
  const now = performance.now();
  if (process.env.MOCKSTACK_TIMING) process.stderr.write(`check: ${phase} ${(now - last).toFixed(0)} ms\n`);
  last = now;
}

function defaultScenarios(root: string): string[] {
  const dir = join(root, 'scenarios');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('.'))
    .sort()
    .map((f) => join(dir, f));
}

/** The strict-mode switch, only in check's own program: a service, method, field or operation the contracts lack is a type error. */
const STRICT = "export {};\ndeclare module 'mockstack' {\n  interface Contracts {\n    strict: true;\n  }\n}\n";

/** What the type check found, and which of the user's modules each scenario's program reached. */
interface TypeCheckResult {
  problems: CheckProblem[];
  /** Scenario → the user's modules its program holds (itself included). */
  modules: Map<string, string[]>;
}

/**
 * Type-checks each scenario's whole program (every module it imports) as `tsc -p` would with the
 * scenario's own tsconfig (the nearest one above it: its `types`, `lib`, strictness), plus the
 * generated contract types and the strict switch. Scenarios sharing a tsconfig share one program.
 */
async function typeCheck(files: readonly string[], root: string): Promise<TypeCheckResult> {
  const { Project, ts } = await import('ts-morph');
  mark('import ts-morph');
  const generated = generatedFile({ root });
  const strict = join(dirname(generated), '.strict.d.ts');
  const byConfig = new Map<string, string[]>();
  for (const file of files) {
    const config = ts.findConfigFile(dirname(file), ts.sys.fileExists) ?? '';
    byConfig.set(config, [...(byConfig.get(config) ?? []), file]);
  }
  const problems: CheckProblem[] = [];
  const modules = new Map<string, string[]>();
  const pnp = pnpResolutionHost(ts);
  for (const [config, scenarios] of byConfig) {
    // ts-morph brings TypeScript's lib files; the program is TypeScript's own.
    const project = new Project({
      ...(config ? { tsConfigFilePath: config } : { compilerOptions: { strict: true } }),
      ...(pnp ? { resolutionHost: pnp } : {}),
      skipAddingFilesFromTsConfig: true,
      skipFileDependencyResolution: true,
    });
    for (const file of scenarios) project.addSourceFileAtPath(file);
    if (existsSync(generated)) project.addSourceFileAtPath(generated);
    project.createSourceFile(strict, STRICT, { overwrite: true });
    const program = project.getProgram().compilerObject;
    const options = program.getCompilerOptions();
    const host = project.getModuleResolutionHost();
    // Problems of the config itself; "no inputs found" does not matter, the scenarios are the inputs.
    const diagnostics = program.getConfigFileParsingDiagnostics().filter((d) => d.code !== 18003);
    mark('program');
    diagnostics.push(...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics());
    // Only the user's files: checking the bodies of mockstack's own sources (reached through the
    // monorepo's source condition) would double the time for nothing the user can fix.
    const users = program.getSourceFiles().filter((source) => isUserFile(source.fileName) && !source.isDeclarationFile);
    for (const source of users) diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source));
    for (const scenario of scenarios) modules.set(scenario, reachable(ts, program, scenario, options, host));
    const checker = program.getTypeChecker();
    for (const source of users) problems.push(...excessInExplicitMaps(ts, checker, source));
    for (const diagnostic of diagnostics) {
      const source = diagnostic.file;
      const file = source ? resolve(source.fileName) : config || scenarios[0] || root;
      if (source && !isUserFile(source.fileName)) continue;
      let message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n');
      const start = source && diagnostic.start !== undefined ? (innermost(ts, source, diagnostic.start, message) ?? diagnostic.start) : undefined;
      const position = source && start !== undefined ? source.getLineAndCharacterOfPosition(start) : { line: 0, character: 0 };
      if (diagnostic.code === 2307 && /generated/.test(message[0] ?? '')) {
        message = [`${message[0]}: the generated contract types are missing; run \`mockstack gen\``];
      }
      problems.push({
        file,
        line: position.line + 1,
        column: position.character + 1,
        kind: 'type',
        code: `TS${diagnostic.code}`,
        message:
          notInContract(message, source?.text.slice(diagnostic.start ?? 0, (diagnostic.start ?? 0) + (diagnostic.length ?? 0))) ?? humanize(summarize(message)),
      });
    }
  }
  return { problems, modules };
}

/**
 * Where in an argument TypeScript's elaboration points (`The types of ''pkg.Svc'.Refund.status' are
 * incompatible`) when it reports the whole argument: the position of the innermost property of that
 * path written in the argument (through handlers' returned objects), so the problem is reported at
 * the handler or field, not at the service's call. Undefined when the path is not written there.
 */
function innermost(ts: typeof import('ts-morph').ts, source: import('ts-morph').ts.SourceFile, start: number, lines: readonly string[]): number | undefined {
  const path = lines
    .map((l) =>
      /^\s*(?:The types of '(.+)' are incompatible|Types of property '(.+)' are incompatible|Object literal may only specify known properties, (?:and|but) '([^']+)' does not exist)/.exec(
        l,
      ),
    )
    .flatMap((m) => (m ? [m[1] ?? m[2] ?? m[3] ?? ''] : []))
    .flatMap((p) => [...p.matchAll(/'([^']*)'|([^.]+)/g)].map((n) => n[1] ?? n[2] ?? ''));
  if (path.length === 0) return undefined;
  // The argument TypeScript reports: a service's map, or a rule's static answer or handler.
  const argument = (node: import('ts-morph').ts.Node) =>
    ts.isObjectLiteralExpression(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isCallExpression(node);
  const at = (node: import('ts-morph').ts.Node): import('ts-morph').ts.Node | undefined =>
    node.getStart(source) === start && argument(node) ? node : ts.forEachChild(node, at);
  let node: import('ts-morph').ts.Node | undefined = at(source);
  let found: number | undefined;
  for (const name of path) {
    const property = (node ? answerObjects(ts, node) : [])
      .flatMap((object) => object.properties)
      .find((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text === name : p.name.getText(source) === name));
    if (!property?.name) break;
    found = property.name.getStart(source);
    node = ts.isPropertyAssignment(property) ? property.initializer : undefined;
  }
  return found;
}

type Ts = typeof import('ts-morph').ts;

/**
 * Fields the contract lacks in the objects that handlers of `grpc<State>(…)` and `graphql<State>(…)`
 * maps return. The DSL's types make answers exact by inferring the map, which a call giving its
 * type arguments turns off (TypeScript infers none of the rest), and TypeScript checks no excess
 * properties in what a function returns: check does it here, for each returned object literal,
 * against the type the handler is expected to answer (at any depth).
 */
function excessInExplicitMaps(ts: Ts, checker: import('ts-morph').ts.TypeChecker, source: import('ts-morph').ts.SourceFile): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const visit = (node: import('ts-morph').ts.Node): void => {
    if (ts.isCallExpression(node) && node.typeArguments?.length && ts.isIdentifier(node.expression) && /^(grpc|graphql)$/.test(node.expression.text)) {
      const map = node.arguments[1];
      if (map && ts.isObjectLiteralExpression(map)) {
        for (const group of map.properties) {
          if (!ts.isPropertyAssignment(group) || !ts.isObjectLiteralExpression(group.initializer)) continue;
          for (const entry of group.initializer.properties) {
            const handler = ts.isPropertyAssignment(entry) ? entry.initializer : undefined;
            if (!handler || !(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler))) continue;
            for (const object of answerObjects(ts, handler)) problems.push(...excessProperties(ts, checker, source, object));
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

/** Properties of an object literal that no object type it is expected to be has, and so on into its nested literals. */
function excessProperties(
  ts: Ts,
  checker: import('ts-morph').ts.TypeChecker,
  source: import('ts-morph').ts.SourceFile,
  object: import('ts-morph').ts.ObjectLiteralExpression,
): CheckProblem[] {
  const expected = checker.getContextualType(object);
  if (!expected) return [];
  const members = (expected.isUnion() ? expected.types : [expected]).filter(
    (t) => t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection) && !checker.isArrayLikeType(t),
  );
  // Untyped or open (an index signature) answers take any field.
  if (members.length === 0 || members.some((t) => t.getStringIndexType() || checker.getIndexInfosOfType(t).length > 0)) return [];
  const known = new Set(members.flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.getName())));
  const problems: CheckProblem[] = [];
  for (const property of object.properties) {
    if (!property.name || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) continue;
    const name = property.name.text;
    if (!known.has(name)) {
      const at = source.getLineAndCharacterOfPosition(property.name.getStart(source));
      problems.push({
        file: resolve(source.fileName),
        line: at.line + 1,
        column: at.character + 1,
        kind: 'type',
        code: 'TS2353',
        message: `'${name}' is not in the contract: the contract has no such field, method or type; fix the spelling or the contract, then run \`mockstack gen\``,
      });
      continue;
    }
    if (!ts.isPropertyAssignment(property)) continue;
    const value = property.initializer;
    const nested = ts.isArrayLiteralExpression(value)
      ? value.elements.filter(ts.isObjectLiteralExpression)
      : ts.isObjectLiteralExpression(value)
        ? [value]
        : [];
    for (const inner of nested) problems.push(...excessProperties(ts, checker, source, inner));
  }
  return problems;
}

/** The object literals a value is, or a handler returns (its expression body, or its returned objects; both branches of a `?:`). */
function answerObjects(ts: typeof import('ts-morph').ts, node: import('ts-morph').ts.Node): import('ts-morph').ts.ObjectLiteralExpression[] {
  let value = node;
  while (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isSatisfiesExpression(value)) value = value.expression;
  if (ts.isObjectLiteralExpression(value)) return [value];
  if (ts.isConditionalExpression(value)) return [...answerObjects(ts, value.whenTrue), ...answerObjects(ts, value.whenFalse)];
  if (ts.isCallExpression(value)) return value.arguments[0] ? answerObjects(ts, value.arguments[0]) : [];
  if (!ts.isArrowFunction(value) && !ts.isFunctionExpression(value)) return [];
  if (!ts.isBlock(value.body)) return answerObjects(ts, value.body);
  const returned: import('ts-morph').ts.ObjectLiteralExpression[] = [];
  const visit = (n: import('ts-morph').ts.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) returned.push(...answerObjects(ts, n.expression));
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(value.body, visit);
  return returned;
}

/** The user's modules a scenario's program reaches through its imports, itself first. */
function reachable(
  ts: typeof import('ts-morph').ts,
  program: import('ts-morph').ts.Program,
  entry: string,
  options: import('ts-morph').ts.CompilerOptions,
  host: import('ts-morph').ts.ModuleResolutionHost,
): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = program.getSourceFile(file);
    if (!source) continue;
    for (const statement of source.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier
          : undefined;
      if (!specifier) continue;
      const mode = ts.getModeForUsageLocation(source, specifier, options);
      const resolved = ts.resolveModuleName(specifier.text, source.fileName, options, host, undefined, undefined, mode).resolvedModule?.resolvedFileName;
      if (resolved && isUserFile(resolved) && !resolved.endsWith('.d.ts')) queue.push(resolve(resolved));
    }
  }
  return [...seen];
}

function isUserFile(file: string): boolean {
  return !file.includes('/node_modules/') && !isMockstackSource(file);
}

const ownPackages = new Map<string, boolean>();

/** True for mockstack's own sources (reached through the `@mockstack/source` condition in its monorepo): not the user's to fix. */
function isMockstackSource(file: string): boolean {
  let dir = dirname(file);
  while (dir !== dirname(dir)) {
    const known = ownPackages.get(dir);
    if (known !== undefined) return known;
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name ?? '';
      const own = name === 'mockstack' || name.startsWith('@mockstack/');
      ownPackages.set(dir, own);
      return own;
    }
    dir = dirname(dir);
  }
  return false;
}

/**
 * An answer, service, method, type or field the contract lacks (the DSL's `NotInContract`), said so:
 * `'paymentID' is not in the contract (at Capture.paymentID)`. Undefined for other messages.
 */
function notInContract(lines: readonly string[], span: string | undefined): string | undefined {
  if (!lines.some((l) => /is not assignable to type '(?:[^']* & )?NotInContract'/.test(l))) return undefined;
  const path = lines
    .map((l) =>
      /(?:The types of '(.+)' are incompatible|Types of property '(.+)' are incompatible|The types returned by '(.+)\(\.\.\.\)' are incompatible)/.exec(
        l.trim(),
      ),
    )
    .flatMap((m) => (m ? [m[1] ?? m[2] ?? m[3] ?? ''] : []));
  const named = path.at(-1) ?? span?.replace(/^['"]|['"]$/g, '') ?? 'this name';
  return `'${named}' is not in the contract${path.length > 1 ? ` (at ${path.join('.')})` : ''}: the contract has no such field, method or type; fix the spelling or the contract, then run \`mockstack gen\``;
}

/** TypeScript's elaboration, shortened to the first line and the innermost reason (what the contract expects). */
function summarize(lines: readonly string[]): string {
  const trimmed = lines.map((l) => l.trim()).filter(Boolean);
  if (trimmed.length <= 2) return trimmed.join(': ');
  // Where in the value the mismatch is: `'checkout.payments.v1.PaymentService'.Capture.paymentId`.
  const path = trimmed
    .map((l) => /^(?:The types of '(.+)'|Types of property '(.+)') are incompatible/.exec(l))
    .flatMap((m) => (m ? [m[1] ?? m[2] ?? ''] : []))
    .join('.');
  const reason = trimmed.at(-1) ?? '';
  return path ? `at ${path}: ${reason}` : `${trimmed[0]} … ${reason}`;
}

/** The DSL's own type names, which say nothing to the author of a scenario. */
const INTERNAL =
  /\b(?:TypedReply|StreamReply|Control|MaybePromise|FallThrough|Fault|Sequence|Pause|RestOperationContext|RestOperationAnswer|RestOperationResponder|GrpcContext|GrpcMethodResponder|GraphqlContext|TypedGrpcServices|TypedResolvers|TypedFieldResponder|RuleOf|RestRuleOf|bivarianceHack|Exact\w*|NoExtra\w*)\b|=>/;

/**
 * A TypeScript message in the words of the scenario and its contracts: generated proto type names
 * as the proto spells them (`checkout.payments.v1.Payment`), and of a union of what a handler may
 * answer only the contract's own types (not the DSL's function, reply and fault types).
 */
export function humanize(message: string): string {
  const named = message.replace(/\b((?:[a-z][a-z0-9]*_)+[A-Z][A-Za-z0-9]*(?:_[A-Z][A-Za-z0-9]*)*)(?:__Output)?\b/g, (_, name: string) =>
    name.replace(/_/g, '.'),
  );
  return named.replace(/'((?:[^'\n]|'(?=[^\s.,:;)]))+)'(?=[\s.,:;)]|$)/g, (whole, type: string) => {
    if (!INTERNAL.test(type)) return whole;
    const kept = splitUnion(type)
      .map((member) => unwrapReply(member))
      .filter((member) => !INTERNAL.test(member) && member !== 'undefined');
    return kept.length ? `'${[...new Set(kept)].join(' | ')}'` : "the contract's type";
  });
}

/** `TypedReply<Body, 404>` → `Body`. */
function unwrapReply(member: string): string {
  const m = /^(?:TypedReply|StreamReply)<(.*)>$/.exec(member.trim());
  return m?.[1] ? (splitTopLevel(m[1], ',')[0] ?? member).trim() : member.trim();
}

function splitUnion(type: string): string[] {
  return splitTopLevel(type, '|')
    .map((m) => m.trim())
    .filter(Boolean);
}

/** Splits at `separator` outside brackets, parentheses, braces and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === '`') quote = c;
    else if ('<([{'.includes(c)) depth++;
    else if ('>)]}'.includes(c) && !(c === '>' && text[i - 1] === '=')) depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function where(source: SourceLocation | undefined, file: string): Pick<CheckProblem, 'file' | 'line' | 'column'> {
  return { file: source?.file ?? file, line: source?.line ?? 1, column: source?.column ?? 1 };
}

function fromProblem(problem: Problem, file: string, code: string = ErrorCode.ScenarioCompile): CheckProblem {
  const at = where(problem.source, file);
  return { ...at, kind: 'contract', code, message: withoutLocation(problem.message.replace(/\s*\n\s*/g, ' '), at.file) };
}

/** `protos/payments.proto:32:1: x` → `x`: the location is printed once, from the problem's own fields. */
function withoutLocation(message: string, file: string): string {
  const name = escapeRegExp(basename(file));
  return message.replace(new RegExp(`^\\S*${name}(?::\\d+){0,2}: `), '');
}

function fromError(error: unknown, kind: CheckProblem['kind'], file: string): CheckProblem[] {
  if (error instanceof MockstackError && error.problems.length) return error.problems.map((p) => ({ ...fromProblem(p, file, error.code), kind }));
  return [fromSingleError(error, kind, file)];
}

function fromSingleError(error: unknown, kind: CheckProblem['kind'], file: string): CheckProblem {
  if (error instanceof MockstackError) {
    const at = where(error.source, file);
    return { ...at, kind, code: error.code, message: withoutLocation(error.message.replace(/\s*\n\s*/g, ' '), at.file) };
  }
  return { file, line: 1, column: 1, kind, code: 'MOCKSTACK_ERR_CHECK', message: String((error as Error)?.message ?? error) };
}

function dedupe(problems: readonly CheckProblem[]): CheckProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function rel(file: string): string {
  return relative(process.cwd(), file) || file;
}

/** `file:line:col: message`, one line per problem, paths relative to cwd. */
export function formatText(problems: readonly CheckProblem[]): string {
  return problems.map((p) => `${rel(p.file)}:${p.line}:${p.column}: ${p.message}`).join('\n');
}

export function formatJson(result: CheckResult): string {
  const entry = (c: CheckedFile) => ({ file: rel(c.file), status: c.status, problems: c.problems.length });
  return JSON.stringify(
    {
      ok: result.problems.length === 0 && result.scenarios.every((s) => s.status === 'passed'),
      files: result.files.map(rel),
      scenarios: result.scenarios.map(entry),
      contracts: result.contracts.map(entry),
      problems: result.problems.map((p) => ({ ...p, file: rel(p.file) })),
    },
    null,
    2,
  );
}

/**
 * JUnit XML: one test case per scenario (failing on a problem in it or in a module it imports) and
 * one per contract (failing when it does not load); a scenario left unchecked is `skipped`.
 */
export function formatJunit(result: CheckResult): string {
  const esc = (s: string) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/gu, '');
  const testcase = (classname: string, checked: CheckedFile): string => {
    const body =
      checked.status === 'skipped'
        ? ['    <skipped message="not checked: a contract did not load (see the contract test cases)"/>']
        : checked.problems.map(
            (p) => `    <failure message="${esc(p.message)}" type="${esc(p.code)}">${esc(`${rel(p.file)}:${p.line}:${p.column}: ${p.message}`)}</failure>`,
          );
    const open = `  <testcase classname="${classname}" name="${esc(rel(checked.file))}" file="${esc(rel(checked.file))}"`;
    return body.length ? `${open}>\n${body.join('\n')}\n  </testcase>` : `${open}/>`;
  };
  const cases = [
    ...result.scenarios.map((s) => testcase('mockstack.check.scenario', s)),
    ...result.contracts.map((c) => testcase('mockstack.check.contract', c)),
  ];
  const all = [...result.scenarios, ...result.contracts];
  const failures = all.filter((c) => c.status === 'failed').length;
  const skipped = all.filter((c) => c.status === 'skipped').length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mockstack check" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}">\n<testsuite name="mockstack check" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${cases.join('\n')}\n</testsuite>\n</testsuites>\n`;
}
