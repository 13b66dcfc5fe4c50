// Swagger 2.0 → OpenAPI 3.0 with swagger2openapi, which needs node (fs, http). The `browser`
// condition of `@mockstack/openapi/swagger` swaps in swagger.browser.ts.

interface SwaggerConverter {
  convertObj(swagger: object, options: { patch: boolean; warnOnly: boolean; resolve: boolean; direct: boolean; source: string }): Promise<object>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const FORMS = ['application/x-www-form-urlencoded', 'multipart/form-data'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** The OpenAPI 3.0 form of a Swagger 2.0 document (small errors patched, as Swagger tools accept them). */
export async function convertSwagger(swagger: object, file: string): Promise<object> {
  // biome-ignore lint/suspicious/noTsIgnore: swagger2openapi ships no types (a .d.ts here would not reach packages compiling this source)
  // @ts-ignore: SwaggerConverter types the one call made
  const { convertObj } = (await import('swagger2openapi')) as unknown as SwaggerConverter;
  const converted = await convertObj(swagger, { patch: true, warnOnly: true, resolve: false, direct: true, source: file });
  keepFormData(swagger as Json, converted as Json);
  return converted;
}

/**
 * What swagger2openapi drops from `in: formData` parameters: an array's `collectionFormat` (`csv`, the
 * default, sends `tags=a,b`) becomes its field's `encoding`, and an operation that consumes both form
 * types keeps both (swagger2openapi keeps the first).
 */
function keepFormData(swagger: Json, converted: Json): void {
  if (!isObject(swagger.paths) || !isObject(converted.paths)) return;
  const globalConsumes = Array.isArray(swagger.consumes) ? swagger.consumes : [];
  for (const [path, item] of Object.entries(swagger.paths)) {
    const target = converted.paths[path];
    if (!isObject(item) || !isObject(target)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const operation = item[method];
      const body = isObject(target[method]) ? target[method].requestBody : undefined;
      if (!isObject(operation) || !isObject(body) || !isObject(body.content)) continue;
      const parameters = [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters : [])].filter(
        (p): p is Json => isObject(p) && p.in === 'formData',
      );
      if (!parameters.length) continue;
      const content = body.content;
      const consumes = (Array.isArray(operation.consumes) ? operation.consumes : globalConsumes).filter((t): t is string => typeof t === 'string');
      const present = FORMS.find((t) => isObject(content[t]));
      for (const type of FORMS) {
        if (present && !content[type] && consumes.some((t) => t.split(';')[0]?.trim().toLowerCase() === type))
          content[type] = structuredClone(content[present]);
      }
      const encoding: Json = {};
      for (const p of parameters) {
        if (p.type !== 'array' || typeof p.name !== 'string' || p.collectionFormat === 'multi') continue;
        const format = typeof p.collectionFormat === 'string' ? p.collectionFormat : 'csv';
        const style = format === 'ssv' ? 'spaceDelimited' : format === 'pipes' ? 'pipeDelimited' : 'form';
        encoding[p.name] = { style, explode: false };
      }
      if (!Object.keys(encoding).length) continue;
      for (const type of FORMS) {
        const media = content[type];
        if (isObject(media)) media.encoding = { ...(isObject(media.encoding) ? media.encoding : {}), ...encoding };
      }
    }
  }
}
