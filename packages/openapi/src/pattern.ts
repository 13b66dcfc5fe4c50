/**
 * A pattern written as a JavaScript regex literal with its anchors (PeerTube's `/^[a-zA-Z0-9\\-_.:]+$/`):
 * read as the expression between the slashes, as its authors' server does. Without the anchors the
 * slashes may be meant.
 */
const LITERAL = /^\/(\^.*\$)\/$/s;

/**
 * `pattern`s as Ajv reads them (unicode), else without the `u` flag, as browsers' and most other
 * validators read them: AWS's documents have `[\w\-\_]` and `[\w- ]`, which only that accepts. Without
 * this a schema with one such pattern cannot be compiled and its operation is not checked at all.
 */
export function compilePattern(pattern: string, flags = 'u'): RegExp {
  const source = LITERAL.exec(pattern)?.[1] ?? pattern;
  try {
    return new RegExp(source, flags);
  } catch (error) {
    if (!flags.includes('u')) throw error;
    return new RegExp(source, flags.replace('u', ''));
  }
}
