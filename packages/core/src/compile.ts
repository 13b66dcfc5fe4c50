import { dirname } from 'node:path';
import type { Adapter } from './adapter.js';
import { projectRoot } from './contract-path.js';
import { checkDelay } from './delay.js';
import { formatSource, type Problem, ScenarioCompileError } from './errors.js';
import { compileMatchers } from './match.js';
import {
  type DelaySpec,
  type Fault,
  type Model,
  type Operation,
  type Rule,
  type RuleDefinition,
  SCENARIO,
  type ScenarioDefinition,
  type Service,
  type ServiceDefinition,
  type Variant,
} from './model.js';
import { isFault } from './reply.js';

export interface CompileOptions {
  /** The scenario file, for messages and for resolving contract paths. */
  file?: string | undefined;
  adapters: readonly Adapter[];
  /** Project root for contract paths; defaults to the nearest package.json above `file`. */
  root?: string | undefined;
  /** Host services bind to unless they say otherwise. */
  host?: string | undefined;
}

/** The definition a scenario module exports, or undefined when the value is not a scenario. */
export function scenarioDefinitionOf(value: unknown): ScenarioDefinition | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [SCENARIO]?: ScenarioDefinition })[SCENARIO];
}

/**
 * Turns what the author wrote into the Model, or throws a ScenarioCompileError listing every
 * problem with its file and line.
 */
export async function compile(definition: ScenarioDefinition, options: CompileOptions): Promise<Model> {
  const problems: Problem[] = [];
  const adapters = new Map(options.adapters.map((a) => [a.protocol, a]));
  const services = new Map<string, Service>();

  if (!definition.name?.trim()) problems.push({ message: 'the scenario needs a name: scenario("checkout", { … })', source: definition.source });

  for (const [name, service] of Object.entries(definition.services ?? {})) {
    if (!adapters.has(service.protocol)) {
      problems.push({
        message: `service "${name}" uses protocol "${service.protocol}", which no installed adapter serves (have: ${[...adapters.keys()].join(', ')})`,
        source: service.source,
      });
      continue;
    }
    services.set(name, compileService(name, service, options.host ?? '127.0.0.1', problems));
  }
  checkPorts(services, problems);

  const variants = new Map<string, Variant>();
  for (const [variantName, overlays] of Object.entries(definition.variants ?? {})) {
    variants.set(variantName, compileVariant(variantName, overlays, services, problems, definition));
  }

  const model: Model = {
    name: definition.name,
    file: options.file,
    root: options.root ?? (options.file ? projectRoot(dirname(options.file)) : process.cwd()),
    seed: definition.seed ?? 1,
    initialState: definition.state ?? (() => ({})),
    services,
    variants,
  };
  for (const service of services.values()) {
    const adapter = adapters.get(service.protocol);
    if (adapter?.validate) problems.push(...(await adapter.validate(service, model)));
  }
  if (problems.length) throw new ScenarioCompileError(definition.name || options.file || 'scenario', problems);
  return model;
}

function compileService(name: string, definition: ServiceDefinition, defaultHost: string, problems: Problem[]): Service {
  const port = definition.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push({ message: `service "${name}" has port ${port}; use 0 (random) or an integer from 1 to 65535`, source: definition.source });
  }
  if (definition.delay !== undefined) pushIf(problems, checkDelay(definition.delay), definition.source, `service "${name}": `);
  const operations = new Map<string, Operation>();
  definition.rules.forEach((rule, index) => {
    addRule(operations, rule, `${name}#${index + 1}`, problems);
  });
  checkUnreachable(name, operations, problems);
  return {
    name,
    protocol: definition.protocol,
    port,
    host: definition.host ?? defaultHost,
    config: definition.config ?? {},
    operations,
    delay: definition.delay,
    source: definition.source,
  };
}

function addRule(operations: Map<string, Operation>, definition: RuleDefinition, id: string, problems: Problem[]): Rule {
  if (definition.times !== undefined && (!Number.isInteger(definition.times) || definition.times < 1)) {
    problems.push({ message: `rule ${id} has times: ${definition.times}; use a whole number of 1 or more`, source: definition.source });
  }
  if (definition.delay !== undefined) pushIf(problems, checkDelay(definition.delay), definition.source, `rule ${id}: `);
  const rule: Rule = { ...definition, id, matchers: compileMatchers(definition.match) };
  const existing = operations.get(definition.operation);
  if (existing) (existing.rules as Rule[]).push(rule);
  else operations.set(definition.operation, { id: definition.operation, rules: [rule], meta: definition.meta ?? {} });
  return rule;
}

