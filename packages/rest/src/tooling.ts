/**
 * The REST protocol's part in `mockstack gen`, `check` and `init` for OpenAPI documents (see
 * `ProtocolTooling`): loaded by those commands only, through `restAdapter.tooling()`.
 */
import {
  ErrorCode,
  type GenerateContext,
  type GeneratedTypes,
  type InitCodeContext,
  type InitService,
  MockstackError,
  type Model,
  type ProjectContractFiles,
  type ProtocolTooling,
  resolveContractPath,
  type Service,
  type SourceLocation,
  type StaticRule,
} from '@mockstack/core';
import { joinTypes, quote, staticAnswers } from '@mockstack/core/tooling';
import { type ApiOperation, createAjv, loadOpenApi, type OpenApi, SchemaSet } from '@mockstack/openapi';
import { openapiTypes } from './gen-types.js';

/** One OpenAPI operation `init` writes a handler for: by its operationId, or by method and route when it has none. */
export type RestStub = { kind: 'openapi'; operationId: string; method: string; route: string } | { kind: 'route'; method: string; route: string };

export const restTooling: ProtocolTooling = {
  generateTypes,
  async initService(file, _kind, { lenient }) {
    const api = await loadOpenApi(file, { lenient });
    const stubs = api.operations.map(
      (op): RestStub =>
        op.operationId
          ? { kind: 'openapi', operationId: op.operationId, method: op.method, route: op.route }
          : { kind: 'route', method: op.method, route: op.route },
    );
    return {
      protocol: 'rest',
      stubs,
      imports: [{ from: 'mockstack', names: ['rest'] }],
      code: (context) => restCode(file, stubs, context),
    } satisfies InitService;
  },
  async checkStatic(service, rules, model) {
    if (typeof service.config.openapi !== 'string') return { violations: [] };
    return { violations: await checkRest(model, service, rules) };
  },
};

async function generateTypes(contracts: ProjectContractFiles, context: GenerateContext): Promise<GeneratedTypes> {
  const parts: GeneratedTypes[] = [];
  for (const path of contracts.get('openapi') ?? []) {
    let api: OpenApi;
    try {
      // Types only: small validity problems are `up`'s and `check`'s to report (or to accept with lenient).
      api = await loadOpenApi(path, { skipSchemaCheck: true, lenient: true });
    } catch (error) {
      if (error instanceof MockstackError) throw error;
      throw new MockstackError(ErrorCode.ContractLoad, `cannot read a contract: ${(error as Error).message}`, { cause: error });
    }
    parts.push(openapiTypes(context.relative(path), api));
  }
  return joinTypes(parts);
}

function restCode(file: string, stubs: readonly RestStub[], { port, stateType, contractPath, lenient }: InitCodeContext): string {
  const routes = stubs.map((s) =>
    s.kind === 'openapi'
      ? `rest.operation(${quote(s.operationId)}, ({ state }) => answer(state, ${quote(s.operationId)})),`
      : `rest.${s.method.toLowerCase()}(${quote(s.route)}, ({ state }) => answer(state, ${quote(`${s.method} ${s.route}`)})),`,
  );
  return `rest<${stateType}>({ port: ${port}, openapi: ${quote(contractPath(file))}${lenient ? ', lenient: true' : ''} }, [\n${routes.join('\n')}\n])`;
}

async function checkRest(model: Model, service: Service, statics: readonly StaticRule[]): Promise<{ source: SourceLocation | undefined; message: string }[]> {
  let api: OpenApi;
  try {
    api = await loadOpenApi(resolveContractPath(model, String(service.config.openapi)), { skipSchemaCheck: true });
  } catch {
    return [];
  }
  const ajv = createAjv(api.version, { validateSchema: false });
  const schemas = SchemaSet.of(api);
  const out: { source: SourceLocation | undefined; message: string }[] = [];
  for (const { meta, rule } of statics) {
    const operation = findOperation(api, rule, meta);
    if (!operation) continue;
    const name = operation.operationId ?? `${operation.method} ${operation.path}`;
    const documented = Object.keys(operation.responses);
    for (const { body, status: given } of staticAnswers(rule.respond)) {
      const status = given ?? 200;
      const key = documented.includes(String(status))
        ? String(status)
        : documented.includes(`${String(status)[0]}XX`)
          ? `${String(status)[0]}XX`
          : documented.includes('default')
            ? 'default'
            : undefined;
      if (!key) {
        out.push({
          source: rule.source,
          message: `${name} answers status ${status}, which the contract does not document (documented: ${documented.join(', ')})`,
        });
        continue;
      }
      const response = api.resolve(operation.responses[key]) as { content?: Record<string, { schema?: unknown }> } | undefined;
      const media = Object.keys(response?.content ?? {}).find((m) => /json/i.test(m));
      if (!media || response?.content?.[media]?.schema === undefined || typeof body === 'string') continue;
      let validate: ReturnType<typeof ajv.compile>;
      try {
        validate = schemas.compile(ajv, response.content[media]?.schema, 'response');
      } catch {
        continue; // a schema Ajv cannot compile is reported when the service starts
      }
      if (validate(body)) continue;
      for (const error of validate.errors ?? []) {
        const where = error.instancePath ? `body${error.instancePath.replace(/\//g, '.')}` : 'body';
        const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
        const allowed = error.keyword === 'enum' ? ` (${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')})` : '';
        out.push({ source: rule.source, message: `${name} ${status}: ${where} ${error.message}${extra}${allowed}` });
      }
    }
  }
  return out;
}

function findOperation(api: OpenApi, rule: StaticRule['rule'], meta: Readonly<Record<string, unknown>>): ApiOperation | undefined {
  const id = (rule.meta as { operationId?: string } | undefined)?.operationId ?? (meta.operationId as string | undefined);
  if (id) return api.operations.find((o) => o.operationId === id);
  const [method, path] = rule.operation.split(' ');
  return api.operations.find((o) => o.method === method && o.route === path);
}
