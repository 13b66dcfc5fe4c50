import type { AdminRequest, AdminRoute, JsonSchema } from '@mockstack/admin';
import type { JournalEntry } from '@mockstack/core';
import { isRecord, parseJsonOrUndefined } from '@mockstack/core';
import { WiremockMappingInvalid, WiremockNotFound, WiremockSaveUnavailable } from './errors.js';
import { LiveMappings, type WiremockHost } from './live-mappings.js';
import type { RouteFinder } from './live-stub.js';
import type { MappingSource } from './mappings-service.js';
import { nearMissesOfMappings, nearMissesOfPattern, probedOfEntry, probedOfLoggedRequest } from './near-misses.js';
import { Recordings } from './recordings.js';
import { isWiremockPattern, loggedRequestOf, metadataTest, serveEventOf, wiremockRequestTest } from './requests.js';
import type { BodyFiles } from './stub.js';

export interface WiremockRoutesOptions {
  /** The operation the REST server routes a request to (see `RouteFinder`): a literal URL goes to the route that takes it. */
  routeOf: RouteFinder;
  /** Where a mapping's `bodyFileName` is read (WireMock's `__files`); without it such a mapping is refused. */
  bodyFiles?: BodyFiles | undefined;
  /** Where `POST /__admin/mappings/save` writes the mappings (WireMock's `mappings`); without it saving is refused. */
  mappingsFolder?: MappingsFolder | undefined;
}

/** A folder the mappings added at runtime are saved to, one JSON file each (WireMock's `mappings`). */
export interface MappingsFolder {
  /** The folder, as messages name it. */
  where: string;
  /** Writes one file of the folder (the name is a path inside it); throws when it cannot. */
  write(name: string, text: string): void;
  /** The text of one file of the folder; undefined when there is none. */
  read(name: string): string | undefined;
}

/** The WireMock release whose admin API these endpoints follow (its answers were compared with this jar's). */
const WIREMOCK_VERSION = '3.13.2';

const settingsSchema: JsonSchema = {
  type: 'object',
  description: "WireMock's global settings: fixedDelay (milliseconds), delayDistribution (lognormal, uniform, fixed), extended",
  properties: { fixedDelay: { type: 'integer', minimum: 0 }, delayDistribution: { type: 'object' }, extended: { type: 'object' } },
};

const mappingSchema: JsonSchema = {
  type: 'object',
  description:
    'a WireMock stub mapping: request (method, url | urlPath | urlPattern | urlPathPattern | urlPathTemplate, queryParameters, headers, cookies, basicAuthCredentials, bodyPatterns), response (status, headers, jsonBody | body | proxyBaseUrl, fixedDelayMilliseconds, delayDistribution, fault, chunkedDribbleDelay, transformers: ["response-template"]), priority, scenarioName, requiredScenarioState, newScenarioState; metadata.service names the REST service when the scenario has several',
  required: ['request'],
  properties: { id: { type: 'string' }, request: { type: 'object' }, response: { type: 'object' }, priority: { type: 'integer', minimum: 1 } },
};
const mappingsSchema: JsonSchema = {
  type: 'object',
  properties: { mappings: { type: 'array', items: mappingSchema }, meta: { type: 'object', properties: { total: { type: 'integer' } } } },
};
const wiremockPattern: JsonSchema = {
  type: 'object',
  description: 'a WireMock request pattern: method, url | urlPath | urlPattern | urlPathPattern, queryParameters, headers, bodyPatterns',
};
const serveEvents: JsonSchema = {
  type: 'object',
  properties: { requests: { type: 'array', items: { type: 'object' } }, meta: { type: 'object', properties: { total: { type: 'integer' } } } },
};
const scenarios: JsonSchema = {
  type: 'object',
  properties: {
    scenarios: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          state: { type: 'string' },
          possibleStates: { type: 'array', items: { type: 'string' } },
          mappings: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
};
const nearMisses: JsonSchema = {
  type: 'object',
  properties: {
    nearMisses: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          request: { type: 'object' },
          stubMapping: { type: 'object' },
          requestPattern: { type: 'object' },
          matchResult: { type: 'object', properties: { distance: { type: 'number' } } },
        },
      },
    },
  },
};
const empty: JsonSchema = { type: 'object' };

