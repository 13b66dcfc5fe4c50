// The global `performance` is a getter in Node; the import is a plain binding (it is read on every request).
import { performance } from 'node:perf_hooks';
import { Code } from './code.js';
import { parseDuration, resolveDelay, sleep } from './delay.js';
import { ErrorCode, formatSource, MockstackError } from './errors.js';
import { Journal, type JournalEntry, JournalRecord, type MissReport } from './journal.js';
import { type Logger, silentLogger } from './logger.js';
import type { Chaos, CoreRequest, DelaySpec, Fault, HandlerContext, Model, RateLimit, Reply, Responder, Rule, Service } from './model.js';
import { editDistance } from './nearest.js';
import { SeededRandom } from './random.js';
import { isFallThrough, isFault, isReply, isSequence, makeFault } from './reply.js';

/** What the engine decided for one request; the adapter turns it into its protocol. */
export type Outcome =
  | { kind: 'reply'; rule: Rule; reply: Reply }
  | { kind: 'body'; rule: Rule; body: unknown }
  | { kind: 'fault'; rule: Rule | undefined; fault: Fault }
  /** `fellThrough`: a rule matched but answered `fallThrough()`, and no later rule answered (adapters then auto-mock). */
  | { kind: 'unmatched'; miss: MissReport; fellThrough?: true }
  | { kind: 'aborted'; rule: Rule | undefined };

export interface EngineOptions {
  logger?: Logger | undefined;
  journalSize?: number | undefined;
  /** Overrides the scenario's seed (`--seed`). */
  seed?: number | undefined;
}

/** How an adapter reports the end of a request, in its protocol's words. */
export interface Completion {
  status: number | string;
  code?: Code | undefined;
  error?: string | undefined;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** What was sent, when the adapter knows better than the outcome (e.g. a whole GraphQL response). */
  response?: { headers?: Record<string, string> | undefined; body?: unknown } | undefined;
}

/** Keys of the scenario's `state()` a reload added (seeded) or removed (dropped from the kept state). */
export interface StateShapeChange {
  added: string[];
  removed: string[];
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What a responder gave: an Outcome, or "let the next rule answer". */
const FALL_THROUGH = Symbol('fall through');
type Step = Outcome | typeof FALL_THROUGH;

interface OperationPlan {
  rules: readonly Rule[];
  /** How many of `rules` (at the front) come from active variants. */
  overlayRuleCount: number;
  service: Service;
  serviceFault: Fault | undefined;
  serviceDelay: DelaySpec | undefined;
  serviceRateLimit: RateLimit | undefined;
  chaos: Chaos | undefined;
}

/**
 * Matches requests to rules and runs responders. Knows no protocol: adapters hand it a
 * CoreRequest and turn the Outcome back into their own terms.
 */
export class Engine {
  readonly journal: Journal;
  readonly logger: Logger;
  #model: Model;
  #seed: number;
  #random: SeededRandom;
  #state: unknown;
  #variants: string[] = [];
  #calls = new Map<string, number>();
  /** Per service, per operation: the rules to try, with variants applied (rebuilt when variants change). */
  #plans = new Map<string, Map<string, OperationPlan>>();
  #machines = new Map<string, string>();
  #windows = new Map<string, { start: number; count: number }>();

  constructor(model: Model, options: EngineOptions = {}) {
    this.#model = model;
    this.logger = options.logger ?? silentLogger;
    this.journal = new Journal(options.journalSize);
    this.#seed = options.seed ?? model.seed;
    this.#random = new SeededRandom(this.#seed);
    this.#state = model.initialState();
    this.#resetMachines();
  }

  get model(): Model {
    return this.#model;
  }

  get seed(): number {
    return this.#seed;
  }

  /** The scenario's shared state, as every handler of every service sees it. */
  get state(): unknown {
    return this.#state;
  }

  get variants(): readonly string[] {
    return this.#variants;
  }

