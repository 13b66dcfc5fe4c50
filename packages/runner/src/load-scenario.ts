import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, firstUserFrame, MockstackError, type ScenarioDefinition, type SourceLocation, scenarioDefinitionOf } from '@mockstack/core';
import { build, type Message } from 'esbuild';
import { importModule } from './import-module.js';

export interface LoadedScenario {
  file: string;
  definition: ScenarioDefinition;
  /** Every local file the scenario imports (itself included), for --watch. */
  inputs: string[];
}

let loads = 0;

/**
 * Loads a TypeScript scenario module at runtime: esbuild bundles its local imports (node_modules
 * stay external) into a temporary .mjs next to it, which node then imports. Errors name the
 * scenario file and line.
 */
export async function loadScenario(path: string): Promise<LoadedScenario> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new MockstackError(ErrorCode.ScenarioNotFound, `scenario file ${path} does not exist (looked at ${file}); pass the path of a .ts scenario module`);
  }
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${++loads}.mjs`);
  let code: string;
  let inputs: string[];
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'silent',
      metafile: true,
      outfile: temp,
    });
    code = result.outputFiles[0]?.text ?? '';
    inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
  } catch (error) {
    throw buildError(file, error);
  }

  let exported: unknown;
  // Source maps make stack frames in the scenario (a throw at import, where each rule is written)
  // name its own .ts lines. Then back as they were: with them on, node reads the .map file of
  // every module loaded next (gRPC's alone are ~70, ~40 ms of start-up). runScenario turns them on
  // once serving, for errors thrown by handlers; node keeps the scenario's map until then.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(true);
  try {
    writeFileSync(temp, code);
    exported = (await importModule(pathToFileURL(temp).href)).default;
  } catch (error) {
    throw importError(file, error);
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
    rmSync(temp, { force: true });
  }

  const definition = scenarioDefinitionOf(exported);
  if (!definition) {
    throw new MockstackError(
      ErrorCode.ScenarioInvalid,
      `${relative(process.cwd(), file)} has no default-exported scenario; end it with \`export default scenario('name', { … }).services({ … })\` (import { scenario } from 'mockstack')`,
      { source: { file, line: 1, column: 1 } },
    );
  }
  return { file, definition, inputs };
}

function buildError(file: string, error: unknown): MockstackError {
  const messages = (error as { errors?: Message[] }).errors ?? [];
  const first = messages[0];
  if (!first) return new MockstackError(ErrorCode.ScenarioLoad, `cannot load ${file}: ${String(error)}`, { cause: error });
  const source: SourceLocation | undefined = first.location
    ? { file: resolve(first.location.file), line: first.location.line, column: first.location.column + 1 }
    : undefined;
  const detail = messages.map((m) => (m.location ? `${m.text}\n    ${m.location.line} | ${m.location.lineText}` : m.text)).join('\n  ');
  return new MockstackError(ErrorCode.ScenarioLoad, `cannot load scenario: ${detail}`, { source, cause: error });
}

/** A throw while the scenario module runs: point at the first stack frame in the user's files. */
function importError(file: string, error: unknown): MockstackError {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const source = firstUserFrame(stack, (path) => path.endsWith('.mjs'));
  const code = (error as { code?: string }).code;
  const hint = code === 'ERR_MODULE_NOT_FOUND' ? ' (is the package installed? scenario files import from "mockstack")' : '';
  return new MockstackError(ErrorCode.ScenarioLoad, `scenario ${relative(process.cwd(), file)} threw while loading: ${message}${hint}`, {
    source: source ?? { file, line: 1, column: 1 },
    cause: error,
  });
}
