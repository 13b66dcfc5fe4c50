import { Code } from './code.js';
import { parseDuration, resolveDelay, sleep } from './delay.js';
import { ErrorCode, formatSource, MockstackError } from './errors.js';
import { Journal, type JournalEntry, type JournalLimits, JournalRecord, type MissReport, type StreamMessages } from './journal.js';
import { type Logger, silentLogger } from './logger.js';
import type {
  AddedRule,
  Chaos,
  CoreRequest,
  DelaySpec,
  Fault,
  HandlerContext,
  Model,
  RateLimit,
  Reply,
  Responder,
  Rule,
  Service,
  SourceLocation,
  Webhook,
} from './model.js';
import { editDistance } from './nearest.js';
import { hashString, SeededRandom } from './random.js';
import { Redactor, type RedactSetting } from './redact.js';
import { isFallThrough, isFault, isReply, isSequence, makeFault } from './reply.js';
import { INDEX_MIN_RULES, RuleIndex } from './rule-index.js';
import { type MaybePromise, MemoryStore, type Store, type StoreBinding, StoreUnavailableError } from './store.js';

// The global `performance` is a getter in Node; this is a plain binding (it is read on every request),
// and it is the same object in Node and the browser.
const { performance } = globalThis;

/** What the engine decided for one request; the adapter turns it into its protocol. */
export type Outcome =
  | { kind: 'reply'; rule: Rule; reply: Reply }
  | { kind: 'body'; rule: Rule; body: unknown }
  | { kind: 'fault'; rule: Rule | undefined; fault: Fault }
  /** `fellThrough`: a rule matched but answered `fallThrough()`, and no later rule answered (adapters then auto-mock). */
  | { kind: 'unmatched'; miss: MissReport; fellThrough?: true }
  /**
   * No rule answered and the operation has a contract default (see ContractDefault): the service's
   * fault, delay, rate limit and chaos were applied; the adapter now answers from its contract
   * (auto-mock, example, generated value). `rule` is `contract:<operation>`, what the journal names.
   */
  | { kind: 'fallback'; rule: Rule }
  | { kind: 'aborted'; rule: Rule | undefined };

/**
 * When the adapter's contract answers a request that no rule answered, as the adapter tells `handle`:
 * - `'unmatched'`: whenever no rule answers (GraphQL's schema, an OpenAPI operation's responses);
 * - `'unruled'`: when the operation has no rules of its own, or its rules fell through (`fallThrough()`);
 *   a request that misses the operation's own rules gets the near-miss report (gRPC).
 */
export type ContractDefault = 'unmatched' | 'unruled';

/**
 * Runs the scenario's own code (a rule's handler function). The runner's guard marks the async work
 * the handler starts (promises, timers, and what they start) with its rule and request, so that an
 * error the handler leaves behind (a stray rejection, a throwing timer) is charged to its rule, and it
 * watches for handlers that never return. Without one, handlers just run.
 */
export interface HandlerGuard {
  run(engine: Engine, rule: Rule, request: CoreRequest, handler: (context: HandlerContext) => unknown, context: HandlerContext): unknown;
}

export interface EngineOptions {
  logger?: Logger | undefined;
  guard?: HandlerGuard | undefined;
  /** Milliseconds a handler may take when neither its rule nor its service sets `timeout` (default 10 s). */
  handlerTimeout?: number | undefined;
  /** Entries the journal keeps (0: none). Same as `journal.entries`. */
  journalSize?: number | undefined;
  /** The journal's limits: entries, total bytes, bytes per body. */
  journal?: JournalLimits | undefined;
  /** Overrides the scenario's seed (`--seed`). */
  seed?: number | undefined;
  /** Secrets kept out of the journal and logs besides the defaults and the scenario's, or false for none (`--redact`, `--no-redact`). */
  redact?: RedactSetting | undefined;
  /**
   * Makes the outbound calls an answer carries (`respond(body, { webhooks })`, OpenAPI callbacks); the
   * runner's sends them over HTTP and journals each. Without one, they are journaled as not sent.
   */
  webhooks?: WebhookSender | undefined;
  /** Where state, machines, counters, rate-limit windows, variants and the journal are shared (default: this process, see MemoryStore). */
  store?: Store | undefined;
}

/** Sends the webhooks of an answer to `request` (the request whose rule answered). */
export interface WebhookSender {
  send(request: CoreRequest, rule: Rule, webhooks: readonly Webhook[]): void;
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
  /** A streaming call's messages both ways with their timing; what it sent replaces the outcome's body (an iterable). */
  messages?: StreamMessages | undefined;
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
  /** How many of `rules` (at the front) were added while serving or come from active variants. */
  overlayRuleCount: number;
  /** The rule a contract answer is journaled under (`contract:<operation>`); undefined in a service's shared plan (see #servicePlan). */
  contractRule: Rule | undefined;
  service: Service;
  serviceFault: Fault | undefined;
  serviceDelay: DelaySpec | undefined;
  serviceRateLimit: RateLimit | undefined;
  chaos: Chaos | undefined;
  /** The rules indexed by exact values they want, when there are enough for it to pay; else every rule is tested. */
  index: RuleIndex | undefined;
}

/** How long a handler may take by default: long enough for any mock, short enough that a hung one is noticed. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;

/**
 * Matches requests to rules and runs responders. Knows no protocol: adapters hand it a
 * CoreRequest and turn the Outcome back into their own terms.
 */
