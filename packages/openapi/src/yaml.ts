// Imported on demand by document.ts, only for YAML documents: the yaml library is a large part of
// start-up. (A module of our own: a bundler gives named exports of a CommonJS library to a static
// import, not always to `await import('yaml')`.)
import { parse, YAMLParseError } from 'yaml';

export function parseYaml(text: string): unknown {
  return parse(text, { maxAliasCount: -1, uniqueKeys: false });
}

/** ` at line L, column C` for a YAML syntax error, else ''. */
export function yamlErrorPosition(error: unknown): string {
  return error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
}
