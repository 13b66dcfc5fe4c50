import { statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { MockstackError, parseDuration, type RedactSetting } from '@mockstack/core';
import { contractKindOf, contractKindsOf } from '@mockstack/core/contract-files';
import { adapters } from '@mockstack/runner';

export interface RecordCommandOptions {
  target: string[];
  out: string;
  name?: string;
  proto?: string[];
  includeDir?: string[];
  port: number;
  host: string;
  stopAfter?: string;
  fixtureBytes: number;
  basePort: number;
  redact?: string[] | boolean;
  force?: boolean;
}

/**
 * `mockstack record`: proxies in front of the targets until Ctrl-C/SIGTERM (or `--stop-after` N
 * exchanges or a duration), then the scenario file. Resolves to the exit code.
 */
export async function runRecord(options: RecordCommandOptions): Promise<number> {
  const { Recorder, writeRecording } = await import('@mockstack/record');
  const stopAfter = parseStopAfter(options.stopAfter);
  if (stopAfter === 'invalid') {
    console.error(`--stop-after ${options.stopAfter}: give a number of exchanges (50) or a duration (30s, 2m)`);
    return 1;
  }
  let recorder: Awaited<ReturnType<typeof Recorder.start>>;
  try {
    recorder = await Recorder.start({
      targets: options.target.map((url, i) => ({ url, port: options.port === 0 ? 0 : options.port + i })),
      protos: options.proto,
      includeDirs: options.includeDir,
      host: options.host,
    });
  } catch (error) {
    console.error(error instanceof MockstackError ? error.format() : error);
    return 1;
  }
  console.log(`recording ${options.target.length} target(s); send your requests to:`);
  for (const proxy of recorder.proxies) console.log(`  ${proxy.name.padEnd(16)} ${proxy.url.padEnd(28)} → ${proxy.target}`);
  console.log(`Ctrl-C writes ${options.out}${stopAfter ? ` (or after ${options.stopAfter})` : ''}`);

  await new Promise<void>((done) => {
    const stop = (): void => {
      clearInterval(counter);
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const counter =
      typeof stopAfter === 'object' && 'exchanges' in stopAfter
        ? setInterval(() => {
            if (recorder.exchanges.length + recorder.warnings.length >= stopAfter.exchanges) stop();
          }, 50)
        : undefined;
    const timer = typeof stopAfter === 'object' && 'ms' in stopAfter ? setTimeout(stop, stopAfter.ms) : undefined;
  });
  await recorder.stop();
  console.log(`stopped ${recorder.proxies.map((proxy) => `${proxy.name} (${proxy.url} → ${proxy.target})`).join(', ')}`);
  try {
    const result = await writeRecording(recorder, {
      out: options.out,
      name: options.name,
      basePort: options.basePort,
      fixtureBytes: options.fixtureBytes,
      force: options.force,
      redact: redactSetting(options.redact),
    });
    printWritten(result, `${recorder.exchanges.length} exchange(s)`);
    return 0;
  } catch (error) {
    console.error(error instanceof MockstackError ? error.format() : error);
    return 1;
  }
}

/** What `record` and `import` print once the scenario is written. */
export function printWritten(
  result: { file: string; name: string; written: string[]; services: { name: string; protocol: string; port: number; rules: number }[]; warnings: string[] },
  from: string,
): void {
  const file = relative(process.cwd(), result.file) || result.file;
  console.log(`wrote ${file}: scenario "${result.name}" from ${from}`);
  for (const s of result.services)
    console.log(`  ${s.name.padEnd(20)} ${s.protocol.padEnd(8)} :${String(s.port).padEnd(6)} ${String(s.rules).padStart(3)} rule(s)`);
  for (const written of result.written) console.log(`  + ${relative(process.cwd(), written) || written}`);
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  console.log(`next: npx mockstack check ${file} && npx mockstack up ${file}`);
}

/** `--redact a,b` (more names) or `--no-redact` (none) as the emitter's setting; neither: the defaults. */
function redactSetting(redact: string[] | boolean | undefined): RedactSetting | undefined {
  return redact === false ? false : Array.isArray(redact) ? { headers: redact, query: redact } : undefined;
}

function parseStopAfter(value: string | undefined): { exchanges: number } | { ms: number } | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value) > 0 ? { exchanges: Number(value) } : 'invalid';
  const ms = parseDuration(value);
  return ms === undefined || ms <= 0 ? 'invalid' : { ms };
}

export interface ImportCommandOptions {
  out?: string;
  name?: string;
  basePort: number;
  fixtureBytes: number;
  redact?: string[] | boolean;
  force?: boolean;
  writeBack?: boolean;
}

/** `mockstack import <file|dir>`: WireMock mappings, Mountebank imposters, a Postman collection, a HAR file or a json-server db.json as a scenario. */
export async function runImport(source: string, options: ImportCommandOptions): Promise<number> {
  if (isOpenApiFile(source)) return importOpenApi(source, options);
  const { emitScenario, importSource } = await import('@mockstack/record');
  try {
    const imported = importSource(source, { writeBack: options.writeBack });
    const name = options.name ?? basename(source, extname(source)).replace(/^db$/, 'json-server');
    const result = await emitScenario(imported.draft, {
      out: options.out ?? join('scenarios', `${name}.ts`),
      name,
      basePort: options.basePort,
      fixtureBytes: options.fixtureBytes,
      force: options.force,
      redact: redactSetting(options.redact),
      origin: `\`mockstack import\` from ${imported.format} ${imported.files.map((f) => relative(process.cwd(), f) || f).join(', ')}`,
    });
    printWritten(result, `${imported.format} (${imported.files.length} file(s))`);
    return 0;
  } catch (error) {
    console.error(error instanceof MockstackError ? error.format() : error);
    return 1;
  }
}

/** A JSON/YAML file holding an OpenAPI 3 or Swagger 2.0 document (not a directory, not another format). */
function isOpenApiFile(source: string): boolean {
  try {
    return statSync(source).isFile() && contractKindOf(source, contractKindsOf(adapters))?.kind === 'openapi';
  } catch {
    return false; // a missing file: importSource says so
  }
}

/**
 * `mockstack import api.yaml` of an OpenAPI 3 or Swagger 2.0 document: the scenario `mockstack init`
 * writes, a `rest({ openapi })` service with a handler per operation answering from the contract. A
 * Swagger 2.0 document stays as it is: the loader converts it to OpenAPI 3.0 (swagger2openapi) each time.
 */
async function importOpenApi(source: string, options: ImportCommandOptions): Promise<number> {
  const { init } = await import('@mockstack/scaffold');
  const name = options.name ?? basename(source, extname(source));
  try {
    const result = await init({
      contracts: [source],
      name,
      out: options.out ?? join('scenarios', `${name}.ts`),
      basePort: options.basePort,
      force: options.force,
    });
    const file = relative(process.cwd(), result.file) || result.file;
    console.log(`wrote ${file}: scenario "${result.name}" from the OpenAPI document ${source} (Swagger 2.0 is converted to OpenAPI 3.0 when loaded)`);
    for (const s of result.services)
      console.log(`  ${s.name.padEnd(20)} ${s.protocol.padEnd(8)} :${String(s.port).padEnd(6)} ${String(s.handlers).padStart(3)} handler(s)`);
    console.log(`next: npx mockstack check ${file} && npx mockstack up ${file}`);
    return 0;
  } catch (error) {
    console.error(error instanceof MockstackError ? error.format() : error);
    return 1;
  }
}
