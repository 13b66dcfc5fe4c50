import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { ErrorCode, MockstackError } from '@mockstack/core';
import { runScenario } from '@mockstack/runner';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger, type LogFormat } from './request-logger.js';
import { printServiceTable } from './service-table.js';

export interface MainOptions {
  /** What `--version` prints: the installed mockstack's version (default: this package's). */
  version?: string | undefined;
}

/** Runs the CLI with these arguments; resolves to the exit code (servers keep `up` alive). */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('mockstack')
    .description('Mock servers for REST, GraphQL and gRPC from one typed TypeScript scenario')
    .version(options.version ?? ownVersion(), '-v, --version', 'print the version of mockstack')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('up')
    .description('serve a scenario and/or contracts: every service, the admin API, until Ctrl-C')
    .argument('<files...>', 'a scenario module (scenarios/checkout.ts) and/or contracts served zero-config (.proto, .graphql; file:port picks a port)')
    .option('--variant <names>', 'activate variants at start (comma-separated)', list)
    .option('--seed <n>', "override the scenario's seed", integer)
    .option('--host <host>', 'host every service binds to', '127.0.0.1')
    .option('--random-ports', 'serve every service on a free port')
    .option('--admin-port <port>', 'admin API port (0 = free port)', integer, 9900)
    .option('--admin-host <host>', 'admin API host (loopback unless told)', '127.0.0.1')
    .option('--no-admin', 'do not start the admin API')
    .option('--watch', 'reload the scenario and its imports on change')
    .option('--quiet', 'no line per request')
    .option('--log-format <format>', 'text or json', logFormat, 'text' as LogFormat)
    .option('--ready-file <path>', 'write the addresses as JSON to this file once every service listens')
    .option('--include-dir <dir>', 'where proto imports are looked up (repeatable)', collect)
    .option('--lenient', 'load OpenAPI documents and GraphQL SDL with small validity problems, warning about each, instead of failing')
    .action(async (files: string[], options: UpOptions) => {
      exitCode = await up(files, options);
    });

  program
    .command('init')
    .description('write a scenario module from contracts: one service per contract, one handler stub per operation (auto-mocked until edited)')
    .argument('[contracts...]', 'contract files or directories (default protos/ and schemas/)')
    .option('--name <name>', 'scenario name (default: the output file name, else mocks)')
    .option('--out <file>', 'where to write (default scenarios/<name>.ts)')
    .option('--base-port <port>', 'first port; services get consecutive ones', integer, 4010)
    .option('--include-dir <dir>', 'where proto imports are looked up (repeatable)', collect)
    .option('--lenient', 'accept contracts with small validity problems (the scenario serves them with lenient: true, warning about each)')
    .option('--force', 'overwrite the output file if it exists')
    .action(async (contracts: string[], options: InitCommandOptions) => {
      exitCode = await runInit(contracts, options);
    });

  program
    .command('variant')
    .description('switch the variants of a running stack through its admin API')
    .argument('[names...]', 'variants to activate (none: turn all off)')
    .option('--admin <url>', 'admin API URL', 'http://127.0.0.1:9900/__admin')
    .action(async (names: string[], options: { admin: string }) => {
      exitCode = await switchVariants(names, options.admin);
    });

  program
    .command('gen')
    .description('write TypeScript types for protos/ and schemas/ that type every handler (scenarios/generated/contracts.d.ts)')
    .option('--root <dir>', 'project root holding protos/ and schemas/', '.')
    .option('--out <dir>', 'output directory (default scenarios/generated)')
    .option('--include-dir <dir>', 'where proto imports are looked up (repeatable)', collect)
    .action(async (options: { root: string; out?: string; includeDir?: string[] }) => {
      const { runGen } = await import('./contracts.js');
      exitCode = await runGen(options);
    });

  program
    .command('check')
    .description('type-check scenarios and validate their static responses against their contracts; exit 1 on any problem')
    .argument('[scenarios...]', 'scenario modules (default scenarios/*.ts)')
    .option('--format <format>', 'text, json or junit', 'text')
    .option('--root <dir>', 'project root holding protos/ and schemas/', '.')
    .action(async (files: string[], options: { format: string; root: string }) => {
      const { runCheck } = await import('./contracts.js');
      exitCode = await runCheck(files, options);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('commander.')) {
      const code = (error as { exitCode?: number }).exitCode ?? 1;
      return code;
    }
    console.error(error instanceof MockstackError ? error.format() : error);
    return 1;
  }
  return exitCode;
}

function ownVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

interface UpOptions {
  variant?: string[];
  seed?: number;
  host: string;
  randomPorts?: boolean;
  adminPort: number;
  adminHost: string;
  admin: boolean;
  watch?: boolean;
  quiet?: boolean;
  logFormat: LogFormat;
  readyFile?: string;
  includeDir?: string[];
  lenient?: boolean;
}