/**
 * WireMock's admin endpoints over a running stack, for WireMock's clients (wiremock-captain,
 * wiremock-rest-client, WireMock's Java/Python/Go clients): stub mappings served as live rules,
 * the journal as serve events, request counts and finds by WireMock request patterns, scenarios as
 * the stack's state machines. Served under `/__admin` beside mockstack's own endpoints. With a shared
 * store, mappings are served by every replica (given once the others' are served here).
 */
export async function wiremockAdminRoutes(host: WiremockHost, options: WiremockRoutesOptions): Promise<AdminRoute[]> {
  const mappings = new LiveMappings(host, options.routeOf, options.bodyFiles);
  // A replica of a shared store serves the mappings the others were sent before it says it serves.
  await mappings.ready;
  const recordings = new Recordings(mappings, host.engine);
  const { engine } = host;
  const announce = (message: string) => engine.logger.info(message, { event: 'admin' });
  const baseUrlOf = (service: string) => host.addresses.find((address) => address.name === service)?.url;
  const restEntries = (): JournalEntry[] => engine.journal.list({ protocol: 'rest' });
  const serveEvent = (entry: JournalEntry) => serveEventOf(entry, baseUrlOf(entry.service), entry.rule ? mappings.ofRule(entry.rule)?.mapping : undefined);
  const idOf = (request: AdminRequest) => request.params.id ?? '';
  const wiremockPatternBody = (request: AdminRequest) => isWiremockPattern(request.body);
  const resetScenarios = async () => {
    await engine.refresh();
    const possible = engine.machineDefinitions;
    await engine.setMachines(Object.fromEntries(Object.keys(engine.machines).map((name) => [name, possible.get(name)?.[0] ?? 'Started'])));
  };
  const clearJournal = () => {
    engine.journal.clear();
    return {};
  };

  // WireMock takes a JSON body under any content type (its docs' `curl --data '{…}'` sends a form): from a tool, so
  // does mockstack; a page in a browser still has to send JSON (the admin guard's CSRF rule).
  const routes: AdminRoute[] = [
    {
      method: 'GET',
      path: '/version',
      summary: `WireMock: the WireMock release whose admin API mockstack answers as (${WIREMOCK_VERSION})`,
      response: { type: 'object', properties: { version: { type: 'string' } } },
      handle: () => ({ version: WIREMOCK_VERSION }),
    },
    {
      method: 'POST',
      path: '/mappings',
      summary: "WireMock: serves a stub mapping as live rules of a REST service (answered before the scenario's); 400 naming what cannot be honoured",
      status: 201,
      body: mappingSchema,
      response: mappingSchema,
      handle: async ({ body }) => {
        const added = await mappings.add(body);
        announce(`wiremock: mapping ${added.id} added to ${added.service} (${added.ruleIds.join(', ')})`);
        return added.mapping;
      },
    },
    {
      method: 'GET',
      path: '/mappings',
      summary: "WireMock: every mapping, those read from a root's files and those added at runtime, in the order they are tried (priority, then newest first)",
      query: {
        limit: { description: 'at most this many', schema: { type: 'integer', minimum: 0 } },
        offset: { description: 'skip this many', schema: { type: 'integer', minimum: 0 } },
      },
      response: mappingsSchema,
      handle: ({ query }) => {
        const all = mappings.list().map((m) => m.mapping);
        const offset = wholeNumber(query.offset, 'offset') ?? 0;
        const limit = wholeNumber(query.limit, 'limit');
        return { mappings: all.slice(offset, limit === undefined ? undefined : offset + limit), meta: { total: all.length } };
      },
    },
    {
      method: 'DELETE',
      path: '/mappings',
      summary:
        "WireMock: removes every mapping, those read from a root's files too (their files stay as they are; POST /mappings/reset serves them again); the scenario's own rules stay",
      response: empty,
      handle: async () => {
        announce(`wiremock: ${await mappings.clear()} mapping(s) removed`);
        return {};
      },
    },
    {
      method: 'POST',
      path: '/mappings/reset',
      summary:
        "WireMock: back to the scenario's rules and the mappings read from a root's files (every mapping added at runtime removed); as WireMock's, the journal is emptied and every scenario (state machine) goes back to its first state",
      response: empty,
      handle: async () => {
        const removed = await mappings.reset();
        engine.journal.clear();
        await resetScenarios();
        announce(`wiremock: mappings reset, ${removed} removed`);
        return {};
      },
    },
    {
      method: 'POST',
      path: '/mappings/save',
      summary: "WireMock: writes every mapping added at runtime to WireMock's mappings folder (beside its files folder), one JSON file each",
      response: empty,
      handle: () => {
        const folder = options.mappingsFolder;
        if (!folder) throw new WiremockSaveUnavailable("this stack has no folder to save mappings to (WireMock's mappings, beside its files folder)");
        const all = mappings.runtime();
        const write = (name: string, text: string, id: string) => {
          try {
            folder.write(name, text);
          } catch (error) {
            throw new WiremockSaveUnavailable(`the mapping ${id} was not saved to ${folder.where}: ${(error as Error).message}`);
          }
        };
        for (const { id, mapping } of all) {
          // One that replaced a mapping of the root's files is written in its place, as WireMock writes it.
          const source = mappings.sourceOf(id);
          if (source) {
            write(source.name, `${JSON.stringify(inPlaceOf(source, mapping, folder.read(source.name)), null, 2)}\n`, id);
            continue;
          }
          const name =
            typeof mapping.name === 'string'
              ? mapping.name
                  .toLowerCase()
                  .replace(/[^a-z0-9]+/g, '-')
                  .replace(/^-|-$/g, '')
              : '';
          write(`${name ? `${name.slice(0, 60)}-` : ''}${id}.json`, `${JSON.stringify(mapping, null, 2)}\n`, id);
        }
        announce(`wiremock: ${all.length} mapping(s) saved to ${folder.where}`);
        return {};
      },
    },
    {
      method: 'GET',
      path: '/settings',
      summary: 'WireMock: the global settings, { settings: { fixedDelay, delayDistribution, extended } }',
      response: { type: 'object', properties: { settings: settingsSchema } },
      handle: () => ({ settings: mappings.settings }),
    },
    ...(['POST', 'PUT'] as const).map(
      (method): AdminRoute => ({
        method,
        path: '/settings',
        summary: "WireMock: sets the global settings: every mapping's answer waits fixedDelay (unless its own) plus delayDistribution (unless its own)",
        body: settingsSchema,
        response: settingsSchema,
        handle: async ({ body }) => {
          const settings = await mappings.updateSettings(body);
          announce(`wiremock: settings ${JSON.stringify(settings)}`);
          return settings;
        },
      }),
    ),
    {
      method: 'POST',
      path: '/mappings/import',
      summary: 'WireMock: serves several mappings; all are checked first and none is added when one is refused',
      body: {
        type: 'object',
        required: ['mappings'],
        properties: {
          mappings: { type: 'array', items: mappingSchema },
          importOptions: { type: 'object', properties: { duplicatePolicy: { enum: ['OVERWRITE', 'IGNORE'] }, deleteAllNotInImport: { type: 'boolean' } } },
        },
      },
      response: empty,
      handle: async ({ body }) => {
        if (!isRecord(body) || !Array.isArray(body.mappings))
          throw new WiremockMappingInvalid(['send { "mappings": [mapping, …], "importOptions": { "duplicatePolicy": "OVERWRITE" } }'], 'the import');
        const importOptions = isRecord(body.importOptions) ? body.importOptions : {};
        const problems: string[] = [];
        body.mappings.forEach((mapping, i) => {
          try {
            mappings.check(mapping);
          } catch (error) {
            if (!(error instanceof WiremockMappingInvalid)) throw error;
            problems.push(...error.problems.map((problem) => `mappings[${i}]: ${problem}`));
          }
        });
        if (problems.length) throw new WiremockMappingInvalid(problems, 'the import');
        const incoming = new Set(body.mappings.map((m) => (isRecord(m) && typeof m.id === 'string' ? m.id : undefined)).filter((id) => id !== undefined));
        if (importOptions.deleteAllNotInImport === true) for (const old of mappings.list()) if (!incoming.has(old.id)) await mappings.remove(old.id);
        const existing = new Set(mappings.list().map((m) => m.id));
        for (const mapping of body.mappings as Record<string, unknown>[]) {
          if (importOptions.duplicatePolicy === 'IGNORE' && typeof mapping.id === 'string' && existing.has(mapping.id)) continue;
          await mappings.add(mapping);
        }
        announce(`wiremock: ${body.mappings.length} mapping(s) imported`);
        return {};
      },
    },
    {
      method: 'POST',
      path: '/mappings/find-by-metadata',
      summary: 'WireMock: the mappings whose metadata matches a content pattern (equalToJson, matchesJsonPath…)',
      body: { type: 'object', description: 'a WireMock content pattern, e.g. { "matchesJsonPath": { "expression": "$.team", "equalTo": "checkout" } }' },
      response: mappingsSchema,
      handle: ({ body }) => {
        const test = metadataTest(body);
        const found = mappings.list().filter((m) => test(isRecord(m.mapping.metadata) ? m.mapping.metadata : {}));
        return { mappings: found.map((m) => m.mapping), meta: { total: found.length } };
      },
    },
    {
      method: 'POST',
      path: '/mappings/remove-by-metadata',
      summary: 'WireMock: removes the mappings whose metadata matches a content pattern',
      body: { type: 'object', description: 'a WireMock content pattern, as for find-by-metadata' },
      response: empty,
      handle: async ({ body }) => {
        const test = metadataTest(body);
        const found = mappings.list().filter((m) => test(isRecord(m.mapping.metadata) ? m.mapping.metadata : {}));
        for (const mapping of found) await mappings.remove(mapping.id);
        announce(`wiremock: ${found.length} mapping(s) removed by metadata`);
        return {};
      },
    },
    {
      method: 'GET',
      path: '/mappings/{id}',
      summary: "WireMock: one mapping (read from a root's files or added at runtime)",
      response: mappingSchema,
      handle: (request) => mappings.get(idOf(request)).mapping,
    },
    {
      method: 'PUT',
      path: '/mappings/{id}',
      summary: 'WireMock: replaces a mapping (the new one is checked first; a refused one leaves the old in place)',
      body: mappingSchema,
      response: mappingSchema,
      handle: async (request) => (await mappings.replace(idOf(request), request.body)).mapping,
    },
    {
      method: 'DELETE',
      path: '/mappings/{id}',
      summary: "WireMock: removes a mapping (one read from a root's files is no longer served; its file stays as it is)",
      response: empty,
      handle: async (request) => {
        const removed = await mappings.remove(idOf(request));
        announce(`wiremock: mapping ${removed.id} removed`);
        return {};
      },
    },
    {
      method: 'GET',
      path: '/requests',
      summary: 'WireMock: the REST requests of the journal as serve events, newest first',
      query: { limit: { description: 'the newest n', schema: { type: 'integer', minimum: 0 } } },
      response: serveEvents,
      handle: ({ query }) => {
        const entries = restEntries().reverse();
        const limit = wholeNumber(query.limit, 'limit');
        return {
          requests: entries.slice(0, limit).map(serveEvent),
          meta: { total: entries.length },
          requestJournalDisabled: false,
        };
      },
    },
    { method: 'DELETE', path: '/requests', summary: 'WireMock: empties the journal', response: empty, handle: clearJournal },
    { method: 'POST', path: '/requests/reset', summary: 'WireMock (older clients): empties the journal', response: empty, handle: clearJournal },
    {
      method: 'GET',
      path: '/requests/unmatched',
      summary:
        "requests no rule answered: mockstack's entries (each with its near miss) and, for WireMock's clients, the same as logged requests (newest first)",
      accepts: () => true,
      response: {
        type: 'object',
        properties: { entries: { type: 'array', items: { type: 'object' } }, requests: { type: 'array', items: { type: 'object' } } },
      },
      handle: () => {
        const entries = engine.journal.list({ matched: false });
        return {
          entries,
          // Newest first, as WireMock lists them.
          requests: entries
            .filter((entry) => entry.protocol === 'rest')
            .reverse()
            .map((entry) => loggedRequestOf(entry, baseUrlOf(entry.service))),
          requestJournalDisabled: false,
        };
      },
    },
    {
      method: 'GET',
      path: '/requests/unmatched/near-misses',
      summary: 'WireMock: for each REST request no rule answered, the mappings nearest to it (at most 3 each; distance 0–1)',
      response: nearMisses,
      handle: () => {
        const all = mappings.list();
        const unmatched = engine.journal.list({ matched: false, protocol: 'rest' });
        return {
          nearMisses: unmatched.flatMap((entry) => nearMissesOfMappings(probedOfEntry(entry), loggedRequestOf(entry, baseUrlOf(entry.service)), all)),
        };
      },
    },
    ...['/near-misses/request', '/requests/near-misses/request'].map(
      (path): AdminRoute => ({
        method: 'POST',
        path,
        summary: 'WireMock: the mappings nearest to a logged request ({ url, method, headers, body }), at most 3, nearest first',
        body: { type: 'object', description: 'a WireMock logged request: url, method, headers, body' },
        response: nearMisses,
        handle: ({ body }) => ({ nearMisses: nearMissesOfMappings(probedOfLoggedRequest(body), isRecord(body) ? body : {}, mappings.list()) }),
      }),
    ),
    ...['/near-misses/request-pattern', '/requests/near-misses/request-pattern'].map(
      (path): AdminRoute => ({
        method: 'POST',
        path,
        summary: 'WireMock: the REST requests of the journal nearest to a WireMock request pattern, at most 3, nearest first',
        body: wiremockPattern,
        response: nearMisses,
        handle: ({ body }) => ({
          nearMisses: nearMissesOfPattern(
            body,
            restEntries().map((entry) => ({ probed: probedOfEntry(entry), logged: loggedRequestOf(entry, baseUrlOf(entry.service)) })),
          ),
        }),
      }),
    ),
    {
      method: 'GET',
      path: '/requests/{id}',
      summary: 'WireMock: one request of the journal as a serve event (its id is the journal entry id)',
      response: { type: 'object' },
      handle: (request) => {
        const entry = restEntries().find((e) => String(e.id) === idOf(request));
        if (!entry) throw new WiremockNotFound(`no request has id ${idOf(request)} in the journal; GET /__admin/requests lists them`);
        return serveEvent(entry);
      },
    },
    {
      method: 'POST',
      path: '/requests/count',
      summary: 'WireMock: how many REST requests match a WireMock request pattern',
      accepts: wiremockPatternBody,
      body: wiremockPattern,
      response: { type: 'object', properties: { count: { type: 'integer' } } },
      handle: ({ body }) => {
        const test = wiremockRequestTest(body);
        return { count: restEntries().filter(test).length };
      },
    },
    {
      method: 'POST',
      path: '/requests/find',
      summary: 'WireMock: the REST requests matching a WireMock request pattern, as logged requests',
      accepts: wiremockPatternBody,
      body: wiremockPattern,
      response: { type: 'object', properties: { requests: { type: 'array', items: { type: 'object' } } } },
      handle: ({ body }) => {
        const test = wiremockRequestTest(body);
        return {
          requests: restEntries()
            .filter(test)
            .map((entry) => loggedRequestOf(entry, baseUrlOf(entry.service))),
        };
      },
    },
    {
      method: 'POST',
      path: '/requests/remove',
      summary: 'WireMock: removes the REST requests matching a WireMock request pattern; answers them as serve events',
      accepts: wiremockPatternBody,
      body: wiremockPattern,
      response: serveEvents,
      handle: ({ body }) => {
        const test = wiremockRequestTest(body);
        const removed = restEntries().filter(test);
        const ids = new Set(removed.map((entry) => entry.id));
        engine.journal.remove((entry) => ids.has(entry.id));
        return { requests: removed.map(serveEvent), meta: { total: removed.length } };
      },
    },
    {
      method: 'POST',
      path: '/recordings/start',
      summary:
        "WireMock: records: every request of the REST service goes to targetBaseUrl (a proxy mapping) until stop; { targetBaseUrl, filters, captureHeaders, requestBodyPattern, persist, repeatsAsScenarios, service (mockstack's: which REST service) }",
      body: { type: 'object', required: ['targetBaseUrl'], properties: { targetBaseUrl: { type: 'string' }, service: { type: 'string' } } },
      response: empty,
      handle: async ({ body }) => {
        await recordings.start(body);
        announce('wiremock: recording started');
        return {};
      },
    },
    {
      method: 'POST',
      path: '/recordings/stop',
      summary: 'WireMock: stops recording; what the real service answered is served as stub mappings (returned)',
      response: mappingsSchema,
      handle: async () => {
        const recorded = await recordings.stop();
        announce(`wiremock: recording stopped, ${recorded.mappings.length} mapping(s)`);
        return recorded;
      },
    },
    {
      method: 'GET',
      path: '/recordings/status',
      summary: 'WireMock: { status: NeverStarted | Recording | Stopped }',
      response: { type: 'object', properties: { status: { enum: ['NeverStarted', 'Recording', 'Stopped'] } } },
      handle: () => ({ status: recordings.status }),
    },
    {
      method: 'POST',
      path: '/recordings/snapshot',
      summary:
        'WireMock: stub mappings for the proxied requests already in the journal (filters, captureHeaders, requestBodyPattern, persist, repeatsAsScenarios)',
      response: mappingsSchema,
      handle: async ({ body }) => {
        const recorded = await recordings.snapshot(body);
        announce(`wiremock: snapshot, ${recorded.mappings.length} mapping(s)`);
        return recorded;
      },
    },
    {
      method: 'GET',
      path: '/scenarios',
      summary: "WireMock: the scenarios (the stack's state machines, the scenario's and those mappings added): current and possible states",
      response: scenarios,
      handle: async () => {
        await engine.refresh();
        const possible = engine.machineDefinitions;
        const all = mappings.list();
        return {
          scenarios: Object.entries(engine.machines).map(([name, state]) => ({
            id: name,
            name,
            state,
            possibleStates: possible.get(name) ?? [state],
            // Oldest first, as WireMock lists a scenario's mappings.
            mappings: all
              .filter((m) => m.mapping.scenarioName === name)
              .reverse()
              .map((m) => m.mapping),
          })),
        };
      },
    },
    {
      method: 'POST',
      path: '/scenarios/reset',
      summary: 'WireMock: every scenario (state machine) back to its first state',
      response: empty,
      handle: async () => {
        await resetScenarios();
        announce('wiremock: scenarios reset');
        return {};
      },
    },
    {
      method: 'PUT',
      path: '/scenarios/{name}/state',
      summary: 'WireMock: moves a scenario (state machine) to { "state": "…" }, or back to its first state without a body',
      body: { type: 'object', properties: { state: { type: 'string' } } },
      response: empty,
      handle: async ({ params, body }) => {
        await engine.refresh();
        const name = params.name ?? '';
        const possible = engine.machineDefinitions;
        if (!(name in engine.machines))
          throw new WiremockNotFound(`no scenario (state machine) is named ${name}; there are ${Object.keys(engine.machines).join(', ') || 'none'}`);
        if (body !== undefined && !(isRecord(body) && typeof body.state === 'string'))
          throw new WiremockMappingInvalid(['send { "state": "<state>" }, or no body to go back to the first state'], 'the scenario state');
        const state = isRecord(body) && typeof body.state === 'string' ? body.state : (possible.get(name)?.[0] ?? 'Started');
        await engine.setMachines({ [name]: state });
        announce(`wiremock: scenario ${name} → ${state}`);
        return {};
      },
    },
  ];
  return routes.map((route) => ({ ...route, jsonFromTools: true }));
}

/**
 * A file of the root's mappings with one mapping put in place of the one read from it: the mapping alone
 * for a file of one, else the file's `mappings` with the one at its place replaced (the others as the file
 * has them now).
 */
function inPlaceOf(source: MappingSource, mapping: Record<string, unknown>, text: string | undefined): unknown {
  if (source.index === undefined) return mapping;
  const document = parseJsonOrUndefined(text ?? '');
  if (!isRecord(document) || !Array.isArray(document.mappings)) return { mappings: [mapping] };
  const mappings = [...document.mappings];
  mappings[Math.min(source.index, mappings.length)] = mapping;
  return { ...document, mappings };
}

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new WiremockMappingInvalid([`${name} must be a whole number ≥ 0; got ${value}`], 'the query');
  return number;
}
