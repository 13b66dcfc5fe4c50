/**
 * `pattern`s as Ajv reads them (unicode), else without the `u` flag, as browsers' and most other
 * validators read them: AWS's documents have `[\w\-\_]` and `[\w- ]`, which only that accepts. Without
 * this a schema with one such pattern cannot be compiled and its operation is not checked at all.
 */
export function compilePattern(pattern: string, flags = 'u'): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    if (!flags.includes('u')) throw error;
    return new RegExp(pattern, flags.replace('u', ''));
  }
}
