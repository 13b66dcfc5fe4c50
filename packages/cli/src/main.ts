import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import {
  DEFAULT_HANDLER_TIMEOUT_MS,
  type DelaySpec,
  defaultLimits,
  ErrorCode,
  isLoopbackHost,
  MockstackError,
  type Model,
  messageClause,
  parseCorsOrigins,
  parseDuration,
  type Rule,
  rulesById,
} from '@mockstack/core';
import { writeTextFileAtomic } from '@mockstack/core/platform';
import { ADMIN_TOKEN_ENV, adminTokenHeaders, CORS_ENV, delaySettingOf, runScenario, STORE_ENV } from '@mockstack/runner';
import { Command, InvalidArgumentError } from 'commander';
import { growYoungGenerationAtOnce, releaseMemoryWhenIdle } from './idle-memory.js';
import type { ImportCommandOptions, RecordCommandOptions } from './record.js';
import { createLogger, GRPC_STATUS_WIDTH, HTTP_STATUS_WIDTH, type LogFormat } from './request-logger.js';
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
    // One line saying what is wrong and where to look, not the whole help (subcommands inherit it).
    .showHelpAfterError('(add --help to the command for its options and examples)');
  program.addHelpText(
    'after',
    examples([
      ['mockstack init', 'write a scenario from protos/ and schemas/'],
      ['mockstack up scenarios/checkout.ts --watch', 'serve it, reloading on change'],
      ['mockstack variant payments-down', 'switch the running stack to a variant'],
      ['mockstack gen && mockstack check', 'type handlers from the contracts, then check the scenarios'],
      ['mockstack up --help', 'the options of one command, with examples'],
    ]),
  );

  program
    .command('up')
    .description('serve a scenario and/or contracts: every service, the admin API, until Ctrl-C')
    .argument(
      '<files...>',
      'a scenario module (scenarios/checkout.ts; or a module exporting MSW handlers) and/or files served zero-config (.proto, .graphql, OpenAPI, a json-server db.json, Mountebank imposters.json or an mb --configfile imposters.ejs, WireMock mappings, a Postman collection (its saved examples), a HAR recording; a folder serves every contract below it, a WireMock root its mappings; an https:// address of a contract is downloaded first; file:port picks a port)',
    )
    .option('--variant <names>', 'activate variants at start (comma-separated)', list)
    .option('--seed <n>', "override the scenario's seed", integer)
    .option(
      '--store <url>',
      `where state, counters, rate limits, variants and the journal live: memory (default) or redis://host:6379/0, shared by every replica (default $${STORE_ENV}, else the scenario's store)`,
    )
    .option('--host <host>', 'host every service binds to', '127.0.0.1')
    .option(
      '--cors <origins>',
      `origins whose browser pages may call the REST and GraphQL services (and gRPC web ports) that set no \`cors\` themselves, comma-separated: http://192.168.1.5:3000, https://*.app.github.dev, or * for any (default $${CORS_ENV}, else pages on this machine)`,
      corsOrigins,
    )
    .option('--no-cors', 'no CORS headers on services that set no `cors` themselves (answer OPTIONS with rules of your own)')
    .option('--dynamic', 'OpenAPI services (that set no `dynamic`) generate each answer anew from the schema, examples left aside, as prism mock -d')
    .option(
      '--delay <duration>',
      "every service that sets no `delay` itself holds each answer this long: '300ms', or a range drawn from per call, '200ms-1s' (to see a UI's loading states)",
      delaySpec,
    )
    .option('--random-ports', 'serve every service on a free port')
    .option('--tls', 'serve every service over TLS (HTTP/2 for REST and GraphQL) with a generated certificate; its CA is written to .mockstack/tls/ca.pem')
    .option('--admin-port <port>', 'admin API port (0 = free port)', integer, 9900)
    .option('--admin-host <host>', 'admin API host (loopback unless told; any other host requires a token)', '127.0.0.1')
    .option(
      '--admin-token <token>',
      `token every admin request must carry (default $${ADMIN_TOKEN_ENV}; generated and printed when --admin-host is not loopback)`,
    )
    .option('--no-admin', 'do not start the admin API')
    .option(
      '--wiremock-files <dir>',
      "where WireMock mappings sent to the admin API read their bodyFileName (WireMock's __files; default: the __files of a WireMock root given to up, else ./__files)",
    )
    .option('--watch', 'reload the scenario and its imports on change')
    .option('--write-back', 'a json-server db.json served zero-config gets its changes written back (debounced, atomically)')
    .option(
      '--proxy <url>',
      "contracts served zero-config (OpenAPI, GraphQL, .proto: host:port) send what no rule answers to this real service; an OpenAPI document checks the real answers and names a breach in the x-mockstack-contract-violation header (Prism's proxy mode)",
    )
    .option(
      '--handler-timeout <duration>',
      `how long a handler may take when neither its rule nor its service sets \`timeout\` (default ${seconds(DEFAULT_HANDLER_TIMEOUT_MS)})`,
      positiveDuration,
    )
    .option('--grace <duration>', 'on SIGTERM/SIGINT, how long calls in flight may finish before they are cut (a second signal cuts at once)', duration, 5000)
    .option(
      '--request-timeout <duration>',
      `a request (headers and body) must arrive within this; 0: no limit (default ${seconds(defaultLimits.requestTimeoutMs)})`,
      duration,
    )
    .option('--headers-timeout <duration>', `request headers must arrive within this (default ${seconds(defaultLimits.headersTimeoutMs)})`, duration)
    .option(
      '--keep-alive-timeout <duration>',
      `how long an idle keep-alive connection stays open (default ${seconds(defaultLimits.keepAliveTimeoutMs)})`,
      duration,
    )
    .option(
      '--idle-timeout <duration>',
      `a connection with no traffic for this long is closed; 0: never (default ${seconds(defaultLimits.idleTimeoutMs)})`,
      duration,
    )
    .option('--max-connections <n>', `open connections per port; 0: no limit (default ${defaultLimits.maxConnections})`, integer)
    .option('--grpc-max-streams <n>', `gRPC calls in flight per connection (default ${defaultLimits.grpcMaxConcurrentStreams})`, integer)
    .option(
      '--grpc-stream-idle-timeout <duration>',
      `a gRPC call whose client sends nothing (and has not ended its side) for this long ends with DEADLINE_EXCEEDED; 0: never (default ${seconds(defaultLimits.grpcStreamIdleTimeoutMs)})`,
      duration,
    )
    .option('--redact <names>', 'also keep these headers / gRPC metadata / query parameters out of the journal and logs (comma-separated)', list)
    .option('--no-redact', 'journal and log Authorization, Cookie, tokens in query strings… verbatim (redacted by default)')
    .option('--quiet', 'no line per request')
    .option('--log-format <format>', 'text or json', logFormat, 'text' as LogFormat)
    .option('--ready-file <path>', 'write the addresses as JSON to this file once every service listens')
    .option('--include-dir <dir>', 'where proto imports are looked up (repeatable)', collect)
    .option('--lenient', 'load OpenAPI documents and GraphQL SDL with small validity problems, warning about each, instead of failing')
    .option('--journal-size <n>', 'requests the journal keeps (the newest; it also keeps at most 64 MB, bodies cut at 64 KB)', integer, 1000)
    .option('--no-journal', 'journal no requests (verification then finds none)')
    .addHelpText(
      'after',
      examples([
        ['mockstack up scenarios/checkout.ts', 'serve a scenario; the dashboard is at http://127.0.0.1:9900/__admin/ui'],
        ['mockstack up scenarios/checkout.ts --watch', 'reload on every change of the scenario, its imports and contracts'],
        ['mockstack up scenarios/checkout.ts --variant payments-down', 'start with a variant on'],
        ['mockstack up protos/payments.proto schemas/catalog.graphql:4000', 'serve contracts alone, auto-mocked (file:port picks a port)'],
        ['mockstack up imposters.json', 'Mountebank imposters (mb save, --configfile JSON): each http/https imposter on its port'],
        ['mockstack up wiremock/:8080', 'a WireMock root (mappings/, __files/) as WireMock serves it, /__admin on the same port'],
        ['mockstack up contracts/', 'every .proto, SDL and OpenAPI document below a folder, each auto-mocked'],
        [
          "mockstack up openapi.yaml --host 0.0.0.0 --cors 'http://192.168.1.5:*'",
          'let browser pages from another machine (here a phone on the LAN) call the mocks',
        ],
        ['mockstack up schema.graphql --delay 200ms-1s', 'every answer after 200 ms to 1 s, to see loading states'],
        ['mockstack up protos/lightning.proto:10009 protos/router.proto:10009', 'protos given one port: one gRPC server answering all their services'],
        ['mockstack up src/mocks/handlers.ts', "an app's MSW handlers (a module exporting `handlers`), served: a REST service per origin they name"],
        ['mockstack up scenarios/checkout.ts --random-ports --ready-file .mockstack/ready.json', 'in CI: free ports, addresses as JSON'],
        ['NO_COLOR=1 mockstack up scenarios/checkout.ts --quiet', 'no colour, no line per request'],
      ]),
    )
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
    .addHelpText(
      'after',
      examples([
        ['mockstack init', 'a scenario for every contract in protos/ and schemas/'],
        ['mockstack init openapi/partner.yaml --name partner', 'scenarios/partner.ts from one OpenAPI document'],
        ['mockstack init protos/ --base-port 7000 --out mocks/grpc.ts', 'services on ports 7000, 7001, …'],
      ]),
    )
    .action(async (contracts: string[], options: InitCommandOptions) => {
      exitCode = await runInit(contracts, options);
    });

  const record = program
    .command('record')
    .description('proxy real REST, GraphQL and gRPC services and, on Ctrl-C, write what they answered as a scenario')
    .requiredOption('--target <url>', 'a real service: http(s)://host:port or grpc://host:port (repeatable)', collect)
    .option('--out <file>', 'where to write the scenario', 'scenarios/recorded.ts')
    .option('--name <name>', 'scenario name (default: the output file name)')
    .option('--proto <file>', 'a .proto describing a gRPC target (repeatable)', collect)
    .option('--include-dir <dir>', 'where proto imports are looked up (repeatable)', collect)
    .option('--port <port>', 'port of the first proxy, the next targets get the next ones (0: free ports)', integer, 8800)
    .option('--host <host>', 'host the proxies bind to', '127.0.0.1')
    .option('--stop-after <n|duration>', 'stop after this many exchanges (50) or this long (30s), as well as on Ctrl-C')
    .addHelpText(
      'after',
      examples([
        [
          'mockstack record --target http://localhost:3000 --target grpc://localhost:50051 --proto protos/payments.proto',
          'a REST and a gRPC service, until Ctrl-C',
        ],
        [
          'mockstack record --target https://api.example.com --port 0 --stop-after 50 --out scenarios/partner.ts',
          'in CI: free ports, 50 exchanges, then write',
        ],
      ]),
    );
  writtenScenarioOptions(record).action(async (options: RecordCommandOptions) => {
    const { runRecord } = await import('./record.js');
    exitCode = await runRecord(options);
  });

  const importer = program
    .command('import')
    .description(
      'write a scenario from WireMock mappings, Mountebank imposters, a Postman collection (saved examples), a HAR file, a json-server db.json, or a Swagger 2.0 / OpenAPI 3 document',
    )
    .argument('<source>', 'a file, or a WireMock directory (mappings/ and __files/)')
    .option('--out <file>', 'where to write (default scenarios/<name>.ts)')
    .option('--name <name>', 'scenario name (default: the source file name)')
    .option('--write-back', 'from a json-server db.json: the scenario writes its changes back to that file')
    .addHelpText(
      'after',
      examples([
        ['mockstack import wiremock/', 'WireMock mappings/*.json and __files/ → scenarios/wiremock.ts'],
        ['mockstack import imposters.json', 'Mountebank imposters (mb save): a REST service per http imposter, on its port'],
        ['mockstack import shop.postman_collection.json --out scenarios/shop.ts', 'a Postman collection: each saved example response'],
        ['mockstack import session.har', 'a browser recording'],
        ['mockstack import db.json --write-back', 'a json-server database: rest.crud per collection, changes written back to db.json'],
      ]),
    );
  writtenScenarioOptions(importer).action(async (source: string, options: ImportCommandOptions) => {
    const { runImport } = await import('./record.js');
    exitCode = await runImport(source, options);
  });

  program
    .command('variant')
    .description('list or switch the variants of a running stack through its admin API')
    .argument('[names...]', 'variants to activate in place of the active ones (none: list them, the active ones marked)')
    .option('--off', 'turn every variant off')
    .option('--add <name>', 'activate a variant, keeping the active ones (repeatable)', collect)
    .option('--remove <name>', 'turn one variant off, keeping the others (repeatable)', collect)
    .option('--admin <url>', 'admin API URL', 'http://127.0.0.1:9900/__admin')
    .option('--admin-token <token>', `the admin token \`mockstack up\` printed (default $${ADMIN_TOKEN_ENV})`)
    .addHelpText(
      'after',
      examples([
        ['mockstack variant', 'list variants (the active ones marked)'],
        ['mockstack variant payments-down', 'only payments-down'],
        ['mockstack variant --add slow-catalog', 'one more, keeping the active ones'],
        ['mockstack variant --off', 'none'],
        ['mockstack variant --admin http://10.0.0.5:9900/__admin --admin-token "$TOKEN" --off', 'a stack on another machine'],
      ]),
    )
    .action(async (names: string[], options: VariantOptions) => {
      exitCode = await variants(names, options);
    });

  program
    .command('gen')
    .description('write TypeScript types for protos/ and schemas/ that type every handler (scenarios/generated/contracts.d.ts)')
    .option('--root <dir>', 'project root holding protos/ and schemas/', '.')
    .option('--out <dir>', 'output directory (default scenarios/generated)')
    .option('--include-dir <dir>', 'where proto imports are looked up (repeatable)', collect)
    .option('--lenient', 'generate from GraphQL SDL with validity problems (as up --lenient serves it), warning about each')
    .addHelpText(
      'after',
      examples([
        ['mockstack gen', 'types for protos/ and schemas/ into scenarios/generated/contracts.d.ts'],
        ['mockstack gen --root services/checkout --include-dir third_party/protos', 'another project root; proto imports from a vendored dir'],
      ]),
    )
    .action(async (options: { root: string; out?: string; includeDir?: string[]; lenient?: boolean }) => {
      const { runGen } = await import('./contracts.js');
      exitCode = await runGen(options);
    });

  program
    .command('check')
    .description('type-check scenarios and validate their static responses against their contracts; exit 1 on any problem')
    .argument('[scenarios...]', 'scenario modules (default scenarios/*.ts)')
    .option('--format <format>', 'text, json or junit', 'text')
    .option('--root <dir>', 'project root holding protos/ and schemas/', '.')
    .option('--lenient', 'check against contracts with validity problems (as up --lenient serves them), warning about each')
    .addHelpText(
      'after',
      examples([
        ['mockstack check', 'every scenario in scenarios/'],
        ['mockstack check scenarios/checkout.ts --format junit > check.xml', 'one scenario, a JUnit report for CI'],
      ]),
    )
    .action(async (files: string[], options: { format: string; root: string; lenient?: boolean }) => {
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

/** The "Examples:" block of a command's --help: what each does, as a comment, above the command to copy. */
function examples(rows: readonly (readonly [command: string, what: string])[]): string {
  return `\nExamples:\n${rows.map(([command, what]) => `  # ${what}\n  ${command}`).join('\n\n')}`;
}

function ownVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

interface UpOptions {
  variant?: string[];
  store?: string;
  seed?: number;
  host: string;
  randomPorts?: boolean;
  tls?: boolean;
  /** The origins of --cors, false with --no-cors; undefined (or true) when neither is given. */
  cors?: (string | RegExp)[] | boolean;
  delay?: DelaySpec;
  dynamic?: boolean;
  adminPort: number;
  adminHost: string;
  adminToken?: string;
  admin: boolean;
  wiremockFiles?: string;
  watch?: boolean;
  writeBack?: boolean;
  proxy?: string;
  grace: number;
  redact?: string[] | boolean;
  requestTimeout?: number;
  headersTimeout?: number;
  keepAliveTimeout?: number;
  idleTimeout?: number;
  maxConnections?: number;
  grpcMaxStreams?: number;
  grpcStreamIdleTimeout?: number;
  quiet?: boolean;
  logFormat: LogFormat;
  readyFile?: string;
  includeDir?: string[];
  lenient?: boolean;
  journalSize: number;
  journal: boolean;
  handlerTimeout?: number;
}

async function up(files: string[], options: UpOptions): Promise<number> {
  const file = files.join(' ');
  const started = performance.now();
  let running: Awaited<ReturnType<typeof runScenario>> | undefined;
  // The rules of the model running now by id, looked up again only after a reload (asked on every request line).
  let rules: { of: Model; byId: ReadonlyMap<string, Rule> } | undefined;
  const logger = createLogger({
    format: options.logFormat,
    quiet: Boolean(options.quiet),
    // gRPC status names (`FAILED_PRECONDITION`) need a wider status column than HTTP's `200`: only a stack serving gRPC pays for it.
    statusWidth: () => {
      const services = running?.stack.engine.model.services.values();
      return services && [...services].some((service) => service.protocol === 'grpc') ? GRPC_STATUS_WIDTH : HTTP_STATUS_WIDTH;
    },
    ruleName: (id) => {
      const model = running?.stack.engine.model;
      if (!model) return undefined;
      if (rules?.of !== model) rules = { of: model, byId: rulesById(model) };
      return rules.byId.get(id)?.name;
    },
  });
  const event = (kind: string, message: string) => logger.info(message, { event: kind });
  const urls = new Map<string, string>();
  // Contract types go stale when a contract changes; only projects that ran `mockstack gen` pay for the check.
  if (existsSync(join('scenarios', 'generated', 'contracts.d.ts'))) {
    const { isStale } = await import('@mockstack/contracts/contract-files');
    if (isStale()) {
      const { regenerateIfStale } = await import('./contracts.js');
      await regenerateIfStale((message) => logger.warn(message), options.lenient);
    }
  }
  try {
    running = await runScenario(files, {
      includeDirs: options.includeDir,
      lenient: options.lenient,
      variants: options.variant,
      seed: options.seed,
      store: options.store ?? process.env[STORE_ENV],
      host: options.host,
      randomPorts: options.randomPorts,
      tls: options.tls,
      cors: options.cors === undefined || options.cors === true ? corsFromEnvironment() : options.cors,
      delay: options.delay,
      dynamic: options.dynamic,
      adminPort: options.admin ? options.adminPort : false,
      adminHost: options.adminHost,
      adminToken: options.adminToken ?? process.env[ADMIN_TOKEN_ENV],
      logger,
      handlerTimeout: options.handlerTimeout,
      journalSize: options.journal ? options.journalSize : 0,
      // commander leaves `redact` undefined (or true, with --no-redact declared) when neither flag is given
      redact: options.redact === false ? false : Array.isArray(options.redact) ? { headers: options.redact, query: options.redact } : undefined,
      limits: {
        requestTimeoutMs: options.requestTimeout,
        headersTimeoutMs: options.headersTimeout,
        keepAliveTimeoutMs: options.keepAliveTimeout,
        idleTimeoutMs: options.idleTimeout,
        maxConnections: options.maxConnections,
        grpcMaxConcurrentStreams: options.grpcMaxStreams,
        grpcStreamIdleTimeoutMs: options.grpcStreamIdleTimeout,
      },
      watch: options.watch,
      writeBack: options.writeBack,
      proxy: options.proxy,
      wiremockFiles: options.wiremockFiles,
      onReload: ({ ok, error, ms, changed, state }) => {
        const because = changed.length ? ` (changed: ${changed.map((f) => relative(process.cwd(), f) || f).join(', ')})` : '';
        if (ok) {
          event('reload', `reloaded ${file} in ${ms.toFixed(0)} ms${because}`);
          if (state?.added.length) event('reload', `state() gained ${state.added.join(', ')}: seeded from state(); the other keys keep their values`);
          if (state?.removed.length) event('reload', `state() no longer has ${state.removed.join(', ')}: dropped from the running state`);
          // A changed port or host is served at once, on its new address.
          for (const service of running?.services ?? []) {
            if (urls.get(service.name) !== service.url) event('reload', `service "${service.name}" now at ${service.url}`);
            urls.set(service.name, service.url);
          }
        } else
          logger.error(`reload of ${file} failed; still serving the last good version:\n${error instanceof MockstackError ? error.format() : String(error)}`);
      },
    });
  } catch (error) {
    console.error(error instanceof MockstackError ? error.format() : error);
    if (!options.lenient) hintLenient(error);
    return 1;
  }
  for (const service of running.services) urls.set(service.name, service.url);
  // Listening for Ctrl-C/SIGTERM before saying we are ready: a supervisor may signal as soon as it reads that.
  const stopped = stopSignal(options.grace, (message) => event('stop', message));
  const engine = running.stack.engine;
  const readyMs = performance.now() - started;
  const givenToken = Boolean(options.adminToken ?? process.env[ADMIN_TOKEN_ENV]);
  if (options.logFormat === 'json') {
    console.log(
      JSON.stringify({
        event: 'ready',
        scenario: engine.model.name,
        services: running.services,
        admin: running.admin?.url,
        ...(running.tls?.caFile && { ca: running.tls.caFile }),
        ms: Math.round(readyMs),
      }),
    );
  } else {
    printServiceTable({
      scenario: engine.model.name,
      file: running.file,
      seed: engine.seed,
      variants: engine.variants,
      services: running.services,
      admin: running.admin?.url,
      dashboard: running.admin && dashboardUrl(running.admin, givenToken),
      readyMs,
      watch: Boolean(options.watch),
      ca: running.tls?.caFile,
    });
  }
  if (running.admin && !isLoopbackHost(options.adminHost)) {
    const token = givenToken ? '(the one you gave)' : running.admin.token;
    logger.warn(
      `WARNING: the admin API listens on ${options.adminHost}, reachable from other machines. Every admin request must carry the admin token ${token} ` +
        `(header x-mockstack-admin-token, or Authorization: Bearer); \`mockstack variant\` takes it as --admin-token or ${ADMIN_TOKEN_ENV}.`,
    );
  }
  if (options.readyFile) {
    // At once: a CI script polling for the file must never read half of it.
    await writeTextFileAtomic(
      options.readyFile,
      `${JSON.stringify({ scenario: engine.model.name, pid: process.pid, services: running.services, admin: running.admin?.url, adminToken: running.admin?.token }, null, 2)}\n`,
    );
  }

  // A long-lived `up` grows its young generation straight to full size under load, and gives back what load made the heap grow to once it is idle again.
  const stopGrowingAtOnce = growYoungGenerationAtOnce();
  const stopReleasingMemory = process.env[KEEP_MEMORY_ENV] === '1' ? () => {} : await releaseMemoryWhenIdle();
  await stopped;
  stopReleasingMemory();
  stopGrowingAtOnce();
  const what = stoppedWhat(running);
  await running.close(options.grace);
  event('stop', what);
  return 0;
}

/**
 * `MOCKSTACK_KEEP_MEMORY=1`: `up` never gives memory back when idle (see releaseMemoryWhenIdle). For
 * measurements that pause between runs of load (bench/instructions.mjs waits seconds for callgrind's dump
 * after each part): the release there threw away all the optimised code, and the next part measured
 * recompiling it (522k instructions a request instead of 75k), a cost that steady load never pays.
 */
const KEEP_MEMORY_ENV = 'MOCKSTACK_KEEP_MEMORY';

/** What Ctrl-C stopped: `stopped orders (http://127.0.0.1:8081), payments (grpc://127.0.0.1:50051) and the admin API`. */
function stoppedWhat(running: { services: readonly { name: string; url: string }[]; admin: { url: string } | undefined }): string {
  const parts = running.services.map((s) => `${s.name} (${s.url})`);
  if (running.admin) parts.push(`the admin API (${running.admin.url})`);
  const last = parts.pop();
  return `stopped ${parts.length ? `${parts.join(', ')} and ${last}` : (last ?? 'nothing')}`;
}

/** The dashboard's address; one the admin token opens when one is needed (a token the user gave is not printed). */
function dashboardUrl(admin: { url: string; token: string | undefined }, givenToken: boolean): string {
  if (!admin.token) return `${admin.url}/ui`;
  return `${admin.url}/ui?token=${givenToken ? '<your admin token>' : encodeURIComponent(admin.token)}`;
}

/**
 * Resolves on the first SIGINT/SIGTERM (the caller then drains); a second one exits at once with
 * the signal's conventional code, cutting whatever is still in flight. Started by npm (`npx
 * mockstack`, `npm run`), it also stops when npm goes: npm hands SIGTERM to the `sh -c` it runs us
 * in, which dies without passing it on, and we would be left serving on the ports, orphaned.
 */
function stopSignal(graceMs: number, say: (message: string) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const orphaned =
      process.env.npm_lifecycle_event === undefined
        ? undefined
        : setInterval(() => {
            if (process.ppid !== parent) first('SIGTERM', 'the npm process that started mockstack is gone');
          }, 250).unref();
    const first = (signal: NodeJS.Signals, why: string = signal): void => {
      clearInterval(orphaned);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      if (graceMs > 0) say(`${why}: stopping; calls in flight have up to ${graceMs} ms to finish (signal again to stop now)`);
      resolve(signal);
    };
    const force = (signal: NodeJS.Signals): void => {
      say(`${signal} again: stopping now`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    // Node passes the signal's number second: not a reason.
    const onSignal = (signal: NodeJS.Signals): void => first(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
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

/** A contract that did not load: a provider's schema with small problems still serves with --lenient (one whose $ref is missing does not). */
function hintLenient(error: unknown): void {
  const message = error instanceof Error ? error.message : '';
  const code = (error as MockstackError).code;
  const fixable = /not a valid OpenAPI|GraphQL schema of service/.test(message) && !/cannot resolve a \$ref/.test(message);
  if ((code === ErrorCode.ContractLoad || code === ErrorCode.ScenarioCompile) && fixable) {
    console.error('A published schema with small validity problems loads with --lenient (each problem is then printed as a warning).');
  }
}

interface VariantOptions {
  admin: string;
  off?: boolean;
  add?: string[];
  remove?: string[];
  adminToken?: string;
}

interface VariantsView {
  active: string[];
  available: string[];
}

/** `mockstack variant`: lists the variants with none given, else sets them (names, --off, --add, --remove). */
async function variants(names: string[], options: VariantOptions): Promise<number> {
  const named = names.flatMap((n) => n.split(',')).filter(Boolean);
  const add = options.add?.flatMap((n) => n.split(',')).filter(Boolean) ?? [];
  const remove = options.remove?.flatMap((n) => n.split(',')).filter(Boolean) ?? [];
  const ways = [named.length > 0, Boolean(options.off), add.length + remove.length > 0].filter(Boolean).length;
  if (ways > 1) {
    console.error('give variant names, or --off, or --add/--remove, not several (mockstack variant --help has examples)');
    return 1;
  }
  const admin = options.admin.replace(/\/$/, '');
  const token = options.adminToken ?? process.env[ADMIN_TOKEN_ENV];
  try {
    const current = await adminCall<VariantsView>(`${admin}/variants`, token);
    if (ways === 0) {
      printVariants(current);
      return 0;
    }
    const unknown = [...add, ...remove].filter((n) => !current.available.includes(n));
    if (unknown.length) {
      console.error(
        `unknown variant ${unknown.map((n) => `"${n}"`).join(', ')}; the stack has ${current.available.map((n) => `"${n}"`).join(', ') || 'no variants'}`,
      );
      return 1;
    }
    const active = options.off ? [] : named.length ? named : [...current.active.filter((n) => !remove.includes(n)), ...add];
    printVariants(await adminCall<VariantsView>(`${admin}/variants`, token, { active }));
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}

function printVariants({ active, available }: VariantsView): void {
  if (available.length === 0) {
    console.log('the scenario has no variants');
    return;
  }
  console.log(`active variants: ${active.length ? active.join(', ') : '(none)'}`);
  for (const name of available) console.log(`  ${active.includes(name) ? '●' : '○'} ${name}`);
}

/** A GET (or a PUT of `body`) to the admin API; its error message, or how to reach it, on failure. */
async function adminCall<T>(url: string, token: string | undefined, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(
      url,
      body === undefined
        ? { headers: adminTokenHeaders(token) }
        : { method: 'PUT', headers: { 'content-type': 'application/json', ...adminTokenHeaders(token) }, body: JSON.stringify(body) },
    );
  } catch (error) {
    throw new Error(`cannot reach the admin API at ${url}: ${messageClause(error)}. Is \`mockstack up\` running? Pass --admin <url> as it printed.`);
  }
  const answer = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(answer.error?.message ?? `admin API answered ${response.status}`);
  return answer;
}

/** The options of the commands that write a scenario (`record`, `import`). */
function writtenScenarioOptions(command: Command): Command {
  return command
    .option('--base-port <port>', 'first port of the written services', integer, 4010)
    .option('--fixture-bytes <n>', 'JSON bodies larger than this go to fixture files beside the scenario', integer, 1024)
    .option('--redact <names>', 'also leave these headers / query parameters out (comma-separated)', list)
    .option('--no-redact', 'write Authorization, cookies, API keys… verbatim (left out by default)')
    .option('--force', 'overwrite the output file if it exists');
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

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

function duration(value: string): number {
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  if (ms === undefined) throw new InvalidArgumentError("expected a duration: milliseconds, or e.g. '500ms', '10s'");
  return ms;
}

function positiveDuration(value: string): number {
  const ms = duration(value);
  if (ms <= 0) throw new InvalidArgumentError("expected a duration above 0: milliseconds, or e.g. '500ms', '30s'");
  return ms;
}

/** `300ms`, `2s`, `500` (milliseconds), or a range `200ms-1s`. */
function delaySpec(value: string): DelaySpec {
  try {
    return delaySettingOf(value) as DelaySpec;
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function corsOrigins(value: string): (string | RegExp)[] {
  try {
    return parseCorsOrigins(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function corsFromEnvironment(): (string | RegExp)[] | undefined {
  const given = process.env[CORS_ENV];
  return given === undefined || given.trim() === '' ? undefined : parseCorsOrigins(given, `$${CORS_ENV}`);
}

function logFormat(value: string): LogFormat {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError('expected text or json');
  return value;
}
