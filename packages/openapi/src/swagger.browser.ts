// The browser's twin of swagger.ts: swagger2openapi needs node, so a Swagger 2.0 document is refused with what to do.

export async function convertSwagger(_swagger: object, _file: string): Promise<object> {
  throw new Error('Swagger 2.0 documents are converted in Node only; serve its OpenAPI 3 form in the browser (convert it once with `npx swagger2openapi`)');
}
