import { Code } from './code.js';
import { ErrorCode, MockstackError } from './errors.js';
import type { JournalEntry } from './journal.js';
import type { CoreRequest, Fault, Rule } from './model.js';
import { makeFault } from './reply.js';

/** A value now, or later when the store is remote. */
export type MaybePromise<T> = T | Promise<T>;

/** What a store is given by the engine it serves: the seed values and what to do when another replica changes something. */
export interface StoreBinding {
  /** A fresh copy of the scenario's `state()`. */
  initialState(): unknown;
  /** Every state machine in its first state. */
  initialMachines(): Map<string, string>;
  /** The variants this process was started with (`--variant`); empty when none were given. */
  variants(): readonly string[];
  /** Another replica switched variants: apply them here. */
  variantsChanged(names: readonly string[]): void;
  /** Another replica reset the stack: drop what this process keeps for itself (its journal copy, counters it cached). */
  resetElsewhere(): void;
  /** Another replica journaled a request: keep it in this process's journal too. */
  journaled(entry: JournalEntry): void;
  /** Another replica shared a document (see `Store.shareDocument`), or removed it (`document` undefined). */
  documentShared(topic: string, id: string, document: unknown): void;
}

/**
 * Everything the replicas of one mock must share: the scenario state, state machines, rule counters
 * (`times`, sequence positions), rate-limit windows, active variants, the journal and `reset`. The
 * engine reads and writes these only through its store.
 *
 * The default, {@link MemoryStore}, keeps them in this process and answers synchronously, so a single
 * process pays nothing for the seam. A shared store (e.g. `@mockstack/store-redis`) answers with promises:
 * `begin` loads what a request sees, `claim` and `hit` count atomically where all replicas see it,
 * and `commit` writes the request's state back, or reports a conflict so the engine runs the request again.
 */
export interface Store {
  /** What the store is, in errors and logs: `memory`, `redis://127.0.0.1:6379/0`. */
  readonly name: string;
  /** True when other processes share it (state lives elsewhere; a reload keeps it as it is). */
  readonly shared: boolean;
  /** Called once by the engine before anything else. */
  bind(binding: StoreBinding): void;
  /** Connects (a shared store); the stack calls it before serving. */
  open?(): Promise<void>;
  close?(): Promise<void>;
  /** Loads what `request` sees (state, machines); undefined when there is nothing to wait for. Called again before a retry. */
  begin?(request: CoreRequest): Promise<void> | undefined;
  /** Saves what the request's handler changed: false when another request changed it first (the engine runs it again). */
  commit?(request: CoreRequest): Promise<boolean> | undefined;
  /** The request is over (answered, faulted, or failed): release what `begin` took. */
  end?(request: CoreRequest): void;
  /** The state a request's handler sees (and may change); without a request, the latest this process knows. */
  state(request?: CoreRequest): unknown;
  /** Replaces the whole state (admin `PUT /__admin/state`, a reload reshaping it). */
  replaceState(state: unknown): MaybePromise<void>;
  /** Each machine's current state, as `request` sees it; without a request, the latest this process knows. */
  machines(request?: CoreRequest): ReadonlyMap<string, string>;
  /** Moves a machine as part of `request` (saved with its state). */
  moveMachine(request: CoreRequest, machine: string, state: string): void;
  /** Moves machines at once (admin `PUT /__admin/machines`); `whole`: these are all the machines there are (a reload). */
  setMachines(states: ReadonlyMap<string, string>, options?: { whole?: boolean }): MaybePromise<void>;
  /** Counts a call of `rule` and gives its number from 0, or -1 when the rule already answered its `times`. */
  claim(request: CoreRequest, rule: Rule): MaybePromise<number>;
  /** Calls counted per rule id, as far as this process knows (near-miss reports). */
  calls(): ReadonlyMap<string, number>;
  /** Rule counters back to 0 (a reload). */
  clearCalls(): MaybePromise<void>;
  /** Counts a call in the rate-limit window `key`: milliseconds until the window ends when `limit` calls came in it already, else undefined. */
  hit(request: CoreRequest, key: string, limit: number, windowMs: number): MaybePromise<number | undefined>;
  /** Shares the active variants (the engine applied them here already). */
  setVariants(names: readonly string[]): MaybePromise<void>;
  /** Shares a journaled request with the other replicas. */
  journaled?(entry: JournalEntry): void;
  /** Back to the seed for every replica: state, machines, counters, windows, journal. */
  reset(): MaybePromise<void>;
  /** Brings `state()` and `machines()` without a request up to date (admin reads). */
  refresh?(): Promise<void>;
  /**
   * Shares a JSON document with the other replicas under `topic` and `id`, or removes it (`document`
   * undefined): stubs added over the admin API (WireMock mappings), so that each replica serves them.
   * `reset` removes them all. A store of one process needs neither this nor `sharedDocuments`.
   */
  shareDocument?(topic: string, id: string, document: unknown): MaybePromise<void>;
  /** The documents of `topic` the replicas share now, by id (what a replica started later takes). */
  sharedDocuments?(topic: string): Promise<ReadonlyMap<string, unknown>>;
}

/** A shared store cannot be reached: requests that need it are answered UNAVAILABLE naming it. */
export class StoreUnavailableError extends MockstackError {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(
      ErrorCode.StoreUnavailable,
      `the shared store ${store} is unavailable (${cause instanceof Error ? cause.message : String(cause)}); requests that need it fail until it is back, then serving resumes`,
      { cause },
    );
  }

  /** The fault a request gets while the store is away. */
  fault(): Fault {
    return makeFault(Code.Unavailable, this.message);
  }
}

/**
 * The default store: everything in this process, answered synchronously (a single process serves
 * exactly as without a store).
 */
export class MemoryStore implements Store {
  readonly name = 'memory';
  readonly shared = false;
  #binding: StoreBinding | undefined;
  #state: unknown;
  #machines = new Map<string, string>();
  #calls = new Map<string, number>();
  #windows = new Map<string, { start: number; count: number }>();

  bind(binding: StoreBinding): void {
    this.#binding = binding;
    this.#state = binding.initialState();
    this.#machines = binding.initialMachines();
  }

  state(): unknown {
    return this.#state;
  }

  replaceState(state: unknown): void {
    this.#state = state;
  }

  machines(): ReadonlyMap<string, string> {
    return this.#machines;
  }

  moveMachine(_request: CoreRequest, machine: string, state: string): void {
    this.#machines.set(machine, state);
  }

  setMachines(states: ReadonlyMap<string, string>, options: { whole?: boolean } = {}): void {
    if (options.whole) this.#machines.clear();
    for (const [machine, state] of states) this.#machines.set(machine, state);
  }

  claim(_request: CoreRequest, rule: Rule): number {
    const call = this.#calls.get(rule.id) ?? 0;
    if (rule.times !== undefined && call >= rule.times) return -1;
    this.#calls.set(rule.id, call + 1);
    return call;
  }

  calls(): ReadonlyMap<string, number> {
    return this.#calls;
  }

  clearCalls(): void {
    this.#calls.clear();
  }

  hit(_request: CoreRequest, key: string, limit: number, windowMs: number): number | undefined {
    const now = Date.now();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count >= limit) return window.start + windowMs - now;
    window.count++;
    return undefined;
  }

  setVariants(): void {}

  reset(): void {
    const binding = this.#binding;
    if (binding) {
      this.#state = binding.initialState();
      this.#machines = binding.initialMachines();
    }
    this.#calls.clear();
    this.#windows.clear();
  }
}
