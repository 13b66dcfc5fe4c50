import { relative, resolve } from 'node:path';
import { type AdminServer, startAdmin } from '@mockstack/admin';
import {
  type Adapter,
  compile,
  createStack,
  type DelaySpec,
  type Duration,
  ErrorCode,
  type GivenLimits,
  isLoopbackHost,
  type JournalLimits,
  type Logger,
  MockstackError,
  type Model,
  parseDuration,
  type RedactSetting,
  type ServiceAddress,
  type Stack,
  type StateShapeChange,
  type Store,
  scenarioDefinitionOf,
  silentLogger,
} from '@mockstack/core';
import { mountebankAdminRoutes } from '@mockstack/mountebank';
import { ADMIN_ON_PORT } from '@mockstack/wiremock';
import type { FSWatcher } from 'chokidar';
import { adaptersWith } from './adapters.js';
import { containmentStarted, containScenarioCode, contextGuard, prestartContainment } from './containment.js';
import { contractFiles } from './contract-files.js';
import type { LoadedScenario } from './load-scenario.js';
import { isContractUrl } from './remote-contract.js';
import { isOwnWrite, lenientDefinition, loadSources, wiremockFilesOf } from './sources.js';
import { type CorsSetting, corsSettingOf, delaySettingOf, withCorsSetting, withDelaySetting, withDynamicSetting } from './stack-defaults.js';
import { storeOf } from './store.js';
import { keepNextTickFast } from './tick-map.js';
import { caOf, TlsCache, withTls } from './tls.js';
import { WebhookDispatcher } from './webhooks.js';
import { warnRefusedMappings, wiremockRoutesOf } from './wiremock.js';

export interface RunOptions {
  /** Variants to activate at start, in priority order. */
  variants?: readonly string[] | undefined;
  /** Overrides the scenario's seed. */
  seed?: number | undefined;
  /** Host services bind to (default 127.0.0.1). */
  host?: string | undefined;
  /** Serve every service on a free port instead of the scenario's (tests, parallel CI jobs). */
  randomPorts?: boolean | undefined;
  /**
   * Serve every service over TLS (`--tls`), as a service's own `tls: true` does: a certificate generated at
   * start, signed by a local CA written to `.mockstack/tls/ca.pem` in the project for clients to trust.
   * A service with `tls: false` stays plain.
   */
  tls?: boolean | undefined;
  /**
   * CORS of every REST and GraphQL service (and gRPC `web` port) that sets no `cors` of its own (`--cors`):
   * the origins whose pages may read the answers (`'*'`: any; see `parseCorsOrigins`), or false for no CORS
   * headers at all. Default: pages on this machine.
   */
  cors?: CorsSetting | undefined;
  /** How long every service that sets no `delay` of its own holds each answer (`--delay`): a duration or a `{ min, max }` range. */
  delay?: DelaySpec | undefined;
  /** Every OpenAPI service that sets no `dynamic` of its own generates each answer anew, examples left aside (`--dynamic`, as `prism mock -d`). */
  dynamic?: boolean | undefined;
  /** Admin API port: a number, 0 for a free one, or false for no admin API. Default 0. */
  adminPort?: number | false | undefined;
  adminHost?: string | undefined;
  /** Where WireMock mappings sent to the admin API read their `bodyFileName` (default: the `__files` of a WireMock root among the sources, else `__files` in the working directory). */
  wiremockFiles?: string | undefined;
  /** Token the admin API requires (see `AdminOptions.token`); generated when the admin host is not loopback. */
  adminToken?: string | undefined;
  logger?: Logger | undefined;
  /** Requests the journal keeps (default 1,000; 0: none). */
  journalSize?: number | undefined;
  /** How long a handler may take when neither its rule nor its service sets `timeout` (default 10 s; above 0). */
  handlerTimeout?: Duration | undefined;
  /** Secrets kept out of the journal and logs besides the defaults and the scenario's, or false for none. */
  redact?: RedactSetting | undefined;
  /** Timeouts and caps on what clients may hold, per port (see ServerLimits; defaults for those left out). */
  limits?: GivenLimits | undefined;
  /** The journal's limits in bytes too (see JournalLimits). */
  journal?: JournalLimits | undefined;
  /**
   * Where state, machines, counters, rate-limit windows, variants and the journal live: `'memory'` (default),
   * `'redis://host:6379/0'` so that replicas act as one, or a Store. Overrides the scenario's `store`.
   */
  store?: string | Store | undefined;
  /** Reload on changes to the scenario or anything it imports; a broken edit keeps the last good model. */
  watch?: boolean | undefined;
  /** Where proto imports of contract files are looked up. */
  includeDirs?: readonly string[] | undefined;
  /** Load schemas with small validity problems with a warning instead of failing (see `ContractOptions.lenient`). */
  lenient?: boolean | undefined;
  /** json-server databases served zero-config (`db.json`) write their changes back to their file. */
  writeBack?: boolean | undefined;
  /** Contracts served zero-config (OpenAPI, GraphQL) send what no rule answers to this real service; an OpenAPI document checks its answers. */
  proxy?: string | undefined;
  /**
   * Protocols served besides REST, GraphQL and gRPC: adapters (see `Adapter` in @mockstack/core)
   * for the services of the scenario whose `protocol` names them. Each shares the engine, so its
   * handlers see the same state, variants and journal as the built-in protocols'.
   */
  protocols?: readonly Adapter[] | undefined;
  /**
   * Called after each reload attempt: `error` set when it failed, `changed` the files that set it
   * off, `state` the keys the scenario's `state()` gained (seeded) or lost (dropped).
   */
  onReload?: (result: ReloadResult) => void;
}