async function up(files: string[], options: UpOptions): Promise<number> {
  const file = files.join(' ');
  const started = performance.now();
  const logger = createLogger({ format: options.logFormat, quiet: Boolean(options.quiet) });
  let running: Awaited<ReturnType<typeof runScenario>>;
  // Contract types go stale when a contract changes; only projects that ran `mockstack gen` pay for the check.
  if (existsSync(join('scenarios', 'generated', 'contracts.d.ts'))) {
    const { isStale } = await import('@mockstack/contracts/contract-files');
    if (isStale()) {
      const { regenerateIfStale } = await import('./contracts.js');
      await regenerateIfStale((message) => logger.warn(message));
    }
  }
  try {
    running = await runScenario(files, {
      includeDirs: options.includeDir,
      lenient: options.lenient,
      variants: options.variant,
      seed: options.seed,
      host: options.host,
      randomPorts: options.randomPorts,
      adminPort: options.admin ? options.adminPort : false,
      adminHost: options.adminHost,
      logger,
      watch: options.watch,
      onReload: ({ ok, error, ms }) => {
        if (ok) logger.warn(`reloaded ${file} in ${ms.toFixed(0)} ms`);
        else
          logger.error(`reload of ${file} failed; still serving the last good version:\n${error instanceof MockstackError ? error.format() : String(error)}`);
      },
    });
  } catch (error) {
    console.error(error instanceof MockstackError ? error.format() : error);
    if (!options.lenient) hintLenient(error);
    return 1;
  }
  // Listening for Ctrl-C/SIGTERM before saying we are ready: a supervisor may signal as soon as it reads that.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const engine = running.stack.engine;
  const readyMs = performance.now() - started;
  if (options.logFormat === 'json') {
    console.log(
      JSON.stringify({ event: 'ready', scenario: engine.model.name, services: running.services, admin: running.admin?.url, ms: Math.round(readyMs) }),
    );
  } else {
    printServiceTable({
      scenario: engine.model.name,
      file: running.file,
      seed: engine.seed,
      variants: engine.variants,
      services: running.services,
      admin: running.admin?.url,
      readyMs,
      watch: Boolean(options.watch),
    });
  }
  if (options.readyFile) {
    writeFileSync(
      options.readyFile,
      `${JSON.stringify({ scenario: engine.model.name, pid: process.pid, services: running.services, admin: running.admin?.url }, null, 2)}\n`,
    );
  }

  await stopped;
  await running.close();
  return 0;
}

interface InitCommandOptions {
  name?: string;
  out?: string;
  basePort: number;
  includeDir?: string[];
  lenient?: boolean;
  force?: boolean;
}

async function runInit(contracts: string[], options: InitCommandOptions): Promise<number> {
  const started = performance.now();
  // Loaded only here: ts-morph and the contract readers stay out of `up`.
  const { init } = await import('@mockstack/scaffold');
  try {
    const result = await init({
      contracts,
      name: options.name,
      out: options.out,
      basePort: options.basePort,
      includeDirs: options.includeDir,
      lenient: options.lenient,
      force: options.force,
    });
    const file = relative(process.cwd(), result.file) || result.file;
    console.log(`wrote ${file}: scenario "${result.name}" in ${(performance.now() - started).toFixed(0)} ms`);
    for (const s of result.services) {
      console.log(
        `  ${s.name.padEnd(20)} ${s.protocol.padEnd(8)} :${String(s.port).padEnd(6)} ${String(s.handlers).padStart(3)} handler(s)  ${relative(process.cwd(), s.contract)}`,
      );
    }
    console.log(`next: npx mockstack up ${file}   (check it: npx mockstack check ${file})`);
    console.log('      npx mockstack gen types every handler in your editor from the contracts');
    return 0;
  } catch (error) {
    console.error(error instanceof MockstackError ? error.format() : error);
    if (!options.lenient) hintLenient(error);
    return 1;
  }
}

/** A contract that did not load: a provider's schema with small problems still serves with --lenient. */
function hintLenient(error: unknown): void {
  const message = error instanceof Error ? error.message : '';
  const code = (error as MockstackError).code;
  if ((code === ErrorCode.ContractLoad || code === ErrorCode.ScenarioCompile) && /not a valid OpenAPI|GraphQL schema of service/.test(message)) {
    console.error('A published schema with small validity problems loads with --lenient (each problem is then printed as a warning).');
  }
}

async function switchVariants(names: string[], admin: string): Promise<number> {
  const active = names.flatMap((n) => n.split(',')).filter(Boolean);
  let response: Response;
  try {
    response = await fetch(`${admin.replace(/\/$/, '')}/variants`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ active }),
    });
  } catch (error) {
    console.error(`cannot reach the admin API at ${admin}: ${(error as Error).message}. Is \`mockstack up\` running? Pass --admin <url> as it printed.`);
    return 1;
  }
  const body = (await response.json()) as { active?: string[]; error?: { message: string } };
  if (!response.ok) {
    console.error(body.error?.message ?? `admin API answered ${response.status}`);
    return 1;
  }
  console.log(`active variants: ${body.active?.length ? body.active.join(', ') : '(none)'}`);
  return 0;
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

function logFormat(value: string): LogFormat {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError('expected text or json');
  return value;
}