export class Engine {
  readonly journal: Journal;
  readonly logger: Logger;
  /** Blanks secrets in what is written down (journal, logs); recorders use it too. */
  #redactor: Redactor;
  readonly #redact: RedactSetting | undefined;
  readonly #guard: HandlerGuard | undefined;
  readonly #webhooks: WebhookSender | undefined;
  readonly #handlerTimeout: number;
  #model: Model;
  #seed: number;
  /** One random stream per decision kind and rule (or service), so a rule's chaos and delays depend only on its own calls. */
  #streams = new Map<string, SeededRandom>();
  /** State, machines, rule counters, rate-limit windows: in this process, or shared by replicas. */
  readonly #store: Store;
  #variants: string[] = [];
  /** Per service, per operation: the rules to try, with variants applied (rebuilt when variants change). */
  #plans = new Map<string, Map<string, OperationPlan>>();
  /** Per service: the plan of operations it has no rules for (only its behaviours), for contract answers. */
  #servicePlans = new Map<string, OperationPlan>();
  /** Stray errors of handlers whose request is not journaled yet, noted on its entry when it is. */
  #pendingStrays = new Map<CoreRequest, string[]>();
  /** Per topic, who listens to what handlers publish (open GraphQL subscriptions). */
  readonly #topics = new Map<string, Set<(payload: unknown) => void>>();
  readonly #variantListeners = new Set<() => void>();
  /** Per topic: who hears of documents other replicas share (see shareDocument). */
  readonly #documentListeners = new Map<string, Set<(id: string, document: unknown) => void>>();
  /** Rules added while serving, in the order they are tried (see addRules); they answer before the scenario's. */
  #added: AddedRule[] = [];
  /** State machines the added rules declared (the scenario's own are in the model). */
  #addedMachines = new Map<string, readonly string[]>();
  #addedSerial = 0;
  #addedVersion = 0;
  /** The scenario's rules not served until restored, reset or reloaded (see withdrawRules). */
  #withdrawn = new Set<string>();

  constructor(model: Model, options: EngineOptions = {}) {
    this.#model = model;
    this.logger = options.logger ?? silentLogger;
    this.#guard = options.guard;
    this.#webhooks = options.webhooks;
    this.#handlerTimeout = options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT_MS;
    this.journal = new Journal({ entries: options.journalSize, ...options.journal });
    this.#redact = options.redact;
    this.#redactor = new Redactor(model.redact, options.redact);
    this.#seed = options.seed ?? model.seed;
    this.#store = options.store ?? new MemoryStore();
    this.#store.bind(this.#binding());
  }

