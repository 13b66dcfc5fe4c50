// Swagger 2.0 → OpenAPI 3.0 with swagger2openapi, which needs node (fs, http). The `browser`
// condition of `@mockstack/openapi/swagger` swaps in swagger.browser.ts.

interface SwaggerConverter {
  convertObj(swagger: object, options: { patch: boolean; warnOnly: boolean; resolve: boolean; direct: boolean; source: string }): Promise<object>;
}

/** The OpenAPI 3.0 form of a Swagger 2.0 document (small errors patched, as Swagger tools accept them). */
export async function convertSwagger(swagger: object, file: string): Promise<object> {
  // biome-ignore lint/suspicious/noTsIgnore: swagger2openapi ships no types (a .d.ts here would not reach packages compiling this source)
  // @ts-ignore: SwaggerConverter types the one call made
  const { convertObj } = (await import('swagger2openapi')) as unknown as SwaggerConverter;
  return convertObj(swagger, { patch: true, warnOnly: true, resolve: false, direct: true, source: file });
}
