// swagger2openapi ships no types; only the one call mockstack makes.
declare module 'swagger2openapi' {
  interface ConvertOptions {
    /** Fix small errors of the source document instead of failing. */
    patch?: boolean;
    /** Warn instead of throwing on what cannot be converted. */
    warnOnly?: boolean;
    /** Resolve external `$ref`s (mockstack bundles them itself afterwards). */
    resolve?: boolean;
    /** Resolve with the converted document only. */
    direct?: boolean;
    source?: string;
  }
  export function convertObj(swagger: object, options: ConvertOptions): Promise<object>;
}
