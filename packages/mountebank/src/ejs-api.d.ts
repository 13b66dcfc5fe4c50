/**
 * The part of the `ejs` package (7.x, which ships no typings) that rendering an `mb --configfile` calls;
 * package.json's `imports` maps `#ejs` to it for TypeScript only.
 */

/** What an include resolves to: the text to render in its place. */
export interface Included {
  template: string;
}

export interface RenderOptions {
  /** The template's own path: includes resolve relative to it. */
  filename?: string;
  /** Reads an include (its path as written, and as resolved against the including file). */
  includer?: (originalPath: string, parsedPath: string) => Included;
}

declare const ejs: {
  /** Renders a template with `data` as its variables; throws on a template error or a missing include. */
  render(template: string, data: Record<string, unknown>, options: RenderOptions): string;
};
/** The package's one (default) export. */
export default ejs;