  /** The current state of every state machine. */
  get machines(): Record<string, string> {
    return Object.fromEntries(this.#machines);
  }

  /** Activates these variants (in order of priority) in place of the current ones. */
  setVariants(names: readonly string[]): void {
    const unknown = names.filter((n) => !this.#model.variants.has(n));
    if (unknown.length) {
      const known = [...this.#model.variants.keys()];
      throw new MockstackError(
        ErrorCode.VariantUnknown,
        `unknown variant ${unknown.map((n) => `"${n}"`).join(', ')}; scenario "${this.#model.name}" has ${known.length ? known.map((n) => `"${n}"`).join(', ') : 'no variants'}`,
      );
    }
    this.#variants = [...new Set(names)];
    this.#plans.clear();
  }

  /** Back to the seed: fresh state, rule counters and sequences from the start, empty journal. */
  reset(): void {
    this.#state = this.#model.initialState();
    this.#resetMachines();
    this.#windows.clear();
    this.#calls.clear();
    this.#random = new SeededRandom(this.#seed);
    this.journal.clear();
  }

  /** Replaces the shared state (the admin API's `PUT /__admin/state`); handlers see it from the next call. */
  replaceState(state: unknown): void {
    this.#state = state;
  }

  /** Moves state machines to these states; an unknown machine or state throws and nothing moves. */
  setMachines(states: Readonly<Record<string, string>>): void {
    const problems: string[] = [];
    for (const [machine, state] of Object.entries(states)) {
      const known = this.#model.machines.get(machine);
      if (!known) {
        const machines = [...this.#model.machines.keys()];
        problems.push(`no state machine "${machine}"; the scenario has ${machines.length ? machines.map((m) => `"${m}"`).join(', ') : 'none'}`);
      } else if (typeof state !== 'string' || !known.includes(state)) {
        problems.push(`state machine "${machine}" has no state ${JSON.stringify(state)}; its states: ${known.map((k) => `"${k}"`).join(', ')}`);
      }
    }
    if (problems.length) throw new MockstackError(ErrorCode.AdminStateInvalid, problems.join('; '));
    for (const [machine, state] of Object.entries(states)) this.#machines.set(machine, state);
  }

  /**
   * Swaps in a reloaded model. State is kept unless the seed changed or `keepState` is false; when
   * the new `state()` has keys the kept state lacks, they are seeded from it, and keys it no longer
   * has are dropped. Returns those keys so the reload can be reported.
   */
  replaceModel(model: Model, options: { keepState?: boolean } = {}): StateShapeChange {
    const seedChanged = model.seed !== this.#model.seed;
    const change: StateShapeChange = { added: [], removed: [] };
    this.#model = model;
    this.#plans.clear();
    this.#calls.clear();
    this.#variants = this.#variants.filter((n) => model.variants.has(n));
    if (seedChanged || options.keepState === false) {
      this.#seed = model.seed;
      this.#random = new SeededRandom(this.#seed);
      this.#state = model.initialState();
      this.#resetMachines();
    } else {
      // Keep machines that still exist in a state they still have; start new ones.
      const previous = this.#machines;
      this.#resetMachines();
      for (const [name, state] of previous) if (model.machines.get(name)?.includes(state)) this.#machines.set(name, state);
      this.#reshapeState(model.initialState(), change);
    }
    return change;
  }

  /** Seeds keys the fresh state has and the kept one lacks; drops keys it no longer has. */
  #reshapeState(fresh: unknown, change: StateShapeChange): void {
    const kept = this.#state;
    if (!isPlainRecord(fresh) || !isPlainRecord(kept)) {
      if (isPlainRecord(fresh) !== isPlainRecord(kept)) this.#state = fresh;
      return;
    }
    for (const key of Object.keys(fresh)) {
      if (Object.hasOwn(kept, key)) continue;
      kept[key] = fresh[key];
      change.added.push(key);
    }
    for (const key of Object.keys(kept)) {
      if (Object.hasOwn(fresh, key)) continue;
      delete kept[key];
      change.removed.push(key);
    }
  }

  #resetMachines(): void {
    this.#machines = new Map([...this.#model.machines].map(([name, states]) => [name, states[0] ?? '']));
  }

  #inState(rule: Rule): boolean {
    if (!rule.whenState) return true;
    for (const machine in rule.whenState) if (this.#machines.get(machine) !== rule.whenState[machine]) return false;
    return true;
  }

  /** A fault when `limit` calls already came in this window, else undefined (and the call counts). */
  #rateLimited(key: string, limit: RateLimit | undefined): Fault | undefined {
    if (!limit) return undefined;
    const windowMs = parseDuration(limit.window) ?? 1000;
    const now = Date.now();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count >= limit.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
      return makeFault(Code.ResourceExhausted, `rate limit of ${limit.limit} per ${limit.window} exceeded`, { retryAfter });
    }
    window.count++;
    return undefined;
  }

