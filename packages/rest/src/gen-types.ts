import type { GeneratedTypes } from '@mockstack/core';
import { compare, identOf, prop, quote } from '@mockstack/core/tooling';
import { type ApiOperation, isObject, type JsonObject, type OpenApi, typedEnum } from '@mockstack/openapi';

const COMPONENT_REF = /^#\/components\/schemas\/([^/]+)$/;

/**
 * Types of one OpenAPI document: its component schemas as named types, its operations (params,
 * query and body handlers receive, documented responses by status) in one interface by
 * `METHOD /route`, and registry entries that point at them: by `operationId` and by `METHOD /route`
 * (for routes written outside a service), and per document (`'schemas/x.yaml'`), so that the routes
 * of `rest({ openapi: 'schemas/x.yaml' }, [...])` complete and check the document's own paths.
 */
export function openapiTypes(key: string, api: OpenApi): GeneratedTypes {
  const ns = `oas_${identOf(key)}`;
  const ops = `${ns}__operations`;
  const schemas = (isObject(api.document.components) && isObject(api.document.components.schemas) ? api.document.components.schemas : {}) as JsonObject;
  const converter = new SchemaConverter(api, ns);
  const body: string[] = [];
  for (const name of Object.keys(schemas).sort(compare)) body.push(`type ${identOf(name)} = ${converter.type(schemas[name], 'read')};`);
  const lines = body.length ? [`declare namespace ${ns} {\n${body.join('\n')}\n}`] : [];

  const contracts: string[] = [];
  const byId: string[] = [];
  const byRoute: string[] = [];
  const paths = new Map<string, string[]>();
  const operations = [...api.operations].sort((a, b) => compare(`${a.route} ${a.method}`, `${b.route} ${b.method}`));
  for (const op of operations) {
    const route = `${op.method} ${op.route}`;
    const ref = `${ops}[${quote(route)}]`;
    contracts.push(`${quote(route)}: ${operationType(op, converter)};`);
    if (op.operationId) byId.push(`${quote(op.operationId)}: ${ref};`);
    byRoute.push(`${quote(route)}: ${ref};`);
    const forms = paths.get(op.method) ?? [];
    for (const path of pathForms(op, api.basePath)) forms.push(`${quote(path)}: ${ref};`);
    paths.set(op.method, forms);
  }
  lines.push(`interface ${ops} {\n${contracts.join('\n')}\n}`);
  const methods = [...paths.keys()].sort(compare).map((method) => `${method}: { ${[...new Set(paths.get(method))].join(' ')} };`);
  const document = `${quote(key)}: {\noperations: { ${byId.join(' ')} };\npaths: {\n${methods.join('\n')}\n};\n};`;
  return { declarations: lines, registry: { openapi: byId, rest: byRoute, openapiDocuments: [document] } };
}

/**
 * The ways a route may name an operation (as the REST adapter resolves them): the router's
 * template with the base path (`/v2/rates/:rateId`), the document's own path (`/rates/{rateId}`),
 * and the template without the base path (`/rates/:rateId`).
 */
function pathForms(op: ApiOperation, basePath: string): string[] {
  const forms = [op.route, op.path];
  if (basePath && op.route.startsWith(`${basePath}/`)) forms.push(op.route.slice(basePath.length));
  return [...new Set(forms)];
}

function operationType(op: ApiOperation, converter: SchemaConverter): string {
  const params = op.parameters.filter((p) => p.in === 'path').map((p) => `${prop(p.name)}: string;`);
  // A 3.2 `querystring` parameter names the query's fields in its schema's properties.
  const whole = converter.resolve(op.parameters.find((p) => p.in === 'querystring')?.schema);
  const fields = isObject(whole) && isObject(whole.properties) ? whole.properties : {};
  const required = new Set(isObject(whole) && Array.isArray(whole.required) ? whole.required.map(String) : []);
  const query = [
    ...op.parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required })),
    ...Object.keys(fields).map((name) => ({ name, required: required.has(name) })),
  ].map((p) => `${prop(p.name)}${p.required ? '' : '?'}: ${p.required ? 'string | string[]' : 'string | string[] | undefined'};`);
  const requestBody = converter.resolve(op.requestBody);
  const bodyType = isObject(requestBody) ? contentType(requestBody.content, converter, 'read') : 'undefined';
  const responses: string[] = [];
  for (const status of Object.keys(op.responses).sort(compare)) {
    const response = converter.resolve(op.responses[status]);
    const key = /^\d{3}$/.test(status) ? status : status === 'default' ? 'default' : quote(status);
    responses.push(`${key}: ${isObject(response) ? contentType(response.content, converter, 'write') : 'unknown'};`);
  }
  return [
    `{ method: ${quote(op.method)}; route: ${quote(op.route)};`,
    `params: { ${params.join(' ')} };`,
    `query: { ${query.join(' ')} } & Readonly<Record<string, string | string[] | undefined>>;`,
    `body: ${bodyType};`,
    `responses: { ${responses.join(' ')} }; }`,
  ].join(' ');
}

