import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { compile, ErrorCode, MockstackError, type Problem, type SourceLocation } from '@mockstack/core';
import { loadSchema } from '@mockstack/graphql/schema';
import { adapters, lenientDefinition, loadScenario } from '@mockstack/runner';
import { generate, generatedFile, isStale } from './generate.js';
import { checkStaticResponses } from './static-responses.js';

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
}

export interface CheckResult {
  files: string[];
  problems: CheckProblem[];
  /** Contract problems the check went on despite (lenient mode, on the command line or per service). */
  warnings: string[];
}

/**
 * Type-checks scenarios with ts-morph (in strict contract mode: a name the contracts lack is a
 * type error) and validates every static response of their compiled models against the
 * contracts. Regenerates the contract types first when a contract is newer.
 */
export async function check(paths: readonly string[], options: CheckOptions = {}): Promise<CheckResult> {
  const root = resolve(options.root ?? process.cwd());
  const files = (paths.length ? paths : defaultScenarios(root)).map((p) => resolve(p));
  const problems: CheckProblem[] = [];
  const warnings = new Set<string>();

  if (isStale({ root })) {
    try {
      for (const warning of (await generate({ root, lenient: options.lenient })).warnings) warnings.add(warning);
    } catch (error) {
      problems.push(...fromError(error, 'input', join(root, 'protos')));
      return { files, problems, warnings: [...warnings] };
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
  if (scenarios.length === 0) return { files, problems, warnings: [...warnings] };

  mark('generate');
  // esbuild bundles the scenarios in its own process while TypeScript checks them here.
  const loads = scenarios.map((file) =>
    loadScenario(file).then(
      (loaded) => ({ loaded }),
      (error: unknown) => ({ error }),
    ),
  );
  problems.push(...(await typeCheck(scenarios, root)));
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
      model = await compile(options.lenient ? lenientDefinition(loaded.definition) : loaded.definition, { adapters, file });
    } catch (error) {
      problems.push(...fromError(error, 'contract', file));
      continue;
    }
    for (const service of model.services.values()) {
      if (service.protocol !== 'graphql') continue;
      for (const warning of loadSchema(service, model).warnings ?? []) warnings.add(`service "${service.name}": ${warning}`);
    }
    mark('load + compile');
    for (const violation of await checkStaticResponses(model)) {
      problems.push({ ...where(violation.source, file), kind: 'contract', code: ErrorCode.ContractViolation, message: violation.message });
    }
  }
  mark('static responses');
  const sorted = dedupe(problems).sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
  return { files, problems: sorted, warnings: [...warnings] };
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

async function typeCheck(files: readonly string[], root: string): Promise<CheckProblem[]> {
  const { Project, ts } = await import('ts-morph');
  mark('import ts-morph');
  const scenariosConfig = join(root, 'scenarios', 'tsconfig.json');
  const rootConfig = join(root, 'tsconfig.json');
  const project = new Project({
    ...(existsSync(scenariosConfig) ? { tsConfigFilePath: scenariosConfig } : existsSync(rootConfig) ? { tsConfigFilePath: rootConfig } : {}),
    skipAddingFilesFromTsConfig: true,
    compilerOptions: { types: [], noEmit: true },
  });
  for (const file of files) project.addSourceFileAtPath(file);
  const generated = generatedFile({ root });
  if (existsSync(generated)) project.addSourceFileAtPath(generated);
  project.createSourceFile(join(dirname(generated), '.strict.d.ts'), STRICT, { overwrite: true });
  const out: CheckProblem[] = [];
  mark('program');
  // Only the user's files: checking the bodies of mockstack's own sources (reached through the
  // monorepo's source condition) would double the time for nothing the user can fix.
  const program = project.getProgram();
  const diagnostics = [...program.getConfigFileParsingDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const source of project.getSourceFiles()) {
    const path = source.getFilePath();
    if (path.includes('/node_modules/') || source.isDeclarationFile() || isMockstackSource(path)) continue;
    diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source));
  }
  for (const diagnostic of diagnostics) {
    const source = diagnostic.getSourceFile();
    const file = source?.getFilePath() ?? files[0] ?? root;
    if (file.includes('/node_modules/') || isMockstackSource(file)) continue;
    const start = diagnostic.getStart() ?? 0;
    const position = source ? source.getLineAndColumnAtPos(start) : { line: 1, column: 1 };
    let message = ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, '\n').split('\n');
    const code = diagnostic.getCode();
    if (code === 2307 && /generated/.test(message[0] ?? '')) message = [`${message[0]}: the generated contract types are missing; run \`mockstack gen\``];
    out.push({ file, line: position.line, column: position.column, kind: 'type', code: `TS${code}`, message: summarize(message) });
  }
  return out;
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

function where(source: SourceLocation | undefined, file: string): Pick<CheckProblem, 'file' | 'line' | 'column'> {
  return { file: source?.file ?? file, line: source?.line ?? 1, column: source?.column ?? 1 };
}

function fromProblem(problem: Problem, file: string, code: string = ErrorCode.ScenarioCompile): CheckProblem {
  return { ...where(problem.source, file), kind: 'contract', code, message: problem.message.replace(/\s*\n\s*/g, ' ') };
}

function fromError(error: unknown, kind: CheckProblem['kind'], file: string): CheckProblem[] {
  if (error instanceof MockstackError && error.problems.length) return error.problems.map((p) => ({ ...fromProblem(p, file, error.code), kind }));
  return [fromSingleError(error, kind, file)];
}

function fromSingleError(error: unknown, kind: CheckProblem['kind'], file: string): CheckProblem {
  if (error instanceof MockstackError) {
    return { ...where(error.source, file), kind, code: error.code, message: error.message.replace(/\s*\n\s*/g, ' ') };
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
  return JSON.stringify(
    { ok: result.problems.length === 0, files: result.files.map(rel), problems: result.problems.map((p) => ({ ...p, file: rel(p.file) })) },
    null,
    2,
  );
}

/** JUnit XML: one test case per scenario, one failure per problem. */
export function formatJunit(result: CheckResult): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  // Problems in files a scenario imports (scenarios/checkout/payments.ts) go to the first scenario.
  const cases = result.files.map((file, index) => {
    const mine = result.problems.filter((p) => p.file === file || (index === 0 && !result.files.includes(p.file)));
    const failures = mine.map(
      (p) => `    <failure message="${esc(p.message)}" type="${esc(p.code)}">${esc(`${rel(p.file)}:${p.line}:${p.column}: ${p.message}`)}</failure>`,
    );
    return `  <testcase classname="mockstack.check" name="${esc(rel(file))}">\n${failures.join('\n')}${failures.length ? '\n' : ''}  </testcase>`;
  });
  const failures = result.problems.length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="mockstack check" tests="${result.files.length}" failures="${failures}">\n${cases.join('\n')}\n</testsuite>\n`;
}
