/**
 * Scenario "transport-opendata-ch", written by `mockstack init` from 1 contract(s). Every handler lets the contract's
 * auto-mock answer (`fallThrough()`) until you edit it: return a value, `respond(…)` or a `fault.*` instead.
 *
 *   npx mockstack up test/.import-swagger-tmp-32612/scenarios/transport-opendata-ch.ts
 *   npx mockstack check test/.import-swagger-tmp-32612/scenarios/transport-opendata-ch.ts
 */
import { fallThrough, rest, scenario } from 'mockstack';

/** What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`. */
export interface TransportOpendataChState {
  /** Calls per operation, counted by `answer` below: replace with your own data (orders, users…). */
  calls: Record<string, number>;
}

/** The state at start and after every reset. */
export function seedState(): TransportOpendataChState {
  return { calls: {} };
}

/** Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise. */
const answer = (state: TransportOpendataChState, operation: string) => {
  state.calls[operation] = (state.calls[operation] ?? 0) + 1;
  return fallThrough();
};

export default scenario<TransportOpendataChState>('transport-opendata-ch', { seed: 1, state: seedState })
  .services({
    transportOpendataCh: rest<TransportOpendataChState>({ port: 4010, openapi: '/work/wt-mountebank/test/corpus-import/swagger/transport-opendata-ch.json' }, [
      rest.get('/v1/locations', ({ state }) => answer(state, 'GET /v1/locations')),
      rest.get('/v1/connections', ({ state }) => answer(state, 'GET /v1/connections')),
      rest.get('/v1/stationboard', ({ state }) => answer(state, 'GET /v1/stationboard')),
    ]),
  })
  .variants({
    // A variant changes services while it is active (`mockstack up … --variant transportOpendataCh-down`, the admin API, tests).
    // Add `fault` to the import above, then:
    // 'transportOpendataCh-down': { transportOpendataCh: fault.unavailable('transportOpendataCh is down', { retryAfter: 30 }) },
  });