/** The JSON body of a request or response (`unknown` for other media types, `undefined` without content). */
function contentType(content: unknown, converter: SchemaConverter, mode: Mode): string {
  if (!isObject(content)) return 'undefined';
  const json = Object.keys(content).find((m) => /json/i.test(m));
  if (!json) return Object.keys(content).length ? 'unknown' : 'undefined';
  const media = content[json];
  return isObject(media) && media.schema !== undefined ? converter.type(media.schema, mode) : 'unknown';
}

type Mode = 'read' | 'write';

/** JSON Schema (OpenAPI 3.0 and 3.1 dialects) → TypeScript. */
class SchemaConverter {
  private depth = 0;

  constructor(
    private readonly api: OpenApi,
    private readonly ns: string,
  ) {}

  resolve(node: unknown): unknown {
    return this.api.resolve(node);
  }

  type(schema: unknown, mode: Mode): string {
    if (schema === true || schema === undefined) return 'unknown';
    if (schema === false) return 'never';
    if (!isObject(schema)) return 'unknown';
    if (typeof schema.$ref === 'string') {
      const component = COMPONENT_REF.exec(schema.$ref);
      if (component?.[1]) return `${this.ns}.${identOf(decodeURIComponent(component[1]).replace(/~1/g, '/').replace(/~0/g, '~'))}`;
      if (this.depth > 8) return 'unknown';
      this.depth++;
      try {
        return this.type(this.resolve(schema), mode);
      } finally {
        this.depth--;
      }
    }
    let result = this.core(schema, mode);
    if (schema.nullable === true) result = `${paren(result)} | null`;
    return result;
  }

  private core(schema: JsonObject, mode: Mode): string {
    if ('const' in schema) return literal(schema.const);
    const values = typedEnum(schema);
    if (values) return values.map(literal).join(' | ') || 'never';
    const parts: string[] = [];
    if (Array.isArray(schema.allOf)) parts.push(schema.allOf.map((s) => paren(this.type(s, mode))).join(' & '));
    for (const key of ['oneOf', 'anyOf'] as const) {
      const list = schema[key];
      if (Array.isArray(list)) parts.push(`(${list.map((s) => this.type(s, mode)).join(' | ')})`);
    }
    const own = this.ownType(schema, mode);
    if (own !== undefined) parts.push(paren(own));
    return parts.length ? parts.join(' & ') : 'unknown';
  }

  private ownType(schema: JsonObject, mode: Mode): string | undefined {
    const types = Array.isArray(schema.type) ? schema.type.map(String) : typeof schema.type === 'string' ? [schema.type] : [];
    if (types.length === 0) {
      if (isObject(schema.properties) || schema.additionalProperties !== undefined) return this.objectType(schema, mode);
      if (schema.items !== undefined) return this.arrayType(schema, mode);
      return undefined;
    }
    return types
      .map((t) => {
        switch (t) {
          case 'string':
            return 'string';
          case 'integer':
          case 'number':
            return 'number';
          case 'boolean':
            return 'boolean';
          case 'null':
            return 'null';
          case 'array':
            return this.arrayType(schema, mode);
          case 'object':
            return this.objectType(schema, mode);
          default:
            return 'unknown';
        }
      })
      .join(' | ');
  }

  private arrayType(schema: JsonObject, mode: Mode): string {
    const item = paren(this.type(schema.items, mode));
    return mode === 'write' ? `readonly ${item}[]` : `${item}[]`;
  }

  private objectType(schema: JsonObject, mode: Mode): string {
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const properties = isObject(schema.properties) ? schema.properties : {};
    const members = Object.keys(properties).map((name) => {
      const optional = !required.has(name);
      return `${prop(name)}${optional ? '?' : ''}: ${this.type(properties[name], mode)}${optional ? ' | undefined' : ''};`;
    });
    const extra = schema.additionalProperties;
    if (extra !== undefined && extra !== false) members.push(`[key: string]: ${extra === true ? 'unknown' : this.type(extra, mode)};`);
    return `{ ${members.join(' ')} }`;
  }
}

function literal(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return 'unknown';
}

function paren(type: string): string {
  return /^[A-Za-z0-9_.$'"]+$/.test(type) || type.startsWith('{') || type.startsWith('(') ? type : `(${type})`;
}
