import { defaultRoot, resolveContractPath } from '@mockstack/core/platform';
import type { Adapter } from './adapter.js';
import { checkDelay, parseDuration } from './delay.js';
import { formatSource, type Problem, ScenarioCompileError } from './errors.js';
import { compileMatchers } from './match.js';
import {
  type Behaviour,
  type Model,
  type Operation,
  type Rule,
  type RuleDefinition,
  SCENARIO,
  type ScenarioDefinition,
  type Service,
  type ServiceDefinition,
  type ServiceOverlay,
  type SourceLocation,
  type UnknownOptions,
  type Variant,
  type VariantOverlay,
} from './model.js';
import { likelyMeant, nearest } from './nearest.js';
import { isFault, isSequence } from './reply.js';

export interface CompileOptions {
  /** The scenario file, for messages and for resolving contract paths. */
  file?: string | undefined;
  adapters: readonly Adapter[];
  /** Project root for contract paths; defaults to the nearest package.json above `file`. */
  root?: string | undefined;
  /**
   * Contract texts by the path the scenario names them with (`'schemas/catalog.graphql'`): used
   * instead of reading those files, e.g. in a browser bundle, which has none.
   */
  contracts?: Readonly<Record<string, string>> | undefined;
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
  const machines = compileMachines(definition, problems);
  const context: RuleContext = { problems, machines };
  checkBehaviour(definition, 'the scenario', definition.source, problems);

  if (!definition.name?.trim()) problems.push({ message: 'the scenario needs a name: scenario("checkout", { … })', source: definition.source });

  const root = options.root ?? defaultRoot(options.file);
  const contracts = options.contracts
    ? new Map(Object.entries(options.contracts).map(([path, text]) => [resolveContractPath({ file: options.file, root }, path), text]))
    : undefined;
  for (const [name, written] of Object.entries(definition.services ?? {})) {
    const expand = adapters.get(written.protocol)?.expand;
    const service = expand ? await expand(written, { name, file: options.file, root, contracts, seed: definition.seed ?? 1 }) : written;
    if (!adapters.has(service.protocol)) {
      problems.push({
        message: `service "${name}" uses protocol "${service.protocol}", which no installed adapter serves (have: ${[...adapters.keys()].join(', ')})`,
        source: service.source,
      });
      continue;
    }
    services.set(name, compileService(name, service, options.host ?? '127.0.0.1', context));
  }
  checkMounts(services, adapters, problems);
  checkPorts(services, problems);

  const variants = new Map<string, Variant>();
  for (const [variantName, overlays] of Object.entries(definition.variants ?? {})) {
    variants.set(variantName, compileVariant(variantName, overlays, services, context, definition));
  }

