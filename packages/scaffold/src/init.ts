import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ErrorCode, MockstackError, projectRoot } from '@mockstack/core';
import { type ContractPlan, readContracts, type Stub } from './contracts.js';

export interface InitOptions {
  /** Contract files or directories (default: `protos/` and `schemas/` under the root, those that exist). */
  contracts?: readonly string[] | undefined;
  /** The scenario's name (default: the output file's name, else `mocks`). */
  name?: string | undefined;
  /** Where to write (default `scenarios/<name>.ts` under the root). */
  out?: string | undefined;
  /** First port; the services get consecutive ones in the order written (default 4010). */
  basePort?: number | undefined;
  /** Overwrite an existing file. */
  force?: boolean | undefined;
  /** Project root for the defaults (default: cwd). */
  root?: string | undefined;
  /** Where proto imports are looked up. */
  includeDirs?: readonly string[] | undefined;
  /** Accept contracts with small validity problems: the written REST and GraphQL services set `lenient: true` (warning about each problem when served). */
  lenient?: boolean | undefined;
}

export interface InitResult {
  /** The written file (absolute). */
  file: string;
  name: string;
  services: { name: string; protocol: ContractPlan['protocol']; contract: string; port: number; handlers: number }[];
}

/**
 * Writes a scenario module from contracts: one service per contract, one handler stub per
 * operation (gRPC method, GraphQL Query/Mutation field, OpenAPI operation) answering the
 * contract's auto-mock through `fallThrough()` until edited, a state skeleton and a commented
 * variant. Never overwrites an existing file unless `force`.
 */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const root = resolve(options.root ?? process.cwd());
  const inputs = options.contracts?.length ? [...options.contracts] : ['protos', 'schemas'].map((d) => join(root, d)).filter((d) => existsSync(d));
  if (inputs.length === 0) {
    throw new MockstackError(
      ErrorCode.InitNoContracts,
      `no contracts: ${root} has no protos/ or schemas/ directory; name the contracts (mockstack init schemas/api.yaml protos/payments.proto)`,
    );
  }
  const name = cleanName(options.name ?? (options.out ? basename(options.out, extname(options.out)) : 'mocks'));
  const file = resolve(root, options.out ?? join('scenarios', `${name}.ts`));
  if (existsSync(file) && !options.force) {
    throw new MockstackError(
      ErrorCode.InitFileExists,
      `${relative(process.cwd(), file) || file} already exists; pass --force to overwrite it, or --out another path`,
    );
  }
  const plans = await readContracts(inputs, { includeDirs: options.includeDirs, lenient: options.lenient });
  if (plans.length === 0) {
    throw new MockstackError(
      ErrorCode.InitNoContracts,
      `no contracts found in ${inputs.map((i) => relative(process.cwd(), i) || i).join(', ')} (.proto, .graphql/.gql, OpenAPI 3 .json/.yaml)`,
    );
  }
  const basePort = options.basePort ?? 4010;
  const { text, services } = await render(name, file, plans, basePort, options.lenient === true);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return { file, name, services };
}

function cleanName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'mocks';
}

