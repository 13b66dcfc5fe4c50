import { randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import {
  type CoreRequest,
  ErrorCode,
  type JournalEntry,
  MockstackError,
  messageClause,
  type Rule,
  type Store,
  type StoreBinding,
  StoreUnavailableError,
} from '@mockstack/core';
import { Redis } from 'ioredis';

export interface RedisStoreOptions {
  /** Prefix of every key and of the channel, so that several scenarios can share one Redis. Default `mockstack:default`. */
  prefix?: string | undefined;
  /** Journal entries the stream keeps, about (XADD MAXLEN ~). Default 1,000. */
  journalEntries?: number | undefined;
  /** Milliseconds a command may take before the request is answered UNAVAILABLE. Default 2,000. */
  commandTimeout?: number | undefined;
}

/** The state document and state machines as one request saw them, at `version`. */
interface Snapshot {
  version: number;
  state: unknown;
  machines: Map<string, string>;
  /** The document as loaded (v8 serialization), to tell whether a handler changed it; undefined before the first write. */
  blob: Buffer | undefined;
}

/** What one request holds between `begin` and `end`: kept across its retries so that it counts once. */
interface Session {
  snapshot: Snapshot;
  /** The handler got the state, or a machine moved: the document may have changed. */
  dirty: boolean;
  claims: Map<string, number>;
  hits: Map<string, number | undefined>;
  attempts: number;
  release: (() => void) | undefined;
}

/** Attempts of one request whose state write keeps losing to others before it is refused. */
const MAX_ATTEMPTS = 50;

/** Lua: the call number of a rule with `times`, or -1 when it answered them all (counted only when it answers). */
const CLAIM_TIMES = `
local c = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if c >= tonumber(ARGV[2]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], c + 1)
return c`;

/** Lua: one call in a rate-limit window that starts with its first call (Redis's clock): -1, or ms until the window ends. */
const HIT_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = tonumber(ARGV[3])
local s = tonumber(redis.call('HGET', KEYS[1], ARGV[1] .. ':s') or '-1')
local c = 0
if s < 0 or now - s >= w then
  s = now
  redis.call('HSET', KEYS[1], ARGV[1] .. ':s', s, ARGV[1] .. ':c', 0)
else
  c = tonumber(redis.call('HGET', KEYS[1], ARGV[1] .. ':c') or '0')
end
if c >= tonumber(ARGV[2]) then return s + w - now end
redis.call('HSET', KEYS[1], ARGV[1] .. ':c', c + 1)
return -1`;

/** Lua: writes the document when its version is still the one read (compare-and-set), bumping it. */
const SAVE_DOC = `
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', v + 1, 'd', ARGV[2])
return 1`;

type Event =
  | { origin: string; kind: 'variants'; names: string[] }
  | { origin: string; kind: 'reset' }
  | { origin: string; kind: 'document'; topic: string; id: string; document?: unknown };

/**
 * A store that replicas share through Redis: the state document and machines (one versioned hash,
 * written with a compare-and-set), rule counters (HINCRBY, a script for `times`), rate-limit windows (a
 * script on Redis's clock), variants and reset (a key plus pub/sub), documents the replicas share (a hash
 * plus pub/sub: stubs added over the admin API), and the journal (a capped stream).
 * Requests load the document when they start and write it back when their handler changed it; when
 * another request wrote first, the engine runs the request again on the new document.
 */
export class RedisStore implements Store {
  readonly name: string;
  readonly shared = true;
  readonly #origin = randomUUID();
  readonly #keys: { doc: string; calls: string; windows: string; variants: string; journal: string; events: string; shared: string };
  readonly #journalEntries: number;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #reader: Redis;
  #binding: StoreBinding | undefined;
  #sessions = new WeakMap<CoreRequest, Session>();
  /** The newest document this process saw (admin reads, handlers outside a request). */
  #latest: Snapshot = { version: 0, state: undefined, machines: new Map(), blob: undefined };
  #calls = new Map<string, number>();
  /** Retries of conflicting requests run one at a time in this process, so that they stop conflicting with each other. */
  #retries: Promise<void> = Promise.resolve();
  #opened = false;
  #closed = false;
  #reading: Promise<void> | undefined;

  constructor(url: string, options: RedisStoreOptions = {}) {
    const parsed = parseUrl(url);
    this.name = `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '/0' : parsed.pathname}`;
    const prefix = options.prefix ?? 'mockstack:default';
    this.#keys = {
      doc: `${prefix}:doc`,
      calls: `${prefix}:calls`,
      windows: `${prefix}:windows`,
      variants: `${prefix}:variants`,
      journal: `${prefix}:journal`,
      events: `${prefix}:events`,
      // Documents the replicas share (WireMock mappings added over the admin API), one field per `topic\0id`.
      shared: `${prefix}:shared`,
    };
    this.#journalEntries = options.journalEntries ?? 1000;
    const common = {
      lazyConnect: true,
      // A request while Redis is away fails at once (UNAVAILABLE) instead of queueing; reconnection goes on in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A socket that does not close when asked is destroyed after this (the default 2 s timer outlives a closed stack).
      disconnectTimeout: 200,
      // Reconnect while serving (at most every second); not before the store opened (a failed start is final) or once closed.
      retryStrategy: (times: number) => (this.#opened && !this.#closed ? Math.min(times * 100, 1000) : null),
    };
    this.#redis = new Redis(url, { ...common, commandTimeout: options.commandTimeout ?? 2000, enableAutoPipelining: true });
    this.#redis.defineCommand('claimTimes', { numberOfKeys: 1, lua: CLAIM_TIMES });
    this.#redis.defineCommand('hitWindow', { numberOfKeys: 1, lua: HIT_WINDOW });
    this.#redis.defineCommand('saveDoc', { numberOfKeys: 1, lua: SAVE_DOC });
    this.#subscriber = new Redis(url, common);
    this.#reader = new Redis(url, common);
    for (const client of [this.#redis, this.#subscriber, this.#reader]) client.on('error', () => {});
  }

  bind(binding: StoreBinding): void {
    this.#binding = binding;
    this.#latest = this.#fresh();
  }

  async open(): Promise<void> {
    try {
      // Every client settles before any is dropped: one still connecting would go on reconnecting after disconnect().
      const connected = await Promise.allSettled([this.#redis.connect(), this.#subscriber.connect(), this.#reader.connect()]);
      const failed = connected.find((c) => c.status === 'rejected');
      if (failed) throw failed.reason;
      this.#subscriber.on('message', (_channel: string, message: string) => this.#event(message));
      await this.#subscriber.subscribe(this.#keys.events);
      this.#opened = true;
      const given = this.#binding?.variants() ?? [];
      if (given.length) await this.setVariants(given);
      else await this.#adoptVariants();
      await this.refresh();
    } catch (error) {
      this.#closed = true;
      for (const client of [this.#redis, this.#subscriber, this.#reader]) if (client.status !== 'end') client.disconnect();
      throw new MockstackError(
        ErrorCode.StoreUnavailable,
        `cannot reach the store ${this.name}: ${messageClause(error)}. Start Redis there, or give --store another address`,
        { cause: error },
      );
    }
    // Variants switched while this process was cut off from Redis: take them when the subscriber is back.
    this.#subscriber.on('ready', () => void this.#adoptVariants().catch(() => {}));
    this.#reading = this.#readJournal();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriber.disconnect();
    this.#reader.disconnect();
    // QUIT lets the journal entries still on their way be written; a connection that is down just closes.
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => {});
    this.#redis.disconnect();
    await this.#reading;
  }

  begin(request: CoreRequest): Promise<void> {
    let session = this.#sessions.get(request);
    if (!session) {
      session = { snapshot: this.#latest, dirty: false, claims: new Map(), hits: new Map(), attempts: 0, release: undefined };
      this.#sessions.set(request, session);
    }
    session.attempts++;
    return this.#begin(session);
  }

  async #begin(session: Session): Promise<void> {
    if (session.attempts > MAX_ATTEMPTS)
      throw new StoreUnavailableError(this.name, new Error(`other requests changed the state first ${MAX_ATTEMPTS} times in a row`));
    if (session.attempts > 1 && !session.release) session.release = await this.#lock();
    session.snapshot = await this.#load();
    session.dirty = false;
  }

  commit(request: CoreRequest): Promise<boolean> | undefined {
    const session = this.#sessions.get(request);
    if (!session?.dirty) return undefined;
    return this.#commit(session);
  }

  async #commit(session: Session): Promise<boolean> {
    const { snapshot } = session;
    const blob = serialized(snapshot);
    if (snapshot.blob?.equals(blob)) return true;
    const saved = await this.#call(() => this.#scripts.saveDoc(this.#keys.doc, snapshot.version, blob));
    if (saved !== 1) return false;
    this.#seen({ ...snapshot, version: snapshot.version + 1, blob });
    session.release?.();
    session.release = undefined;
    return true;
  }

  end(request: CoreRequest): void {
    this.#sessions.get(request)?.release?.();
    this.#sessions.delete(request);
  }

  state(request?: CoreRequest): unknown {
    const session = request && this.#sessions.get(request);
    if (!session) return this.#latest.state;
    session.dirty = true;
    return session.snapshot.state;
  }

  replaceState(state: unknown): Promise<void> {
    return this.#update((snapshot) => ({ ...snapshot, state }));
  }

  machines(request?: CoreRequest): ReadonlyMap<string, string> {
    return ((request && this.#sessions.get(request)?.snapshot) ?? this.#latest).machines;
  }

  moveMachine(request: CoreRequest, machine: string, state: string): void {
    const session = this.#sessions.get(request);
    if (!session) return;
    session.snapshot.machines.set(machine, state);
    session.dirty = true;
  }

  setMachines(states: ReadonlyMap<string, string>, options: { whole?: boolean } = {}): Promise<void> {
    return this.#update((snapshot) => ({ ...snapshot, machines: new Map([...(options.whole ? [] : snapshot.machines), ...states]) }));
  }

  claim(request: CoreRequest, rule: Rule): number | Promise<number> {
    const session = this.#sessions.get(request);
    const claimed = session?.claims.get(rule.id);
    if (claimed !== undefined) return claimed;
    return this.#call(async () => {
      const call =
        rule.times === undefined
          ? (await this.#redis.hincrby(this.#keys.calls, rule.id, 1)) - 1
          : Number(await this.#scripts.claimTimes(this.#keys.calls, rule.id, rule.times));
      session?.claims.set(rule.id, call);
      this.#calls.set(rule.id, call < 0 ? (rule.times ?? 0) : call + 1);
      return call;
    });
  }

  calls(): ReadonlyMap<string, number> {
    return this.#calls;
  }

  clearCalls(): Promise<void> {
    this.#calls.clear();
    return this.#call(async () => void (await this.#redis.del(this.#keys.calls)));
  }

  hit(request: CoreRequest, key: string, limit: number, windowMs: number): number | undefined | Promise<number | undefined> {
    const session = this.#sessions.get(request);
    if (session?.hits.has(key)) return session.hits.get(key);
    return this.#call(async () => {
      const waitMs = Number(await this.#scripts.hitWindow(this.#keys.windows, key, limit, windowMs));
      const hit = waitMs < 0 ? undefined : waitMs;
      session?.hits.set(key, hit);
      return hit;
    });
  }

  async setVariants(names: readonly string[]): Promise<void> {
    if (!this.#opened) return;
    const event: Event = { origin: this.#origin, kind: 'variants', names: [...names] };
    await this.#call(() => this.#redis.multi().set(this.#keys.variants, JSON.stringify(names)).publish(this.#keys.events, JSON.stringify(event)).exec());
  }

  journaled(entry: JournalEntry): void {
    if (!this.#opened || this.#closed) return;
    let json: string;
    try {
      json = JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    } catch {
      return;
    }
    // Not awaited: a request is not held up (or failed) for the shared journal; an entry written while Redis is away is lost.
    this.#redis.xadd(this.#keys.journal, 'MAXLEN', '~', this.#journalEntries, '*', 'o', this.#origin, 'e', json).catch(() => {});
  }

  async reset(): Promise<void> {
    this.#calls.clear();
    this.#latest = this.#fresh();
    const { doc, calls, windows, journal, events, shared } = this.#keys;
    const event: Event = { origin: this.#origin, kind: 'reset' };
    await this.#call(() => this.#redis.multi().del(doc, calls, windows, journal, shared).publish(events, JSON.stringify(event)).exec());
  }

  async shareDocument(topic: string, id: string, document: unknown): Promise<void> {
    if (!this.#opened) return;
    const field = `${topic}\0${id}`;
    const event: Event = { origin: this.#origin, kind: 'document', topic, id, ...(document !== undefined && { document }) };
    const multi = this.#redis.multi();
    if (document === undefined) multi.hdel(this.#keys.shared, field);
    else multi.hset(this.#keys.shared, field, JSON.stringify(document));
    await this.#call(() => multi.publish(this.#keys.events, JSON.stringify(event)).exec());
  }

  async sharedDocuments(topic: string): Promise<ReadonlyMap<string, unknown>> {
    const all = await this.#call(() => this.#redis.hgetall(this.#keys.shared));
    const documents = new Map<string, unknown>();
    for (const [field, json] of Object.entries(all)) if (field.startsWith(`${topic}\0`)) documents.set(field.slice(topic.length + 1), JSON.parse(json));
    return documents;
  }

  async refresh(): Promise<void> {
    await this.#load();
  }

  get #scripts(): Scripts {
    return this.#redis as unknown as Scripts;
  }

  /** The document as stored, or the seed when none was written yet. */
  async #load(): Promise<Snapshot> {
    const [version, blob] = await this.#call(() => this.#redis.hmgetBuffer(this.#keys.doc, 'v', 'd'));
    if (!version || !blob) return this.#fresh();
    const doc = deserialize(blob) as { state: unknown; machines: Map<string, string> };
    return this.#seen({ version: Number(version.toString()), state: doc.state, machines: doc.machines, blob });
  }

  /** Keeps the newest document seen for reads outside a request; gives the one given. */
  #seen(snapshot: Snapshot): Snapshot {
    if (snapshot.version >= this.#latest.version) this.#latest = { ...snapshot, state: snapshot.state, machines: new Map(snapshot.machines) };
    return snapshot;
  }

  #fresh(): Snapshot {
    return { version: 0, state: this.#binding?.initialState(), machines: this.#binding?.initialMachines() ?? new Map(), blob: undefined };
  }

  /** Changes the document outside a request (admin), again on the newest one while another write wins. */
  async #update(change: (snapshot: Snapshot) => Snapshot): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const loaded = await this.#load();
      const next = change(loaded);
      const blob = serialized(next);
      if ((await this.#call(() => this.#scripts.saveDoc(this.#keys.doc, loaded.version, blob))) === 1) {
        this.#seen({ ...next, version: loaded.version + 1, blob });
        return;
      }
    }
    throw new StoreUnavailableError(this.name, new Error(`other requests changed the state first ${MAX_ATTEMPTS} times in a row`));
  }

  /** Waits for the retries before this one in this process; gives the release. */
  async #lock(): Promise<() => void> {
    const before = this.#retries;
    let release: () => void = () => {};
    this.#retries = new Promise<void>((resolve) => {
      release = resolve;
    });
    await before;
    return release;
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(this.name, this.#redis.status === 'ready' ? error : new Error(`not connected (${describe(error)}); reconnecting`));
    }
  }

  async #adoptVariants(): Promise<void> {
    const stored = await this.#redis.get(this.#keys.variants);
    if (stored !== null) this.#binding?.variantsChanged(JSON.parse(stored) as string[]);
  }

  #event(message: string): void {
    let event: Event;
    try {
      event = JSON.parse(message) as Event;
    } catch {
      return;
    }
    if (event.origin === this.#origin) return;
    if (event.kind === 'variants') this.#binding?.variantsChanged(event.names);
    else if (event.kind === 'document') this.#binding?.documentShared(event.topic, event.id, event.document);
    else if (event.kind === 'reset') {
      this.#calls.clear();
      this.#latest = this.#fresh();
      this.#binding?.resetElsewhere();
    }
  }

  /** Tails the journal stream: entries other replicas wrote join this process's journal (its own are there already). */
  async #readJournal(): Promise<void> {
    let last = '0-0';
    while (!this.#closed) {
      try {
        const read = await this.#reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.#keys.journal, last);
        for (const [, entries] of read ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const origin = fields[fields.indexOf('o') + 1];
            const json = fields[fields.indexOf('e') + 1];
            if (origin !== this.#origin && json) this.#binding?.journaled(JSON.parse(json) as JournalEntry);
          }
        }
      } catch {
        if (this.#closed) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

interface Scripts {
  claimTimes(key: string, rule: string, times: number): Promise<number>;
  hitWindow(key: string, window: string, limit: number, windowMs: number): Promise<number>;
  saveDoc(key: string, version: number, blob: Buffer): Promise<number>;
}

/** The document as stored: the state and machines, structured-clone serialized. */
function serialized(snapshot: Snapshot): Buffer {
  try {
    return serialize({ state: snapshot.state, machines: snapshot.machines });
  } catch (error) {
    throw new Error(
      `the state cannot be shared through Redis (${describe(error)}); keep it to plain objects, arrays, Map, Set, Date and primitives (no functions)`,
    );
  }
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new MockstackError(ErrorCode.StoreUnknown, `store ${JSON.stringify(url)} is not a Redis URL; give redis://host:port/db (or rediss:// for TLS)`);
  return parsed;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