  /** What the store calls back: the seed values, and changes other replicas made. */
  #binding(): StoreBinding {
    return {
      initialState: () => this.#model.initialState(),
      initialMachines: () => this.#initialMachines(),
      variants: () => this.#variants,
      variantsChanged: (names) => this.#applyVariants(names.filter((n) => this.#model.variants.has(n))),
      resetElsewhere: () => this.#resetHere(),
      journaled: (entry) => this.journal.record(JournalRecord.of(entry)),
      documentShared: (topic, id, document) => {
        for (const listener of [...(this.#documentListeners.get(topic) ?? [])]) listener(id, document);
      },
    };
  }

  /**
   * Shares a JSON document with the other replicas of a shared store (see `Store.shareDocument`);
   * nothing to do in one process. Their `onDocumentShared` listeners get it; `reset` removes them all.
   */
  shareDocument(topic: string, id: string, document: unknown): MaybePromise<void> {
    return this.#store.shareDocument?.(topic, id, document);
  }

  /** The documents of `topic` the replicas share now, by id; none in one process. */
  async sharedDocuments(topic: string): Promise<ReadonlyMap<string, unknown>> {
    return (await this.#store.sharedDocuments?.(topic)) ?? new Map();
  }

  /** Calls `listener` when another replica shares a document of `topic` (undefined: removed it), until the returned function is called. */
  onDocumentShared(topic: string, listener: (id: string, document: unknown) => void): () => void {
    const listeners = this.#documentListeners.get(topic) ?? new Set();
    listeners.add(listener);
    this.#documentListeners.set(topic, listeners);
    return () => {
      listeners.delete(listener);
    };
  }

  /** Where state and the rest are kept (`memory`, or a shared store's name). */
  get store(): Store {
    return this.#store;
  }

  /** Connects a shared store (the stack calls it before serving); nothing to do in memory. */
  async open(): Promise<void> {
    await this.#store.open?.();
  }

  async close(): Promise<void> {
    await this.#store.close?.();
  }

  /** Brings `state` and `machines` up to date from a shared store (admin reads); nothing to do in memory. */
  async refresh(): Promise<void> {
    await this.#store.refresh?.();
  }

  get model(): Model {
    return this.#model;
  }

  get seed(): number {
    return this.#seed;
  }

  /** The scenario's shared state, as every handler of every service sees it. */
  get state(): unknown {
    return this.#store.state();
  }

  get variants(): readonly string[] {
    return this.#variants;
  }

  /** The current state of every state machine. */
  get machines(): Record<string, string> {
    return Object.fromEntries(this.#store.machines());
  }

  /** Activates these variants (in order of priority) in place of the current ones. */
  setVariants(names: readonly string[]): MaybePromise<void> {
    const unknown = names.filter((n) => !this.#model.variants.has(n));
    if (unknown.length) {
      const known = [...this.#model.variants.keys()];
      throw new MockstackError(
        ErrorCode.VariantUnknown,
        `unknown variant ${unknown.map((n) => `"${n}"`).join(', ')}; scenario "${this.#model.name}" has ${known.length ? known.map((n) => `"${n}"`).join(', ') : 'no variants'}`,
      );
    }
    this.#applyVariants(names);
    return this.#store.setVariants(this.#variants);
  }

  #applyVariants(names: readonly string[]): void {
    this.#variants = [...new Set(names)];
    this.#clearPlans();
    this.#tellVariantListeners();
  }

  #tellVariantListeners(): void {
    for (const listener of [...this.#variantListeners]) listener();
  }

  /**
   * Calls `listener` after each change of the active variants (made here, or in another replica of a
   * shared store) or of what they do (a reloaded scenario) until the returned function is called: what
   * a health service that streams its status (grpc.health.v1 Watch) listens to.
   */
  onVariantsChanged(listener: () => void): () => void {
    this.#variantListeners.add(listener);
    return () => {
      this.#variantListeners.delete(listener);
    };
  }

  /** Rules added while serving, in the order they are tried: lower priority first, then the newest. */
  get addedRules(): readonly AddedRule[] {
    return this.#added;
  }

  /** Changes with every rule added or removed: what adapters that route or wire added operations compare. */
  get addedRulesVersion(): number {
    return this.#addedVersion;
  }

  /** A fresh id for a rule added to `service`: `added:<service>#<n>`. */
  addedRuleId(service: string): string {
    return `added:${service}#${++this.#addedSerial}`;
  }

  /** The states of a state machine, the scenario's or one added rules declared. */
  machineStates(name: string): readonly string[] | undefined {
    return this.#model.machines.get(name) ?? this.#addedMachines.get(name);
  }

  /** Every state machine: the scenario's, then those added rules declared. */
  get machineDefinitions(): ReadonlyMap<string, readonly string[]> {
    return this.#addedMachines.size ? new Map([...this.#model.machines, ...this.#addedMachines]) : this.#model.machines;
  }

  /**
   * Serves compiled rules (see Stack.addRules, which checks them) before the scenario's rules of
   * their operations, until removed or reset. Among added rules, a lower `priority` is tried first;
   * of one priority, the newest call's rules, in the order given. `machines`: state machines they
   * use that the scenario lacks; a new one starts in its first state, one added before takes the states given.
   */
  addRules(
    service: string,
    rules: readonly Rule[],
    priority: number,
    machines?: ReadonlyMap<string, readonly string[]>,
    inPlaceOf?: readonly string[],
  ): MaybePromise<void> {
    // In place of rules of the same priority: where an added one is, or right before one of the service's own (withdrawn, or about to be).
    const replaced = new Set(inPlaceOf);
    const at = replaced.size ? this.#added.findIndex((added) => replaced.has(added.rule.id) && added.priority === priority) : -1;
    const anchor = at < 0 ? inPlaceOf?.find((id) => !this.#added.some((added) => added.rule.id === id)) : this.#added[at]?.anchor;
    const place = at >= 0 ? at : this.#added.findIndex((added) => added.priority >= priority);
    this.#added.splice(
      place < 0 ? this.#added.length : place,
      0,
      ...rules.map((rule) => ({ service, rule, priority, ...(anchor !== undefined && { anchor }) })),
    );
    this.#addedVersion++;
    this.#clearPlans();
    const started = new Map<string, string>();
    for (const [name, states] of machines ?? []) {
      if (this.#model.machines.has(name)) continue;
      if (!this.#addedMachines.has(name)) started.set(name, states[0] as string);
      this.#addedMachines.set(name, states);
    }
    return started.size ? this.#store.setMachines(started) : undefined;
  }

  /**
   * Adds a service to the model while serving (see Stack.startService); state, counters and sequences
   * are kept. Throws when the model has a service of that name.
   */
  addService(service: Service): void {
    if (this.#model.services.has(service.name))
      throw new MockstackError(ErrorCode.ScenarioInvalid, `the scenario already has a service "${service.name}"; give the new one another name`);
    this.#model = { ...this.#model, services: new Map([...this.#model.services, [service.name, service]]) };
    this.#clearPlans();
  }

  /** Takes a service added while serving out of the model, with the rules added to it. */
  removeService(name: string): void {
    if (!this.#model.services.has(name)) return;
    const services = new Map(this.#model.services);
    services.delete(name);
    this.#model = { ...this.#model, services };
    this.removeAddedRules(this.#added.filter((added) => added.service === name).map((added) => added.rule.id));
    this.#clearPlans();
  }

  /** Stops serving the added rules with these ids; returns how many there were. */
  removeAddedRules(ids: Iterable<string>): number {
    const gone = new Set(ids);
    const before = this.#added.length;
    this.#added = this.#added.filter((added) => !gone.has(added.rule.id));
    const removed = before - this.#added.length;
    if (removed) {
      this.#addedVersion++;
      this.#clearPlans();
    }
    return removed;
  }

  /**
   * Stops serving these rules of the scenario (ids such as `orders#2`) until `restoreRules`, a reset or a
   * reload (WireMock's admin API removing a mapping read from a root's files); returns how many of them
   * were served. Ids that are no rule of the scenario are left out.
   */
  withdrawRules(ids: Iterable<string>): number {
    const rules = new Set<string>();
    for (const service of this.#model.services.values())
      for (const operation of service.operations.values()) for (const rule of operation.rules) rules.add(rule.id);
    let withdrawn = 0;
    for (const id of ids) {
      if (!rules.has(id) || this.#withdrawn.has(id)) continue;
      this.#withdrawn.add(id);
      withdrawn++;
    }
    if (withdrawn) this.#clearPlans();
    return withdrawn;
  }

  /** Serves again the scenario's rules `withdrawRules` took away (those of `ids`, or all); returns how many. */
  restoreRules(ids?: Iterable<string>): number {
    const before = this.#withdrawn.size;
    if (ids === undefined) this.#withdrawn.clear();
    else for (const id of ids) this.#withdrawn.delete(id);
    const restored = before - this.#withdrawn.size;
    if (restored) this.#clearPlans();
    return restored;
  }

  /** The ids of the scenario's rules not served now (see withdrawRules). */
  get withdrawnRules(): ReadonlySet<string> {
    return this.#withdrawn;
  }

  /** Back to the seed: fresh state, rule counters and sequences from the start, empty journal, added rules gone (in every replica of a shared store). */
  reset(): MaybePromise<void> {
    this.#resetHere();
    return this.#store.reset();
  }

  /** What this process keeps for itself goes back to the start. */
  #resetHere(): void {
    this.restoreRules();
    if (this.#added.length) {
      this.#added = [];
      this.#addedVersion++;
      this.#clearPlans();
    }
    this.#addedMachines.clear();
    this.#streams.clear();
    this.#pendingStrays.clear();
    this.journal.clear();
  }

  /**
   * Hands `payload` to every listener of `topic` (what a handler's `ctx.publish` calls); returns how
   * many there were. Listeners run synchronously, in the order they subscribed.
   */
  readonly publish = (topic: string, payload: unknown): number => {
    const listeners = this.#topics.get(topic);
    if (!listeners) return 0;
    for (const listener of [...listeners]) listener(payload);
    return listeners.size;
  };

  /** Listens to what handlers publish on `topic` until the returned function is called. */
  onPublish(topic: string, listener: (payload: unknown) => void): () => void {
    let listeners = this.#topics.get(topic);
    if (!listeners) {
      listeners = new Set();
      this.#topics.set(topic, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#topics.get(topic) === listeners) this.#topics.delete(topic);
    };
  }

  /** Replaces the shared state (the admin API's `PUT /__admin/state`); handlers see it from the next call. */
  replaceState(state: unknown): MaybePromise<void> {
    return this.#store.replaceState(state);
  }

  /** Moves state machines to these states; an unknown machine or state throws and nothing moves. */
  setMachines(states: Readonly<Record<string, string>>): MaybePromise<void> {
    const problems: string[] = [];
    for (const [machine, state] of Object.entries(states)) {
      const known = this.machineStates(machine);
      if (!known) {
        const machines = [...this.machineDefinitions.keys()];
        problems.push(`no state machine "${machine}"; the scenario has ${machines.length ? machines.map((m) => `"${m}"`).join(', ') : 'none'}`);
      } else if (typeof state !== 'string' || !known.includes(state)) {
        problems.push(`state machine "${machine}" has no state ${JSON.stringify(state)}; its states: ${known.map((k) => `"${k}"`).join(', ')}`);
      }
    }
    if (problems.length) throw new MockstackError(ErrorCode.AdminStateInvalid, problems.join('; '));
    return this.#store.setMachines(new Map(Object.entries(states)));
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
    this.#redactor = new Redactor(model.redact, this.#redact);
    this.#withdrawn.clear();
    this.#clearPlans();
    this.#variants = this.#variants.filter((n) => model.variants.has(n));
    this.#tellVariantListeners();
    if (seedChanged || options.keepState === false) {
      this.#seed = model.seed;
      this.#streams.clear();
    }
    // The replicas of a shared store keep its state as it is: one reloading must not reset the others.
    if (this.#store.shared) return change;
    this.#store.clearCalls();
    if (seedChanged || options.keepState === false) {
      this.#store.replaceState(model.initialState());
      this.#store.setMachines(this.#initialMachines(), { whole: true });
    } else {
      // Keep machines that still exist in a state they still have; start new ones.
      const machines = this.#initialMachines();
      for (const [name, state] of this.#store.machines()) if (this.machineStates(name)?.includes(state)) machines.set(name, state);
      this.#store.setMachines(machines, { whole: true });
      this.#reshapeState(model.initialState(), change);
    }
    return change;
  }

  /** Seeds keys the fresh state has and the kept one lacks; drops keys it no longer has. */
  #reshapeState(fresh: unknown, change: StateShapeChange): void {
    const kept = this.#store.state();
    if (!isPlainRecord(fresh) || !isPlainRecord(kept)) {
      if (isPlainRecord(fresh) !== isPlainRecord(kept)) this.#store.replaceState(fresh);
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

  /** The random stream of one kind of decision for one rule or service, seeded from the scenario's seed and its name. */
  #stream(kind: string, owner: string): SeededRandom {
    const key = `${kind}\u0000${owner}`;
    let stream = this.#streams.get(key);
    if (!stream) {
      stream = new SeededRandom(hashString(key, this.#seed));
      this.#streams.set(key, stream);
    }
    return stream;
  }

  #clearPlans(): void {
    this.#plans.clear();
    this.#servicePlans.clear();
  }

  #initialMachines(): Map<string, string> {
    return new Map([...this.machineDefinitions].map(([name, states]) => [name, states[0] ?? '']));
  }

  /** A fault when `limit` calls already came in this window, else undefined (and the call counts). */
  #rateLimited(request: CoreRequest, key: string, limit: RateLimit | undefined): MaybePromise<Fault | undefined> {
    if (!limit) return undefined;
    const windowMs = parseDuration(limit.window) ?? 1000;
    return after(this.#store.hit(request, key, limit.limit, windowMs), (waitMs) =>
      waitMs === undefined
        ? undefined
        : makeFault(Code.ResourceExhausted, `rate limit of ${limit.limit} per ${limit.window} exceeded`, { retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) }),
    );
  }

  /** The rule's own rate limit, then the service's (a request that is part of another got the service's with it). */
  #limited(request: CoreRequest, plan: OperationPlan, rule: Rule): MaybePromise<Fault | undefined> {
    return after(this.#rateLimited(request, rule.id, rule.rateLimit), (fault) =>
      fault || request.partOf || !plan.serviceRateLimit ? fault : this.#rateLimited(request, `service:${plan.service.name}`, plan.serviceRateLimit),
    );
  }

  /**
   * Decides the answer to one request: the first matching rule's responder, delays applied.
   * Synchronous when the responder is and there is no delay: answering in the same tick lets
   * node write the response with the request's own socket flush, which doubles throughput.
   */
  handle(request: CoreRequest, contract?: ContractDefault): Outcome | Promise<Outcome> {
    const plan = this.#plan(request.service, request.operation) ?? (contract ? this.#servicePlan(request.service) : undefined);
    if (!plan) return { kind: 'unmatched', miss: this.explainUnknownOperation(request) };
    const begun = this.#store.begin?.(request);
    if (!begun) return this.#answerFrom(request, plan, 0, contract);
    return begun
      .then(() => this.#answerFrom(request, plan, 0, contract))
      .then(
        (outcome) => {
          this.#store.end?.(request);
          return outcome;
        },
        (error: unknown) => {
          this.#store.end?.(request);
          const fault =
            error instanceof StoreUnavailableError ? error.fault() : makeFault(Code.Internal, `the store ${this.#store.name} failed: ${describeError(error)}`);
          this.logger.error(fault.message, { service: request.service, operation: request.operation });
          return { kind: 'fault', rule: undefined, fault };
        },
      );
  }

  /** The answer of the first rule at or after `start` that matches and does not fall through. */
  #answerFrom(
    request: CoreRequest,
    plan: OperationPlan,
    start: number,
    contract: ContractDefault | undefined,
    fellThrough = false,
  ): Outcome | Promise<Outcome> {
    const machines = this.#store.machines(request);
    const index = this.#firstMatch(request, plan, start, machines);
    const rule = plan.rules[index];
    if (rule) {
      // The store counts the call; a shared one may find that other replicas used up the rule's `times`.
      const call = this.#store.claim(request, rule);
      if (call instanceof Promise)
        return call.then((n) =>
          n < 0 ? this.#answerFrom(request, plan, index + 1, contract, fellThrough) : this.#answerRule(request, plan, rule, index, n, contract),
        );
      if (call >= 0) return this.#answerRule(request, plan, rule, index, call, contract);
      return this.#answerFrom(request, plan, index + 1, contract, fellThrough);
    }
    if (plan.serviceFault && !request.partOf) return this.#delayed(request, plan, undefined, { kind: 'fault', rule: undefined, fault: plan.serviceFault });
    if (contract === 'unmatched' || (contract === 'unruled' && (fellThrough || plan.rules.length === plan.overlayRuleCount))) {
      return this.#fallback(request, plan);
    }
    const miss = explainMiss(request, plan.rules, this.#store.calls(), machines);
    return fellThrough ? { kind: 'unmatched', miss, fellThrough: true } : { kind: 'unmatched', miss };
  }

  /** Rule `index` of the plan matched, as its call number `call`: the service's fault, rate limits and chaos, then its responder. */
  #answerRule(
    request: CoreRequest,
    plan: OperationPlan,
    rule: Rule,
    index: number,
    call: number,
    contract: ContractDefault | undefined,
  ): Outcome | Promise<Outcome> {
    // A variant's own rules come first and win over the same variant's service-wide fault.
    // A request that is part of another (a GraphQL field) got the service-wide fault, delay, limit and chaos with it.
    if (plan.serviceFault && index >= plan.overlayRuleCount && !request.partOf) {
      return this.#delayed(request, plan, rule, { kind: 'fault', rule, fault: plan.serviceFault });
    }
    // No rate limit applies (the usual case): no closure for `after`.
    if (!rule.rateLimit && (request.partOf || !plan.serviceRateLimit)) return this.#run(request, plan, rule, index, call, contract);
    return after(this.#limited(request, plan, rule), (limited) =>
      limited ? this.#delayed(request, plan, rule, { kind: 'fault', rule, fault: limited }) : this.#run(request, plan, rule, index, call, contract),
    );
  }

  /** Chaos, then the rule's responder (bounded by its timeout). */
  #run(request: CoreRequest, plan: OperationPlan, rule: Rule, index: number, call: number, contract: ContractDefault | undefined): Outcome | Promise<Outcome> {
    const chaos = rule.chaos ?? (request.partOf ? undefined : plan.chaos);
    if (chaos && this.#stream('chaos', rule.id).next() < chaos.failRate) {
      return this.#delayed(request, plan, rule, { kind: 'fault', rule, fault: chaosFault(chaos) });
    }
    let step: Step | Promise<Step>;
    try {
      step = this.#respond(rule, rule.respond, request, call);
    } catch (error) {
      step = { kind: 'fault', rule, fault: handlerFault(rule, error) };
    }
    if (step instanceof Promise) {
      const matched = rule;
      const limit = this.handlerTimeoutOf(rule, request.service);
      return withTimeout(step, limit, (): Step => ({ kind: 'fault', rule: matched, fault: timeoutFault(matched, limit) })).then(
        (settled) => this.#settle(request, plan, matched, index, settled, contract),
        (error: unknown) => this.#settle(request, plan, matched, index, { kind: 'fault', rule: matched, fault: handlerFault(matched, error) }, contract),
      );
    }
    return this.#settle(request, plan, rule, index, step, contract);
  }

  /** No rule answered: the contract will, after the service's rate limit, chaos and delay (its fault was applied by the caller). */
  /** The position of the first rule at or after `start` that matches, or -1: every rule tested, or those the plan's index leaves. */
  #firstMatch(request: CoreRequest, plan: OperationPlan, start: number, machines: ReadonlyMap<string, string>): number {
    if (!plan.index) {
      for (let index = start; index < plan.rules.length; index++) if (this.#matches(plan.rules[index] as Rule, request, machines)) return index;
      return -1;
    }
    const candidates = plan.index.candidates(request);
    let c = 0;
    if (start > 0) while (c < candidates.length && (candidates[c] as number) < start) c++;
    for (; c < candidates.length; c++) {
      const index = candidates[c] as number;
      if (this.#matches(plan.rules[index] as Rule, request, machines)) return index;
    }
    return -1;
  }

  #matches(rule: Rule, request: CoreRequest, machines: ReadonlyMap<string, string>): boolean {
    // A rule known to be used up is skipped before its matchers run (a shared store knows it as of this replica's last claim).
    if (rule.times !== undefined && (this.#store.calls().get(rule.id) ?? 0) >= rule.times) return false;
    return inState(rule, machines) && matchesAll(rule, request);
  }

  #fallback(request: CoreRequest, plan: OperationPlan): Outcome | Promise<Outcome> {
    const rule = plan.contractRule ?? contractRuleOf(request.operation);
    if (request.partOf) return this.#delayed(request, plan, rule, { kind: 'fallback', rule });
    return after(this.#rateLimited(request, `service:${plan.service.name}`, plan.serviceRateLimit), (limited) => {
      if (limited) return this.#delayed(request, plan, rule, { kind: 'fault', rule, fault: limited });
      const chaos = plan.chaos;
      if (chaos && this.#stream('chaos', rule.id).next() < chaos.failRate)
        return this.#delayed(request, plan, rule, { kind: 'fault', rule, fault: chaosFault(chaos) });
      return this.#delayed(request, plan, rule, { kind: 'fallback', rule });
    });
  }

  /** Rule `index` of the plan answered `step`: let the next rules answer, or apply its state change and delays. */
  #settle(request: CoreRequest, plan: OperationPlan, rule: Rule, index: number, step: Step, contract: ContractDefault | undefined): Outcome | Promise<Outcome> {
    if (step === FALL_THROUGH) return this.#answerFrom(request, plan, index + 1, contract, true);
    if (rule.setState) for (const machine in rule.setState) this.#store.moveMachine(request, machine, rule.setState[machine] as string);
    const committed = this.#store.commit?.(request);
    if (!committed) return this.#delayed(request, plan, rule, step);
    // Another request changed the shared state since this one loaded it: load it again and answer again.
    return committed.then((saved) =>
      saved
        ? this.#delayed(request, plan, rule, step)
        : (this.#store.begin?.(request) ?? Promise.resolve()).then(() => this.#answerFrom(request, plan, 0, contract)),
    );
  }

  /** Blanks secrets in a request before it is written down (the journal and logs use it; so should a recorder). */
  get redactor(): Redactor {
    return this.#redactor;
  }

  /** Journals and logs a finished request (secrets redacted). Adapters call it once per request, matched or not. */
  record(request: CoreRequest, outcome: Outcome, completion: Completion): JournalEntry {
    const now = performance.now();
    const written = this.#redactor.request(request);
    const entry = this.journal.record(
      new JournalRecord(
        written,
        epochTimeOf(completion.startedAt, now),
        now - completion.startedAt,
        outcome.kind === 'unmatched' ? null : (outcome.rule?.id ?? null),
        completion.status,
        completion.code ?? (outcome.kind === 'fault' ? outcome.fault.code : undefined),
        outcome.kind === 'unmatched' ? outcome.miss : undefined,
        completion.error ?? (outcome.kind === 'fault' ? outcome.fault.message : undefined),
        this.#variants,
        // Only a request that carried secrets has any for the answer to repeat.
        this.#redactor.answer(withMessages(completion.response ?? answerOf(outcome), completion.messages), written === request ? undefined : request),
      ),
    );
    this.#store.journaled?.(entry);
    if (this.#pendingStrays.size > 0) {
      entry.strayErrors = this.#pendingStrays.get(request);
      this.#pendingStrays.delete(request);
    }
    this.logger.request(entry);
    return entry;
  }

  /**
   * The runner's watchdog stopped the handler of `rule`, stuck for `ms` in a synchronous loop: the
   * request is answered INTERNAL naming the rule where the adapter can still answer, and journaled.
   */
  handlerStopped(rule: Rule, request: CoreRequest, ms: number): void {
    const where = rule.source ? ` (${formatSource(rule.source)})` : '';
    const fault = makeFault(
      Code.Internal,
      `handler of rule ${rule.id}${where} ran for more than ${ms} ms without returning (a synchronous loop?) and was stopped; make it return, or give the rule a longer timeout`,
    );
    this.logger.error(fault.message, { rule: rule.id, service: request.service, operation: request.operation });
    const outcome: Outcome = { kind: 'fault', rule, fault };
    if (request.answerLate) request.answerLate(outcome);
    else this.record(request, outcome, { status: Code.Internal, code: Code.Internal, error: fault.message, startedAt: performance.now() });
  }

  /**
   * Runs scenario code other than a responder (a WebSocket listener) as `rule`'s handler for `request`:
   * under the runner's guard, a loop in it is stopped after the handler's timeout (`request.answerLate`
   * hears of it) and an error it leaves behind is charged to the rule. Without a guard it just runs.
   */
  runGuarded<T>(rule: Rule, request: CoreRequest, code: () => T): T {
    return this.#guard ? (this.#guard.run(this, rule, request, code, request as HandlerContext) as T) : code();
  }

  /** Milliseconds the handler of `rule` may take: the rule's timeout, its service's, or the engine's default. */
  handlerTimeoutOf(rule: Rule, service: string): number {
    const own = rule.timeout === undefined ? undefined : parseDuration(rule.timeout);
    if (own !== undefined) return own;
    const shared = this.#model.services.get(service)?.timeout;
    return (shared === undefined ? undefined : parseDuration(shared)) ?? this.#handlerTimeout;
  }

  /**
   * An error that the handler of `rule` left behind while answering `request`: a rejection nobody
   * handled, or a throw in a timer it set. Logged with where it was thrown and noted on the
   * request's journal entry (`strayErrors`); serving goes on.
   */
  strayError(rule: Rule, request: CoreRequest, error: unknown, thrownAt: SourceLocation | undefined): void {
    const declared = rule.source ? ` (${formatSource(rule.source)})` : '';
    const where = thrownAt ? ` at ${formatSource(thrownAt)}` : '';
    const message = `handler of rule ${rule.id}${declared} left an uncaught error${where}: ${describeError(error)}`;
    this.logger.error(message, { rule: rule.id, service: request.service, operation: request.operation });
    const record = this.journal.newest((r) => r.rule === rule.id && r.headers === request.headers && r.body === request.body);
    if (record) {
      record.strayErrors = [...(record.strayErrors ?? []), message];
      return;
    }
    // A field of a GraphQL operation is journaled as the operation: bound what waits for an entry that may never come.
    if (this.#pendingStrays.size >= MAX_PENDING_STRAYS) this.#pendingStrays.delete(this.#pendingStrays.keys().next().value as CoreRequest);
    this.#pendingStrays.set(request, [...(this.#pendingStrays.get(request) ?? []), message]);
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
    const declared = service.operations.has(operationId);
    // An operation without rules of its own (e.g. a GraphQL operation name), no variant on and no rule added: nothing to build.
    if (!declared && this.#variants.length === 0 && this.#added.length === 0) return undefined;
    const plan = this.#planOf(service, operationId);
    if (!declared && plan.rules.length === 0 && !plan.serviceFault) return undefined;
    if (!plans) {
      plans = new Map();
      this.#plans.set(serviceName, plans);
    }
    plans.set(operationId, plan);
    return plan;
  }

  /** The plan for operations of the service that have no rules: its behaviours only (not kept per operation: ids may be the client's). */
  #servicePlan(serviceName: string): OperationPlan | undefined {
    let plan = this.#servicePlans.get(serviceName);
    if (plan) return plan;
    const service = this.#model.services.get(serviceName);
    if (!service) return undefined;
    plan = this.#planOf(service, undefined);
    this.#servicePlans.set(serviceName, plan);
    return plan;
  }

  #planOf(service: Service, operationId: string | undefined): OperationPlan {
    const rules: Rule[] = [];
    let serviceFault: Fault | undefined;
    let serviceDelay = service.delay;
    let serviceRateLimit = service.rateLimit;
    let chaos = service.chaos ?? this.#model.chaos;
    // The first active variant that sets a behaviour wins.
    for (const name of [...this.#variants].reverse()) {
      const overlay = this.#model.variants.get(name)?.services.get(service.name);
      if (!overlay) continue;
      if (overlay.fault) serviceFault = overlay.fault;
      if (overlay.delay !== undefined) serviceDelay = overlay.delay;
      if (overlay.rateLimit !== undefined) serviceRateLimit = overlay.rateLimit;
      if (overlay.chaos !== undefined) chaos = overlay.chaos;
    }
    const declared = operationId === undefined ? [] : (service.operations.get(operationId)?.rules ?? []);
    const own = this.#withdrawn.size ? declared.filter((rule) => !this.#withdrawn.has(rule.id)) : declared;
    const added: AddedRule[] = [];
    if (operationId !== undefined) for (const rule of this.#added) if (rule.service === service.name && rule.rule.operation === operationId) added.push(rule);
    if (operationId !== undefined)
      for (const name of this.#variants) rules.push(...(this.#model.variants.get(name)?.services.get(service.name)?.rules.get(operationId) ?? []));
    let overlayRuleCount: number;
    if (own[0]?.priority === undefined) {
      // Added rules answer before the variants' and the scenario's.
      rules.unshift(...added.map((rule) => rule.rule));
      overlayRuleCount = rules.length;
      rules.push(...own);
    } else {
      // Rules with a priority (a WireMock root's mappings) and the added ones are tried by priority, the added
      // first of one priority, as WireMock tries its files' stubs and those sent at runtime; after the variants'.
      // One in place of a withdrawn rule (an edited stub of the root) is tried where that one was.
      overlayRuleCount = rules.length;
      const anchored = added.filter((rule) => rule.anchor !== undefined && rule.priority === declared.find((d) => d.id === rule.anchor)?.priority);
      const byPriority = anchored.length ? added.filter((rule) => !anchored.includes(rule)) : added;
      let next = 0;
      for (const rule of declared) {
        while (next < byPriority.length && (byPriority[next] as AddedRule).priority <= (rule.priority ?? Number.POSITIVE_INFINITY))
          rules.push((byPriority[next++] as AddedRule).rule);
        for (const inPlace of anchored) if (inPlace.anchor === rule.id) rules.push(inPlace.rule);
        if (!this.#withdrawn.has(rule.id)) rules.push(rule);
      }
      for (; next < byPriority.length; next++) rules.push((byPriority[next] as AddedRule).rule);
    }
    return {
      rules,
      overlayRuleCount,
      contractRule: operationId === undefined ? undefined : contractRuleOf(operationId),
      service,
      serviceFault,
      serviceDelay,
      serviceRateLimit,
      chaos,
      index: indexOf(rules),
    };
  }

  #respond(rule: Rule, responder: Responder, request: CoreRequest, call: number): Step | Promise<Step> {
    if (typeof responder !== 'function') return this.#classify(rule, responder, request, call);
    // The request is the handler's context: built once per request by the adapter, the engine adds
    // the state and the call number (a copy would cost ~5k instructions a request, and would make an
    // adapter's lazy `signal` getter eager).
    const context = request as HandlerContext;
    context.state = this.#store.state(request);
    context.call = call;
    context.publish = this.publish;
    const handler = responder as (ctx: HandlerContext) => unknown;
    const value = this.#guard ? this.#guard.run(this, rule, request, handler, context) : handler(context);
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
    if (isFault(value)) {
      if (value.webhooks?.length) this.sendWebhooks(request, rule, value.webhooks);
      return { kind: 'fault', rule, fault: value };
    }
    if (isReply(value)) {
      if (value.webhooks?.length) this.sendWebhooks(request, rule, value.webhooks);
      return { kind: 'reply', rule, reply: value };
    }
    return { kind: 'body', rule, body: value };
  }

  /** Makes outbound calls beside an answer (see `WebhookSender`); adapters call it for their contract's callbacks. */
  sendWebhooks(request: CoreRequest, rule: Rule, webhooks: readonly Webhook[]): void {
    if (this.#webhooks) this.#webhooks.send(request, rule, webhooks);
    else
      this.logger.warn(
        `${webhooks.length} webhook(s) of ${request.operation} not sent: this stack has no webhook sender (serve it with runScenario or startStack)`,
      );
  }

  #delayed(request: CoreRequest, plan: OperationPlan, rule: Rule | undefined, outcome: Outcome): Outcome | Promise<Outcome> {
    const replyDelay = outcome.kind === 'reply' ? outcome.reply.delay : undefined;
    const ruleDelay = rule?.delay ?? replyDelay;
    const serviceDelay = request.partOf ? undefined : plan.serviceDelay;
    if (serviceDelay === undefined && ruleDelay === undefined) return outcome;
    const ms =
      resolveDelay(serviceDelay, () => this.#stream('service delay', plan.service.name)) + resolveDelay(ruleDelay, () => this.#stream('delay', rule?.id ?? ''));
    if (ms <= 0) return outcome;
    return sleep(ms, request.signal).then((completed) => (completed ? outcome : { kind: 'aborted', rule }));
  }
}

/** `Date.now() - performance.now()`, measured again at most once a second (the wall clock may be set meanwhile). */
let epochOffset = Date.now() - performance.now();
let epochOffsetAt = performance.now();

/** The epoch time of `performance.now()` reading `at`, `now` being a recent reading: no clock read per request but once a second. */
function epochTimeOf(at: number, now: number): number {
  if (now - epochOffsetAt > 1000) {
    epochOffset = Date.now() - now;
    epochOffsetAt = now;
  }
  return at + epochOffset;
}

/** The rule a contract answer is journaled under. */
function contractRuleOf(operation: string): Rule {
  return { id: `contract:${operation}`, operation, name: 'contract', respond: undefined, matchers: [] };
}

function chaosFault(chaos: Chaos): Fault {
  return chaos.fault ?? makeFault(Code.Unavailable, `chaos: ${Math.round(chaos.failRate * 100)}% of calls fail`);
}

/**
 * What the outcome says was answered (an adapter's contract default is not known here): the part of
 * the outcome that has the answer's headers, trailers and body, itself (no copy per request; the
 * journal reads only those fields).
 */
function answerOf(outcome: Outcome): JournalRecord['answer'] {
  switch (outcome.kind) {
    case 'body':
      return outcome;
    case 'reply':
      return outcome.reply;
    case 'fault':
      return outcome.fault;
    default:
      return undefined;
  }
}

function indexOf(rules: readonly Rule[]): RuleIndex | undefined {
  if (rules.length < INDEX_MIN_RULES) return undefined;
  const index = new RuleIndex(rules);
  return index.selective ? index : undefined;
}

/** The answer with a streaming call's messages; what the call sent stands for the body (the handler's iterable, spent). */
function withMessages(answer: JournalRecord['answer'], messages: StreamMessages | undefined): JournalRecord['answer'] {
  if (!messages || messages.kept.length + messages.dropped === 0) return answer;
  return {
    ...answer,
    body: messages.sent > 0 ? undefined : answer?.body,
    messages: messages.kept,
    droppedMessages: messages.dropped || undefined,
  };
}

/** `next(value)`, now or when `value` settles: the in-memory store answers now, a shared one later. */
function after<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

function inState(rule: Rule, machines: ReadonlyMap<string, string>): boolean {
  if (!rule.whenState) return true;
  for (const machine in rule.whenState) if (machines.get(machine) !== rule.whenState[machine]) return false;
  return true;
}

function matchesAll(rule: Rule, request: CoreRequest): boolean {
  for (const matcher of rule.matchers) if (!matcher.test(request)) return false;
  return true;
}

const MAX_PENDING_STRAYS = 100;

/** `promise`, or what `late` gives if it has not settled after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, late: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(late()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function timeoutFault(rule: Rule, ms: number): Fault {
  const where = rule.source ? ` (${formatSource(rule.source)})` : '';
  return makeFault(
    Code.Internal,
    `handler of rule ${rule.id}${where} did not answer within ${ms} ms; make it resolve, or give the rule or its service a longer timeout (e.g. timeout: '30s')`,
  );
}

/** An error's message, or what was thrown when it is no Error. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

function handlerFault(rule: Rule, error: unknown): Fault {
  if (isFault(error)) return error;
  const where = rule.source ? ` (${formatSource(rule.source)})` : '';
  return makeFault(Code.Internal, `handler of rule ${rule.id}${where} threw: ${describeError(error)}`);
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
  // A rule that matches, yet did not answer, passed the request on (a handler's fallThrough(), no MSW handler taking it).
  const passedOn = nearest !== undefined && nearest.missed.length === 0 ? nearest.rule : undefined;
  if (passedOn) nearest?.missed.push('it matched but passed the request on (fallThrough(), a sequence that ended, no MSW handler taking it)');
  const named = (rule: Rule): string => `rule ${rule.id}${rule.name ? ` (${rule.name})` : ''}${rule.source ? ` at ${formatSource(rule.source)}` : ''}`;
  return {
    message: passedOn
      ? `no rule of ${request.service} ${request.operation} answers ${request.target}: ${named(passedOn)} matched and passed it on`
      : `no rule of ${request.service} ${request.operation} matches ${request.target}`,
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
    hint: passedOn
      ? `make ${named(passedOn)} answer ${request.target}, or add a rule after it that does, or give the service a proxy to the real one`
      : nearest
        ? `change the request, or relax rule ${nearest.rule.id}${nearest.rule.source ? ` at ${formatSource(nearest.rule.source)}` : ''}, or add a rule without conditions after it`
        : `add a rule for ${request.operation}`,
  };
}