/** A rule with no conditions and no `times` answers everything; any rule after it is dead. */
function checkUnreachable(service: string, operations: Map<string, Operation>, problems: Problem[]): void {
  for (const operation of operations.values()) {
    const catchAll = operation.rules.find((r) => r.matchers.length === 0 && r.times === undefined);
    if (!catchAll) continue;
    for (const later of operation.rules.slice(operation.rules.indexOf(catchAll) + 1)) {
      const first = catchAll.source ? ` at ${formatSource(catchAll.source)}` : '';
      problems.push({
        message: `duplicate route: ${operation.id} of service "${service}" is already answered by rule ${catchAll.id}${first}, so rule ${later.id} can never answer; give the first a \`match\` or \`times\`, or remove one`,
        source: later.source,
      });
    }
  }
}

function checkPorts(services: Map<string, Service>, problems: Problem[]): void {
  const byPort = new Map<string, string>();
  for (const service of services.values()) {
    if (service.port === 0) continue;
    const key = `${service.host}:${service.port}`;
    const other = byPort.get(key);
    if (other) {
      problems.push({
        message: `services "${other}" and "${service.name}" both want port ${service.port}; give each its own port (or 0 for a random one)`,
        source: service.source,
      });
    } else byPort.set(key, service.name);
  }
}

function compileVariant(
  name: string,
  overlays: Readonly<Record<string, unknown>>,
  services: Map<string, Service>,
  problems: Problem[],
  definition: ScenarioDefinition,
): Variant {
  const compiled = new Map<string, { rules: Map<string, Rule[]>; fault?: Fault | undefined; delay?: DelaySpec | undefined }>();
  for (const [serviceName, raw] of Object.entries(overlays)) {
    const service = services.get(serviceName);
    if (!service) {
      problems.push({
        message: `variant "${name}" changes service "${serviceName}", which the scenario does not declare (services: ${[...services.keys()].join(', ')})`,
        source: definition.source,
      });
      continue;
    }
    const overlay = normalizeOverlay(raw);
    const rules = new Map<string, Rule[]>();
    overlay.rules?.forEach((definitionRule, index) => {
      const rule: Rule = { ...definitionRule, id: `${name}:${serviceName}#${index + 1}`, matchers: compileMatchers(definitionRule.match) };
      if (definitionRule.delay !== undefined) pushIf(problems, checkDelay(definitionRule.delay), definitionRule.source, `rule ${rule.id}: `);
      const list = rules.get(rule.operation) ?? [];
      list.push(rule);
      rules.set(rule.operation, list);
      // A variant may add an operation the base service lacks; the adapter serves it, unmatched without the variant.
      if (!service.operations.has(rule.operation)) {
        (service.operations as Map<string, Operation>).set(rule.operation, { id: rule.operation, rules: [], meta: rule.meta ?? {} });
      }
    });
    if (overlay.delay !== undefined) pushIf(problems, checkDelay(overlay.delay), definition.source, `variant "${name}" service "${serviceName}": `);
    compiled.set(serviceName, { rules, fault: overlay.fault, delay: overlay.delay });
  }
  return { name, services: compiled };
}

/** A variant may give a service a Fault, a list of rules, or `{ rules, fault, delay }`. */
function normalizeOverlay(raw: unknown): { rules?: readonly RuleDefinition[]; fault?: Fault; delay?: DelaySpec } {
  if (isFault(raw)) return { fault: raw };
  if (Array.isArray(raw)) return { rules: raw as RuleDefinition[] };
  if (typeof raw === 'object' && raw !== null) {
    const o = raw as { rules?: RuleDefinition[]; fault?: unknown; delay?: DelaySpec };
    return { ...(o.rules && { rules: o.rules }), ...(isFault(o.fault) && { fault: o.fault }), ...(o.delay !== undefined && { delay: o.delay }) };
  }
  return {};
}

function pushIf(problems: Problem[], message: string | undefined, source: Problem['source'], prefix: string): void {
  if (message) problems.push({ message: prefix + message, source });
}
