import type { Adapter, Model, SourceLocation, StaticRule } from '@mockstack/core';
import { adaptersWith } from '@mockstack/runner';

export { graphqlValue } from '@mockstack/graphql/tooling';

/** A static response that breaks its contract. */
export interface Violation {
  source: SourceLocation | undefined;
  message: string;
}

/** What `checkStaticResponses` found: violations, and warnings about the contracts (loaded leniently). */
export interface StaticResponsesResult {
  violations: Violation[];
  warnings: string[];
}

/**
 * Checks every static response of the model (values, replies, sequences, static stream items:
 * not handlers, which run at serve time) against its contract, each service by its protocol's
 * tooling (`ProtocolTooling.checkStatic`): proto messages, GraphQL field types, OpenAPI response
 * schemas and documented statuses, and whatever the `protocols` given check.
 */
export async function checkStaticResponses(model: Model, protocols?: readonly Adapter[]): Promise<Violation[]> {
  return (await checkStaticAnswers(model, protocols)).violations;
}

/** `checkStaticResponses` with the protocols' warnings about the contracts they check against. */
export async function checkStaticAnswers(model: Model, protocols?: readonly Adapter[]): Promise<StaticResponsesResult> {
  const result: StaticResponsesResult = { violations: [], warnings: [] };
  const adapters = adaptersWith(protocols);
  for (const service of model.services.values()) {
    const checkStatic = (await adapters.find((adapter) => adapter.protocol === service.protocol)?.tooling?.())?.checkStatic;
    if (!checkStatic) continue;
    const rules: StaticRule[] = [...service.operations.values()].flatMap((op) => op.rules.map((rule) => ({ rule, meta: op.meta })));
    for (const variant of model.variants.values()) {
      for (const [, list] of variant.services.get(service.name)?.rules ?? []) {
        for (const rule of list) rules.push({ rule, meta: rule.meta ?? {} });
      }
    }
    const statics = rules.filter(({ rule }) => typeof rule.respond !== 'function' && rule.respond !== undefined);
    const checked = await checkStatic(service, statics, model);
    result.violations.push(...checked.violations);
    result.warnings.push(...(checked.warnings ?? []));
  }
  return result;
}
