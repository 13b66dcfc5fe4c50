import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type Adapter, ErrorCode, MockstackError, projectRoot } from '@mockstack/core';
import { contractKindsOf, describeKinds } from '@mockstack/core/contract-files';
import { prop, quote } from '@mockstack/core/tooling';
import { adaptersWith } from '@mockstack/runner';
import { type ContractPlan, readContracts } from './contracts.js';

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
  /** Protocols besides the built-in ones (see `RunOptions.protocols`): services are written for their contracts too. */
  protocols?: readonly Adapter[] | undefined;
}

export interface InitResult {
  /** The written file (absolute). */
  file: string;
  name: string;
  services: { name: string; protocol: string; contract: string; port: number; handlers: number }[];
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
  const plans = await readContracts(inputs, { includeDirs: options.includeDirs, lenient: options.lenient, protocols: options.protocols });
  if (plans.length === 0) {
    throw new MockstackError(
      ErrorCode.InitNoContracts,
      `no contracts found in ${inputs.map((i) => relative(process.cwd(), i) || i).join(', ')} (${describeKinds(contractKindsOf(adaptersWith(options.protocols)))})`,
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
  // What the services' code imports, by module; `mockstack` gives the scenario's own helpers too.
  const imports = new Map<string, Set<string>>([['mockstack', new Set(['fallThrough', 'scenario'])]]);
  for (const { service } of plans) {
    for (const { from, names } of service.imports) imports.set(from, new Set([...(imports.get(from) ?? []), ...names]));
  }

  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
  const source = project.createSourceFile('/scenario.ts', '');
  source.addStatements([
    `/**\n * Scenario "${name}", written by \`mockstack init\` from ${plans.length} contract(s). Every handler lets the contract's\n * auto-mock answer (\`fallThrough()\`) until you edit it: return a value, \`respond(…)\` or a \`fault.*\` instead.\n *\n *   npx mockstack up ${relPosix(scenarioFile)}\n *   npx mockstack check ${relPosix(scenarioFile)}\n */`,
  ]);
  for (const [from, names] of imports) source.addImportDeclaration({ moduleSpecifier: from, namedImports: [...names].sort() });
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
  const contractPathOf = (file: string) => contractPath(file, scenarioFile);
  const entries = services.map(({ key, plan, port }) => `${prop(key)}: ${plan.service.code({ port, stateType, contractPath: contractPathOf, lenient })}`);
  const first = services[0];
  const down = first?.plan.service.downFault?.(first.key) ?? `fault.unavailable('${first?.key} is down', { retryAfter: 30 })`;
  const variant = first ? `// '${first.key}-down': { ${prop(first.key)}: ${down} },` : '';
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
