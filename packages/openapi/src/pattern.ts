/**
 * A pattern written as a JavaScript regex literal with its anchors (PeerTube's `/^[a-zA-Z0-9\\-_.:]+$/`, Sinao's `/^[0-9]{4}[a-z]$/i`):
 * read as the expression between the slashes with its flags, as its authors' server does. Without the anchors the
 * slashes may be meant.
 */
const LITERAL = /^\/(\^.*\$)\/([ims]*)$/s;

/** Java's POSIX classes (AWS's `\\p{XDigit}{8}-…` ids), which JavaScript does not know, as the sets they stand for. */
const POSIX_CLASSES: Record<string, string> = {
  XDigit: '[0-9A-Fa-f]',
  Digit: '[0-9]',
  Alpha: '[A-Za-z]',
  Alnum: '[A-Za-z0-9]',
  Upper: '[A-Z]',
  Lower: '[a-z]',
  Punct: '[!-\\/:-@\\[-`{-~]',
  Space: '[ \\t\\n\\x0B\\f\\r]',
  ASCII: '[\\x00-\\x7F]',
};

/**
 * `pattern`s as Ajv reads them (unicode), else without the `u` flag, as browsers' and most other
 * validators read them: AWS's documents have `[\w\-\_]` and `[\w- ]`, which only that accepts. Without
 * this a schema with one such pattern cannot be compiled and its operation is not checked at all.
 */
export function compilePattern(pattern: string, flags = 'u'): RegExp {
  const literal = LITERAL.exec(pattern);
  const source = (literal?.[1] ?? pattern).replace(/\\p\{(\w+)\}/g, (whole, name: string) => POSIX_CLASSES[name] ?? whole);
  const all = `${flags}${literal?.[2] ?? ''}`;
  try {
    return new RegExp(source, all);
  } catch (error) {
    if (!all.includes('u')) throw error;
    return new RegExp(source, all.replace('u', ''));
  }
}