  /**
   * Decides the answer to one request: the first matching rule's responder, delays applied.
   * Synchronous when the responder is and there is no delay: answering in the same tick lets
   * node write the response with the request's own socket flush, which doubles throughput.
   */
  handle(request: CoreRequest): Outcome | Promise<Outcome> {
    const plan = this.#plan(request.service, request.operation);
    if (!plan) return { kind: 'unmatched', miss: this.explainUnknownOperation(request) };
    return this.#answerFrom(request, plan, 0);
  }

  /** The answer of the first rule at or after `start` that matches and does not fall through. */
  #answerFrom(request: CoreRequest, plan: OperationPlan, start: number): Outcome | Promise<Outcome> {
    let rule: Rule | undefined;
    let index = start;
    for (; index < plan.rules.length; index++) {
      const candidate = plan.rules[index] as Rule;
      if (candidate.times !== undefined && (this.#calls.get(candidate.id) ?? 0) >= candidate.times) continue;
      if (this.#inState(candidate) && matchesAll(candidate, request)) {
        rule = candidate;
        break;
      }
    }
    if (!rule) {
      if (plan.serviceFault && !request.partOf) return this.#delayed(request, plan, undefined, { kind: 'fault', rule: undefined, fault: plan.serviceFault });
      const miss = explainMiss(request, plan.rules, this.#calls, this.#machines);
      return start > 0 ? { kind: 'unmatched', miss, fellThrough: true } : { kind: 'unmatched', miss };
    }

    const call = this.#calls.get(rule.id) ?? 0;
    this.#calls.set(rule.id, call + 1);
    // A variant's own rules come first and win over the same variant's service-wide fault.
    // A request that is part of another (a GraphQL field) got the service-wide fault, delay, limit and chaos with it.
    if (plan.serviceFault && index >= plan.overlayRuleCount && !request.partOf) {
      return this.#delayed(request, plan, rule, { kind: 'fault', rule, fault: plan.serviceFault });
    }
    const limited =
      this.#rateLimited(rule.id, rule.rateLimit) ??
      (request.partOf || !plan.serviceRateLimit ? undefined : this.#rateLimited(`service:${plan.service.name}`, plan.serviceRateLimit));
    if (limited) return this.#delayed(request, plan, rule, { kind: 'fault', rule, fault: limited });
    const chaos = rule.chaos ?? (request.partOf ? undefined : plan.chaos);
    if (chaos && this.#random.next() < chaos.failRate) {
      return this.#delayed(request, plan, rule, {
        kind: 'fault',
        rule,
        fault: chaos.fault ?? makeFault(Code.Unavailable, `chaos: ${Math.round(chaos.failRate * 100)}% of calls fail`),
      });
    }
    let step: Step | Promise<Step>;
    try {
      step = this.#respond(rule, rule.respond, request, call);
    } catch (error) {
      step = { kind: 'fault', rule, fault: handlerFault(rule, error) };
    }
    if (step instanceof Promise) {
      const matched = rule;
      return step.then(
        (settled) => this.#settle(request, plan, matched, index, settled),
        (error: unknown) => this.#settle(request, plan, matched, index, { kind: 'fault', rule: matched, fault: handlerFault(matched, error) }),
      );
    }
    return this.#settle(request, plan, rule, index, step);
  }

  /** Rule `index` of the plan answered `step`: let the next rules answer, or apply its state change and delays. */
  #settle(request: CoreRequest, plan: OperationPlan, rule: Rule, index: number, step: Step): Outcome | Promise<Outcome> {
    if (step === FALL_THROUGH) return this.#answerFrom(request, plan, index + 1);
    if (rule.setState) for (const machine in rule.setState) this.#machines.set(machine, rule.setState[machine] as string);
    return this.#delayed(request, plan, rule, step);
  }

  /** Journals and logs a finished request. Adapters call it once per request, matched or not. */
  record(request: CoreRequest, outcome: Outcome, completion: Completion): JournalEntry {
    const durationMs = performance.now() - completion.startedAt;
    const entry = this.journal.record(
      new JournalRecord(
        request,
        Date.now() - durationMs,
        durationMs,
        outcome.kind === 'unmatched' ? null : (outcome.rule?.id ?? null),
        completion.status,
        completion.code ?? (outcome.kind === 'fault' ? outcome.fault.code : undefined),
        outcome.kind === 'unmatched' ? outcome.miss : undefined,
        completion.error ?? (outcome.kind === 'fault' ? outcome.fault.message : undefined),
        this.#variants,
        completion.response ?? answerOf(outcome),
      ),
    );
    this.logger.request(entry);
    return entry;
  }