/** A string literal in TypeScript. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A property name: bare when it is an identifier, quoted otherwise. */
function prop(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

function camel(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  const id = joined || 'service';
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

function pascal(text: string): string {
  const id = camel(text).replace(/^_/, '');
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/** How the scenario names a contract file: from the project root (nearest package.json) when inside it, else its absolute path. */
function contractPath(file: string, scenario: string): string {
  const fromRoot = relative(projectRoot(dirname(scenario)), file);
  const path = fromRoot.startsWith('..') || isAbsolute(fromRoot) ? file : fromRoot;
  return path.split(sep).join('/');
}

async function render(name: string, scenarioFile: string, plans: readonly ContractPlan[], basePort: number, lenient: boolean) {
  const { Project, QuoteKind, VariableDeclarationKind } = await import('ts-morph');
  const stateType = `${pascal(name)}State`;
  const taken = new Set<string>();
  const services = plans.map((plan, i) => {
    let key = camel(plan.name);
    for (let n = 2; taken.has(key); n++) key = `${camel(plan.name)}${n}`;
    taken.add(key);
    return { key, plan, port: basePort + i };
  });
  const used = new Set<string>(['fallThrough', 'scenario', ...plans.map((p) => p.protocol)]);

  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
  const source = project.createSourceFile('/scenario.ts', '');
  source.addStatements([
    `/**\n * Scenario "${name}", written by \`mockstack init\` from ${plans.length} contract(s). Every handler lets the contract's\n * auto-mock answer (\`fallThrough()\`) until you edit it: return a value, \`respond(…)\` or a \`fault.*\` instead.\n *\n *   npx mockstack up ${relPosix(scenarioFile)}\n *   npx mockstack check ${relPosix(scenarioFile)}\n */`,
  ]);
  source.addImportDeclaration({ moduleSpecifier: 'mockstack', namedImports: [...used].sort() });
  source.addInterface({
    name: stateType,
    isExported: true,
    docs: ['What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`.'],
    properties: [
      { name: 'calls', type: 'Record<string, number>', docs: ['Calls per operation, counted by `answer` below: replace with your own data (orders, users…).'] },
    ],
  });
  source.addFunction({
    name: 'seedState',
    isExported: true,
    docs: ['The state at start and after every reset.'],
    returnType: stateType,
    statements: 'return { calls: {} };',
  });
  source.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise."],
    declarations: [
      {
        name: 'answer',
        initializer: `(state: ${stateType}, operation: string) => {\n  state.calls[operation] = (state.calls[operation] ?? 0) + 1;\n  return fallThrough();\n}`,
      },
    ],
  });
  const entries = services.map(({ key, plan, port }) => `${prop(key)}: ${serviceCode(plan, port, stateType, scenarioFile, lenient)}`);
  const first = services[0];
  const variant = first
    ? first.plan.protocol === 'grpc'
      ? `// '${first.key}-down': { ${prop(first.key)}: fault.grpc('UNAVAILABLE', '${first.key} is down') },`
      : `// '${first.key}-down': { ${prop(first.key)}: fault.unavailable('${first.key} is down', { retryAfter: 30 }) },`
    : '';
  source.addStatements([
    `export default scenario<${stateType}>(${quote(name)}, { seed: 1, state: seedState })\n  .services({\n${entries.join(',\n')},\n  })\n  .variants({\n    // A variant changes services while it is active (\`mockstack up … --variant ${first?.key ?? 'name'}-down\`, the admin API, tests).\n    // Add \`fault\` to the import above, then:\n    ${variant}\n  });`,
  ]);
  source.formatText({ indentSize: 2, convertTabsToSpaces: true, semicolons: 'insert' as never });
  const text = source.getFullText().replace(/;\nexport default/, ';\n\nexport default');
  return {
    text: text.endsWith('\n') ? text : `${text}\n`,
    services: services.map(({ key, plan, port }) => ({ name: key, protocol: plan.protocol, contract: plan.file, port, handlers: plan.stubs.length })),
  };
}

function relPosix(file: string): string {
  return (relative(process.cwd(), file) || file).split(sep).join('/');
}

function serviceCode(plan: ContractPlan, port: number, stateType: string, scenarioFile: string, lenient: boolean): string {
  const path = quote(contractPath(plan.file, scenarioFile));
  const loose = lenient ? ', lenient: true' : '';
  if (plan.protocol === 'grpc') {
    // The proto's own directory is always searched; other import roots are written out.
    const dirs = plan.includeDirs.filter((d) => d !== dirname(plan.file)).map((d) => quote(contractPath(d, scenarioFile) || '.'));
    const options = `{ port: ${port}, proto: ${path}${dirs.length ? `, includeDirs: [${dirs.join(', ')}]` : ''} }`;
    const byService = new Map<string, Stub[]>();
    for (const stub of plan.stubs) if (stub.kind === 'grpc') byService.set(stub.service, [...(byService.get(stub.service) ?? []), stub]);
    const body = [...byService].map(
      ([service, stubs]) =>
        `${quote(service)}: {\n${stubs
          .map((s) =>
            s.kind === 'grpc' ? `${grpcComment(s.streaming)}${prop(s.method)}: ({ state }) => answer(state, ${quote(`${service}/${s.method}`)}),` : '',
          )
          .join('\n')}\n},`,
    );
    return `grpc<${stateType}>(${options}, {\n${body.join('\n')}\n})`;
  }
  if (plan.protocol === 'graphql') {
    const byType = new Map<string, string[]>();
    for (const stub of plan.stubs) if (stub.kind === 'graphql') byType.set(stub.type, [...(byType.get(stub.type) ?? []), stub.field]);
    const body = [...byType].map(
      ([type, fields]) =>
        `${prop(type)}: {\n${fields.map((f) => `${prop(f)}: (_parent, _args, { state }) => answer(state, ${quote(`${type}.${f}`)}),`).join('\n')}\n},`,
    );
    return `graphql<${stateType}>({ port: ${port}, schema: ${path}${loose} }, {\n${body.join('\n')}\n})`;
  }
  const routes = plan.stubs.map((s) =>
    s.kind === 'openapi'
      ? `rest.operation(${quote(s.operationId)}, ({ state }) => answer(state, ${quote(s.operationId)})),`
      : s.kind === 'route'
        ? `rest.${s.method.toLowerCase()}(${quote(s.route)}, ({ state }) => answer(state, ${quote(`${s.method} ${s.route}`)})),`
        : '',
  );
  return `rest<${stateType}>({ port: ${port}, openapi: ${path}${loose} }, [\n${routes.join('\n')}\n])`;
}

function grpcComment(kind: string): string {
  if (kind === 'server-streaming') return '// server streaming: return a list of messages or grpc.stream([…], { interval }) to answer yourself\n';
  if (kind === 'bidi') return '// bidi streaming: `for await (const m of incoming) write(…)` to answer yourself\n';
  return '';
}