export interface ReloadResult {
  ok: boolean;
  error?: unknown;
  ms: number;
  /** Files whose change set the reload off (empty for `reload()` called directly). */
  changed: string[];
  state?: StateShapeChange | undefined;
}

export interface RunningStack {
  stack: Stack;
  /** The files served, as given (relative to the cwd). */
  file: string;
  services: ServiceAddress[];
  admin: AdminServer | undefined;
  /** With TLS: the CA (PEM) that signed the services' certificates, and its file, for clients to trust. */
  tls: { ca: string; caFile: string | undefined } | undefined;
  /** Loads the files again and serves the new model; state is kept unless the seed changed. */
  reload(): Promise<void>;
  /**
   * Stops every service and the admin API. With `graceMs`, drains: no new connections or calls, those
   * in flight may finish for up to that long, then the rest are cut. Later calls wait for the first.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * A scenario module's path, a scenario object built in code (e.g. inline in a test), or a list of
 * files: at most one scenario module plus contracts served zero-config (see `loadSources`).
 */
export type ScenarioSource = string | readonly string[] | object;

/** Loads and compiles a scenario into a Model (no servers started). */
export async function loadModel(
  source: ScenarioSource,
  options: Pick<
    RunOptions,
    'host' | 'randomPorts' | 'includeDirs' | 'lenient' | 'protocols' | 'tls' | 'cors' | 'delay' | 'dynamic' | 'writeBack' | 'proxy'
  > = {},
  tlsCache: TlsCache = new TlsCache(),
): Promise<{ model: Model; inputs: string[] }> {
  const loaded =
    typeof source === 'string'
      ? await loadSources([source], options)
      : Array.isArray(source)
        ? await loadSources(source, options)
        : inlineScenario(source, options.lenient);
  const definition = withDynamicSetting(loaded.definition, options.dynamic);
  const compiled = await compile(definition, { file: loaded.file, adapters: adaptersWith(options.protocols), host: options.host });
  const model = withDelaySetting(withCorsSetting(await withTls(compiled, options.tls, tlsCache), corsSettingOf(options.cors)), delaySettingOf(options.delay));
  return { model: options.randomPorts ? withRandomPorts(model) : model, inputs: loaded.inputs };
}

function inlineScenario(value: object, lenient: boolean | undefined): LoadedScenario {
  const definition = scenarioDefinitionOf(value);
  if (!definition)
    throw new MockstackError(ErrorCode.ScenarioInvalid, 'expected a scenario built with scenario(…) from "mockstack", or the path of a scenario module');
  return { file: definition.source?.file ?? '<inline>', definition: lenient ? lenientDefinition(definition) : definition, inputs: [] };
}

/** The default handler timeout in milliseconds, checked: a handler given 0 ms (or less) could never answer. */
function handlerTimeoutOf(given: Duration | undefined): number | undefined {
  if (given === undefined) return undefined;
  const ms = parseDuration(given);
  if (ms === undefined || ms <= 0)
    throw new MockstackError(
      ErrorCode.OptionInvalid,
      `handlerTimeout ${JSON.stringify(given)} is not a duration above 0: give milliseconds or e.g. '500ms', '30s'`,
    );
  return ms;
}

/** Loads a scenario and serves it: every service, the admin API, and --watch if asked. */
export async function runScenario(source: ScenarioSource, options: RunOptions = {}): Promise<RunningStack> {
  keepNextTickFast();
  const files = typeof source === 'string' ? [source] : Array.isArray(source) ? source : [scenarioDefinitionOf(source)?.source?.file ?? '<inline>'];
  const logger = options.logger ?? silentLogger;
  const handlerTimeout = handlerTimeoutOf(options.handlerTimeout);
  const tlsCache = new TlsCache();
  // The watchdog thread boots while the scenario loads (see prestartContainment); containScenarioCode
  // adopts it, and it is up before the stack says it serves: its start-up does not compete with the first calls.
  const discardPrestarted = prestartContainment();
  let model: Model;
  let inputs: string[];
  let stack: Stack;
  let webhooks: WebhookDispatcher;
  let releaseContainment: () => void;
  try {
    ({ model, inputs } = await loadModel(source, options, tlsCache));
    webhooks = new WebhookDispatcher();
    stack = createStack(model, {
      store: await storeOf(options.store, model, options.journal?.entries ?? options.journalSize),
      adapters: adaptersWith(options.protocols),
      webhooks,
      logger,
      guard: contextGuard,
      handlerTimeout,
      journalSize: options.journalSize,
      journal: options.journal,
      seed: options.seed,
      variants: options.variants,
      limits: options.limits,
      redact: options.redact,
    });
    webhooks.attach(stack.engine);
    warnRefusedMappings(model, logger);
    releaseContainment = containScenarioCode(stack.engine);
  } finally {
    // Stops the thread only when the stack did not adopt it.
    discardPrestarted();
  }
  try {
    await stack.listen();
    await containmentStarted();
  } catch (error) {
    releaseContainment();
    throw error;
  }
  let admin: AdminServer | undefined;
  try {
    if (options.adminPort !== false)
      admin = await startAdmin(
        { engine: stack.engine, addresses: () => stack.addresses },
        {
          port: options.adminPort ?? 0,
          host: options.adminHost,
          token: options.adminToken,
          routes: [...(await wiremockRoutesOf(stack, options.wiremockFiles ?? wiremockFilesOf(files) ?? '__files')), ...(await mountebankAdminRoutes(stack))],
        },
      );
    if (admin) adminOnServicePorts(stack, admin);
  } catch (error) {
    releaseContainment();
    await stack.close();
    throw error;
  }

  // Off while the adapters loaded (see loadScenario); on for stack traces of errors in handlers.
  process.setSourceMapsEnabled(true);

  let watcher: FSWatcher | undefined;
  let closing: Promise<void> | undefined;
  let reloading = Promise.resolve();
  /** Files changed since the last reload started; one reload takes all that came in meanwhile. */
  const pending = new Set<string>();
  /**
   * What the watcher was given. A reload gives it only paths it lacks (a new import): chokidar rescans a
   * path given again as if at start, and with ignoreInitial a file added to a watched folder during that
   * scan (just after a reload) was taken as already there, its change never reported.
   */
  const watched = new Set<string>();
  const watchAlso = (paths: readonly string[]): void => {
    const fresh = paths.filter((path) => !watched.has(path));
    for (const path of fresh) watched.add(path);
    if (fresh.length > 0) watcher?.add(fresh);
  };
  const reload = async (): Promise<void> => {
    const started = performance.now();
    const changed = [...pending];
    pending.clear();
    try {
      const next = await loadModel(source, options, tlsCache);
      const state = await stack.reload(next.model);
      warnRefusedMappings(next.model, logger);
      watchAlso([...next.inputs, ...contractFiles(next.model)]);
      options.onReload?.({ ok: true, ms: performance.now() - started, changed, state });
    } catch (error) {
      options.onReload?.({ ok: false, error, ms: performance.now() - started, changed });
      if (!options.onReload) throw error;
    }
  };
  if (options.watch) {
    // Loaded only here: ~7 ms of every start without --watch.
    const { watch } = await import('chokidar');
    // The scenario, its local imports, and every contract its services read (a contract edit reloads too).
    const paths = [...inputs, ...contractFiles(model)];
    for (const path of paths) watched.add(path);
    watcher = watch(paths, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 30, pollInterval: 10 } });
    watcher.on('all', (event, path) => {
      // Gone, chokidar stops watching it: given again by the next reload that finds it back.
      if (event === 'unlink' || event === 'unlinkDir') watched.delete(path);
      if (isOwnWrite(resolve(path))) return; // a json-server database written back: the state has it already
      const first = pending.size === 0;
      pending.add(resolve(path));
      if (first) reloading = reloading.then(reload);
    });
    await new Promise<void>((ready) => watcher?.once('ready', () => ready()));
  }

  return {
    stack,
    file: files.map((f) => (isContractUrl(f) ? f : relative(process.cwd(), f) || f)).join(' '),
    get services() {
      return stack.addresses;
    },
    admin,
    tls: caOf(model),
    reload: () => {
      reloading = reloading.then(reload);
      return reloading;
    },
    close: (graceMs) => {
      closing ??= (async () => {
        await watcher?.close();
        await reloading.catch(() => {});
        await Promise.allSettled([admin?.close(), stack.close(graceMs)]);
        await webhooks.close();
        releaseContainment();
      })();
      return closing;
    },
  };
}

function withRandomPorts(model: Model): Model {
  return { ...model, services: new Map([...model.services].map(([name, service]) => [name, { ...service, port: 0 }])) };
}

/**
 * The admin API at `/__admin` on the port of each service that asks for it (WireMock's mappings served by
 * `up wiremock/`), as WireMock serves both on one port. Only where that port is as guarded as the admin
 * port: a service on loopback, or an admin API that requires a token.
 */
function adminOnServicePorts(stack: Stack, admin: AdminServer): void {
  for (const service of stack.engine.model.services.values()) {
    if (service.config[ADMIN_ON_PORT] !== true || (!isLoopbackHost(service.host) && admin.token === undefined)) continue;
    stack.hostOn(service.name, '/__admin', admin.handler);
  }
}
