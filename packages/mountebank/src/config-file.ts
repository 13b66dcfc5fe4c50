import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, isRecord, MockstackError, parseJsonOrUndefined } from '@mockstack/core';
import ejs from '#ejs';
import { isImpostersDocument } from './imposters-file.js';

/** An `mb --configfile` file rendered: its JSON text, and every file it read (itself, includes, stringified files). */
export interface RenderedConfigFile {
  text: string;
  files: string[];
}

/**
 * Whether a file is an `mb --configfile` template to render before reading it as JSON: an `.ejs` file, or
 * JSON holding `<%` that is no JSON yet (includes) or is imposters (a `stringify` in a string). Other JSON
 * with `<%` in a value (a WireMock body, a json-server record) is left as it is.
 */
export function isConfigTemplate(file: string, text: string): boolean {
  if (file.toLowerCase().endsWith('.ejs')) return true;
  if (!text.includes('<%')) return false;
  const document = parseJsonOrUndefined(text);
  return document === undefined || (isRecord(document) && isImpostersDocument(document));
}

/**
 * Renders an `mb --configfile` template as Mountebank's default formatter does, so that imposters
 * split over files load as they do in mb: EJS 2's `<% include imposter.ejs %>` (and EJS 3's
 * `<%- include('imposter.json') %>`), each resolved against the including file, and
 * `stringify('injection.js')` (or mb's older `stringify(filename, 'injection.js')`), which renders a
 * file named relative to the config file and writes it as the inside of a JSON string. Throws
 * MOCKSTACK_ERR_MOUNTEBANK_FILE_INVALID naming the file and what failed.
 */
export function renderConfigFile(file: string): RenderedConfigFile {
  const root = resolve(file);
  const files = new Set<string>([root]);
  const read = (path: string): string => {
    files.add(path);
    return withEjs3Includes(readFileSync(path, 'utf8'));
  };
  const includer = (_written: string, resolved: string) => ({ template: read(resolved) });
  const stringify = (filename: unknown, includeFile?: unknown, data?: unknown): string => {
    const name = String(includeFile ?? filename);
    const rendered = ejs.render(read(join(dirname(root), name)), { data, filename: root, stringify, inject: stringify }, { filename: root, includer });
    return JSON.stringify(rendered.trim()).slice(1, -1);
  };
  try {
    const text = ejs.render(read(root), { filename: root, stringify, inject: stringify }, { filename: root, includer });
    return { text, files: [...files] };
  } catch (error) {
    throw new MockstackError(ErrorCode.MountebankFileInvalid, `${file} cannot be rendered as mb --configfile renders it: ${(error as Error).message.trim()}`, {
      cause: error,
    });
  }
}

/** EJS 2's include directive (`<% include path %>`), which EJS 3 dropped, as the include call EJS 3 has. */
function withEjs3Includes(text: string): string {
  return text.replace(/<%[-_]?\s*include\s+([^\s()%'"]+)\s*[-_]?%>/g, (_, path: string) => `<%- include(${JSON.stringify(path)}) %>`);
}