  /** A near-miss report for a request whose operation the service does not serve. */
  explainUnknownOperation(request: CoreRequest): MissReport {
    const service = this.#model.services.get(request.service);
    const operations = service ? [...service.operations.keys()] : [];
    const ranked = operations.map((id) => ({ id, distance: editDistance(id, request.operation) })).sort((a, b) => a.distance - b.distance);
    const nearest = ranked[0];
    return {
      message: `no operation of service "${request.service}" is ${request.operation}`,
      nearest: nearest ? { rule: nearest.id, wanted: [nearest.id], missed: [`the request is ${request.operation}, not ${nearest.id}`] } : undefined,
      candidates: operations,
      hint: nearest
        ? `did you mean ${nearest.id}? Otherwise add a rule for ${request.operation} to service "${request.service}" in ${this.#model.file ?? 'the scenario'}`
        : `service "${request.service}" declares no operations; add one to ${this.#model.file ?? 'the scenario'}`,
    };
  }

  #plan(serviceName: string, operationId: string): OperationPlan | undefined {
    let plans = this.#plans.get(serviceName);
    const cached = plans?.get(operationId);
    if (cached) return cached;
    const service = this.#model.services.get(serviceName);
    if (!service) return undefined;
    const base = service.operations.get(operationId);
    const rules: Rule[] = [];
    let serviceFault: Fault | undefined;
    let serviceDelay = service.delay;
    let serviceRateLimit = service.rateLimit;
    let chaos = service.chaos ?? this.#model.chaos;
    // The first active variant that sets a behaviour wins.
    for (const name of [...this.#variants].reverse()) {
      const overlay = this.#model.variants.get(name)?.services.get(serviceName);
      if (!overlay) continue;
      if (overlay.fault) serviceFault = overlay.fault;
      if (overlay.delay !== undefined) serviceDelay = overlay.delay;
      if (overlay.rateLimit !== undefined) serviceRateLimit = overlay.rateLimit;
      if (overlay.chaos !== undefined) chaos = overlay.chaos;
    }
    for (const name of this.#variants) rules.push(...(this.#model.variants.get(name)?.services.get(serviceName)?.rules.get(operationId) ?? []));
    if (!base && rules.length === 0 && !serviceFault) return undefined;
    const overlayRuleCount = rules.length;
    rules.push(...(base?.rules ?? []));
    const plan = { rules, overlayRuleCount, service, serviceFault, serviceDelay, serviceRateLimit, chaos };
    if (!plans) {
      plans = new Map();
      this.#plans.set(serviceName, plans);
    }
    plans.set(operationId, plan);
    return plan;
  }

  #respond(rule: Rule, responder: Responder, request: CoreRequest, call: number): Step | Promise<Step> {
    if (typeof responder !== 'function') return this.#classify(rule, responder, request, call);
    // Adapters may make `signal` a lazy prototype getter (an AbortController and a listener cost
    // ~15 µs a request); a spread would skip it, so such requests get a context that keeps it lazy.
    const context: HandlerContext = Object.hasOwn(request, 'signal')
      ? { ...request, state: this.#state, call }
      : new LazySignalContext(request, this.#state, call);
    const value = (responder as (ctx: HandlerContext) => unknown)(context);
    return value instanceof Promise ? value.then((v: unknown) => this.#classify(rule, v, request, call)) : this.#classify(rule, value, request, call);
  }

  #classify(rule: Rule, value: unknown, request: CoreRequest, call: number): Step | Promise<Step> {
    if (isFallThrough(value)) return FALL_THROUGH;
    if (isSequence(value)) {
      const { steps, after } = value;
      if (steps.length === 0) return { kind: 'body', rule, body: undefined };
      let index = call;
      if (call >= steps.length) {
        if (after === 'unmatched') return { kind: 'unmatched', miss: sequenceExhausted(rule, steps.length) };
        index = after === 'cycle' ? call % steps.length : steps.length - 1;
      }
      return this.#respond(rule, steps[index], request, call);
    }
    if (isFault(value)) return { kind: 'fault', rule, fault: value };
    if (isReply(value)) return { kind: 'reply', rule, reply: value };
    return { kind: 'body', rule, body: value };
  }

  #delayed(request: CoreRequest, plan: OperationPlan, rule: Rule | undefined, outcome: Outcome): Outcome | Promise<Outcome> {
    const replyDelay = outcome.kind === 'reply' ? outcome.reply.delay : undefined;
    const ruleDelay = rule?.delay ?? replyDelay;
    const serviceDelay = request.partOf ? undefined : plan.serviceDelay;
    if (serviceDelay === undefined && ruleDelay === undefined) return outcome;
    const ms = resolveDelay(serviceDelay, this.#random) + resolveDelay(ruleDelay, this.#random);
    if (ms <= 0) return outcome;
    return sleep(ms, request.signal).then((completed) => (completed ? outcome : { kind: 'aborted', rule }));
  }
}

/**
 * A handler's context over a request whose `signal` is made on first use: the request's own fields,
 * the state and the call number, with `signal` a getter on the prototype. (An accessor defined on
 * each context, or a getter in an object literal, gives every context a hidden class of its own:
 * ~3 µs a call, and every handler's property reads go megamorphic.)
 */
class LazySignalContext implements HandlerContext {
  declare readonly protocol: string;
  declare readonly service: string;
  declare readonly operation: string;
  declare readonly params: Record<string, string>;
  declare readonly query: HandlerContext['query'];
  declare readonly headers: HandlerContext['headers'];
  declare readonly body: unknown;
  declare readonly target: string;
  readonly state: unknown;
  readonly call: number;
  readonly #request: CoreRequest;

  constructor(request: CoreRequest, state: unknown, call: number) {
    Object.assign(this, request);
    this.state = state;
    this.call = call;
    this.#request = request;
  }

  get signal(): AbortSignal | undefined {
    return this.#request.signal;
  }
}

/** What the outcome says was answered (an adapter's contract default is not known here). */
function answerOf(outcome: Outcome): JournalRecord['answer'] {
  switch (outcome.kind) {
    case 'body':
      return { body: outcome.body };
    case 'reply':
      return { headers: outcome.reply.headers, trailers: outcome.reply.trailers, body: outcome.reply.body };
    case 'fault':
      return { headers: outcome.fault.headers, body: outcome.fault.body };
    default:
      return undefined;
  }
}

function matchesAll(rule: Rule, request: CoreRequest): boolean {
  for (const matcher of rule.matchers) if (!matcher.test(request)) return false;
  return true;
}

function handlerFault(rule: Rule, error: unknown): Fault {
  if (isFault(error)) return error;
  const where = rule.source ? ` (${formatSource(rule.source)})` : '';
  const message = error instanceof Error ? error.message : String(error);
  return makeFault(Code.Internal, `handler of rule ${rule.id}${where} threw: ${message}`);
}

function sequenceExhausted(rule: Rule, length: number): MissReport {
  return {
    message: `rule ${rule.id} answered all ${length} steps of its sequence`,
    candidates: [rule.id],
    hint: `give the sequence more steps, or { after: 'repeat-last' | 'cycle' }`,
  };
}

function explainMiss(request: CoreRequest, rules: readonly Rule[], calls: ReadonlyMap<string, number>, machines: ReadonlyMap<string, string>): MissReport {
  let nearest: { rule: Rule; missed: string[] } | undefined;
  for (const rule of rules) {
    const missed: string[] = [];
    if (rule.times !== undefined && (calls.get(rule.id) ?? 0) >= rule.times) missed.push(`it already answered its ${rule.times} time(s)`);
    for (const [machine, wanted] of Object.entries(rule.whenState ?? {})) {
      if (machines.get(machine) !== wanted) missed.push(`state machine "${machine}" is "${machines.get(machine)}", the rule wants "${wanted}"`);
    }
    for (const matcher of rule.matchers) {
      const why = matcher.miss(request);
      if (why) missed.push(why);
    }
    if (!nearest || missed.length < nearest.missed.length) nearest = { rule, missed };
  }
  return {
    message: `no rule of ${request.service} ${request.operation} matches ${request.target}`,
    nearest: nearest && {
      rule: nearest.rule.id,
      source: nearest.rule.source && formatSource(nearest.rule.source),
      wanted: [
        ...nearest.rule.matchers.map((m) => m.explain()),
        ...Object.entries(nearest.rule.whenState ?? {}).map(([m, st]) => `state machine ${m} in "${st}"`),
      ],
      missed: nearest.missed,
    },
    candidates: rules.map((r) => `${r.id}: ${r.matchers.map((m) => m.explain()).join(' and ') || 'any request'}`),
    hint: nearest
      ? `change the request, or relax rule ${nearest.rule.id}${nearest.rule.source ? ` at ${formatSource(nearest.rule.source)}` : ''}, or add a rule without conditions after it`
      : `add a rule for ${request.operation}`,
  };
}