  const model: Model = {
    name: definition.name,
    file: options.file,
    root,
    contracts,
    seed: definition.seed ?? 1,
    initialState: definition.state ?? (() => ({})),
    machines,
    chaos: definition.chaos,
    redact: definition.redact,
    store: definition.store,
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

/**
 * Rules added while a stack serves (see Stack.addRules), compiled and checked as a scenario's are,
 * with the ids given. `machines`: every state machine they may name. Problems are returned, not thrown.
 */
export function compileAddedRules(
  definitions: readonly RuleDefinition[],
  ids: readonly string[],
  machines: ReadonlyMap<string, readonly string[]>,
): { rules: Rule[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const rules = definitions.map((definition, index) => {
    if (!isRuleDefinition(definition)) {
      problems.push({ message: `rule ${ids[index]} is not a rule; make one with the DSL, e.g. rest.get('/orders/:id', { id: 'ord_1' })` });
      return undefined;
    }
    return compileRule(definition, ids[index] as string, { problems, machines });
  });
  return { rules: rules.filter((rule) => rule !== undefined), problems };
}

/** Whether a value is a rule as the DSL makes them (an operation and a responder), not any object. */
export function isRuleDefinition(value: unknown): value is RuleDefinition {
  return typeof value === 'object' && value !== null && typeof (value as { operation?: unknown }).operation === 'string' && 'respond' in value;
}

/** A state machine declaration: a list of distinct state names, the first being where it starts. */
export function isMachineStates(states: unknown): states is readonly string[] {
  return Array.isArray(states) && states.length > 0 && states.every((s) => typeof s === 'string') && new Set(states).size === states.length;
}

interface RuleContext {
  problems: Problem[];
  machines: ReadonlyMap<string, readonly string[]>;
}

function compileMachines(definition: ScenarioDefinition, problems: Problem[]): Map<string, readonly string[]> {
  const machines = new Map<string, readonly string[]>();
  for (const [name, states] of Object.entries(definition.machines ?? {})) {
    if (!isMachineStates(states)) {
      problems.push({ message: `state machine "${name}" needs a list of distinct state names, the first being where it starts`, source: definition.source });
      continue;
    }
    machines.set(name, states);
  }
  return machines;
}

function compileService(name: string, definition: ServiceDefinition, defaultHost: string, context: RuleContext): Service {
  const { problems } = context;
  const port = definition.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push({ message: `service "${name}" has port ${port}; use 0 (random) or an integer from 1 to 65535`, source: definition.source });
  }
  checkBehaviour(definition, `service "${name}"`, definition.source, problems);
  checkOptions(
    definition.unknownOptions,
    (key, near, known) => `service "${name}" has option ${key}, which a ${definition.protocol} service does not take${near}; its options are ${known}`,
    definition.source,
    problems,
  );
  const operations = new Map<string, Operation>();
  for (const declared of definition.operations ?? []) operations.set(declared.id, { id: declared.id, rules: [], meta: declared.meta });
  definition.rules.forEach((rule, index) => {
    addRule(operations, compileRule(rule, `${name}#${index + 1}`, context));
  });
  checkUnreachable(name, operations, problems);
  return {
    name,
    protocol: definition.protocol,
    port,
    host: definition.host ?? defaultHost,
    config: definition.config ?? {},
    mount: definition.mount,
    operations,
    delay: definition.delay,
    rateLimit: definition.rateLimit,
    chaos: definition.chaos,
    timeout: definition.timeout,
    source: definition.source,
  };
}

function compileRule(definition: RuleDefinition, id: string, { problems, machines }: RuleContext): Rule {
  if (definition.times !== undefined && (!Number.isInteger(definition.times) || definition.times < 1)) {
    problems.push({ message: `rule ${id} has times: ${definition.times}; use a whole number of 1 or more`, source: definition.source });
  }
  checkBehaviour(definition, `rule ${id}`, definition.source, problems);
  checkOptions(
    definition.unknownOptions,
    (key, near, known) => `rule ${id} has option ${key}, which no rule reads; a rule's options are ${known}${near}`,
    definition.source,
    problems,
  );
  checkMatchKeys(definition, id, problems);
  for (const [field, states] of [
    ['whenState', definition.whenState],
    ['setState', definition.setState],
  ] as const) {
    for (const [machine, state] of Object.entries(states ?? {})) {
      const known = machines.get(machine);
      if (!known) {
        const names = [...machines.keys()];
        problems.push({
          message: `rule ${id} ${field} refers to state machine "${machine}", which the scenario does not declare (${names.length ? `machines: ${names.join(', ')}` : 'declare it in scenario(name, { machines: { … } })'})`,
          source: definition.source,
        });
      } else if (!known.includes(state)) {
        problems.push({
          message: `rule ${id} ${field} refers to state "${state}" of machine "${machine}", which has: ${known.join(', ')}`,
          source: definition.source,
        });
      }
    }
  }
  // Not `{ ...definition, id, … }`: V8 (node 20) spreads such an object on its slow path, ~10 µs a rule.
  return Object.assign({}, definition, { id, matchers: compileMatchers(definition.match) });
}

/** An option the DSL factory does not take (a typo, another protocol's setting) would be dropped without a word: a problem each. */
function checkOptions(
  given: UnknownOptions | undefined,
  message: (key: string, didYouMean: string, known: string) => string,
  source: SourceLocation | undefined,
  problems: Problem[],
): void {
  if (!given) return;
  for (const key of given.names) {
    const near = likelyMeant(key, given.known);
    problems.push({ message: message(key, near ? ` (did you mean ${near}?)` : '', given.known.join(', ')), source });
  }
}

/** What a rule's `match` can test (see compileMatchers). */
const MATCH_KEYS = ['params', 'query', 'headers', 'body', 'bodyEquals', 'when'];
/** Names other tools (and the other protocols' words) give those. */
const MATCH_ALIASES: Readonly<Record<string, string>> = {
  request: 'body',
  json: 'body',
  metadata: 'headers',
  path: 'params',
  pathParams: 'params',
  queryParams: 'query',
};

/**
 * A `match` key no matcher reads (`request`, `metadata`, a typo) would leave the rule matching every request
 * without a word (a scenario in JavaScript, or a spec built in a variable, gets no type error): it is a problem.
 */
function checkMatchKeys(definition: RuleDefinition, id: string, problems: Problem[]): void {
  const match = definition.match;
  if (typeof match !== 'object' || match === null) return;
  for (const key of Object.keys(match)) {
    if (MATCH_KEYS.includes(key)) continue;
    const near = MATCH_ALIASES[key] ?? likelyMeant(key, MATCH_KEYS);
    problems.push({
      message: `rule ${id} has match.${key}, which no condition reads, so the rule would match every request; a rule matches on ${MATCH_KEYS.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`,
      source: definition.source,
    });
  }
}

function addRule(operations: Map<string, Operation>, rule: Rule): void {
  const existing = operations.get(rule.operation);
  if (existing) (existing.rules as Rule[]).push(rule);
  else operations.set(rule.operation, { id: rule.operation, rules: [rule], meta: rule.meta ?? {} });
}

/** Delay, rate limit and chaos settings that make sense, wherever they are set. */
function checkBehaviour(behaviour: Behaviour, where: string, source: SourceLocation | undefined, problems: Problem[]): void {
  if (behaviour.delay !== undefined) pushIf(problems, checkDelay(behaviour.delay), source, `${where}: `);
  const { rateLimit, chaos, timeout } = behaviour;
  if (timeout !== undefined && !parseDuration(timeout)) {
    problems.push({ message: `${where} has timeout ${JSON.stringify(timeout)}; write a duration above 0 such as 30000, '500ms' or '30s'`, source });
  }
  if (rateLimit !== undefined && (!Number.isInteger(rateLimit.limit) || rateLimit.limit < 1 || !parseDuration(rateLimit.window))) {
    problems.push({ message: `${where} has rateLimit ${JSON.stringify(rateLimit)}; write { limit: 10, window: '1s' } (limit ≥ 1, a window above 0)`, source });
  }
  if (
    chaos !== undefined &&
    (typeof chaos.failRate !== 'number' || !(chaos.failRate >= 0 && chaos.failRate <= 1) || (chaos.fault !== undefined && !isFault(chaos.fault)))
  ) {
    problems.push({
      message: `${where} has chaos failRate ${String(chaos.failRate)}; use a number from 0 to 1 and, optionally, fault: fault.unavailable()`,
      source,
    });
  }
}

/** A rule with no conditions, no `times` and a fixed answer answers everything; any rule after it is dead. */
function checkUnreachable(service: string, operations: Map<string, Operation>, problems: Problem[]): void {
  for (const operation of operations.values()) {
    // A handler function may fall through to the next rule, so only a fixed answer is a sure catch-all.
    const catchAll = operation.rules.find(
      (r) => r.matchers.length === 0 && r.times === undefined && !r.whenState && typeof r.respond !== 'function' && !isSequence(r.respond),
    );
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

/** A mount names an existing HTTP service that is not itself mounted, at a plain path no other mount uses. */
function checkMounts(services: Map<string, Service>, adapters: ReadonlyMap<string, Adapter>, problems: Problem[]): void {
  const paths = new Map<string, string>();
  for (const service of services.values()) {
    const { mount } = service;
    if (!mount) continue;
    const where = `service "${service.name}" (on: "${mount.on}")`;
    const host = services.get(mount.on);
    if (!adapters.get(service.protocol)?.sharesHttpPort) {
      problems.push({
        message: `${where}: ${service.protocol} services cannot share another service's port; give it a port of its own`,
        source: service.source,
      });
    } else if (mount.on === service.name) {
      problems.push({ message: `${where}: a service cannot be served on its own port; name another service, or give it a port`, source: service.source });
    } else if (!host) {
      const others = [...services.keys()].filter((n) => n !== service.name);
      const near = nearest(mount.on, others, 1)[0];
      problems.push({
        message: `${where}: the scenario has no service "${mount.on}"${near ? ` (did you mean "${near}"?)` : ''}; services: ${others.join(', ')}`,
        source: service.source,
      });
    } else if (host.mount || !adapters.get(host.protocol)?.sharesHttpPort) {
      problems.push({
        message: `${where}: "${mount.on}" ${host.mount ? `is itself served on "${host.mount.on}"'s port; name "${host.mount.on}"` : `is a ${host.protocol} service, which cannot share its port; name a REST or GraphQL service`}`,
        source: service.source,
      });
    }
    if (service.port !== 0) {
      problems.push({
        message: `${where} also has port ${service.port}; a service served on another's port has none of its own: remove one`,
        source: service.source,
      });
    }
    if (!/^\/[^?#:*\s]*$/.test(mount.path) || mount.path.length < 2 || mount.path.endsWith('/')) {
      problems.push({
        message: `${where} has path "${mount.path}"; use a plain path below the root such as "/graphql" (no parameters, query or trailing slash)`,
        source: service.source,
      });
    }
    const key = `${mount.on} ${mount.path}`;
    const other = paths.get(key);
    if (other) {
      problems.push({
        message: `services "${other}" and "${service.name}" are both served at ${mount.path} on "${mount.on}"'s port; give one another path`,
        source: service.source,
      });
    } else paths.set(key, service.name);
  }
}

function checkPorts(services: Map<string, Service>, problems: Problem[]): void {
  const byPort = new Map<string, string>();
  for (const service of services.values()) {
    if (service.port === 0 || service.mount) continue;
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
  context: RuleContext,
  definition: ScenarioDefinition,
): Variant {
  const { problems } = context;
  const compiled = new Map<string, VariantOverlay>();
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
      const rule = compileRule(definitionRule, `${name}:${serviceName}#${index + 1}`, context);
      const list = rules.get(rule.operation) ?? [];
      list.push(rule);
      rules.set(rule.operation, list);
      // A variant may add an operation the base service lacks; the adapter serves it, unmatched without the variant.
      if (!service.operations.has(rule.operation)) {
        (service.operations as Map<string, Operation>).set(rule.operation, { id: rule.operation, rules: [], meta: rule.meta ?? {} });
      }
    });
    checkBehaviour(overlay, `variant "${name}" service "${serviceName}"`, definition.source, problems);
    compiled.set(serviceName, { rules, fault: overlay.fault, delay: overlay.delay, rateLimit: overlay.rateLimit, chaos: overlay.chaos });
  }
  return { name, services: compiled };
}

/** A variant may give a service a Fault, a list of rules, or `{ rules, fault, delay }`. */
function normalizeOverlay(raw: unknown): ServiceOverlay {
  if (isFault(raw)) return { fault: raw };
  if (Array.isArray(raw)) return { rules: raw as RuleDefinition[] };
  return typeof raw === 'object' && raw !== null ? (raw as ServiceOverlay) : {};
}

function pushIf(problems: Problem[], message: string | undefined, source: Problem['source'], prefix: string): void {
  if (message) problems.push({ message: prefix + message, source });
}
