/**
 * Scenario "schema-circular", written by `mockstack init` from 1 contract(s). Every handler lets the contract's
 * auto-mock answer (`fallThrough()`) until you edit it: return a value, `respond(…)` or a `fault.*` instead.
 *
 *   npx mockstack up test/.import-swagger-tmp-32612/scenarios/schema-circular.ts
 *   npx mockstack check test/.import-swagger-tmp-32612/scenarios/schema-circular.ts
 */
import { fallThrough, rest, scenario } from 'mockstack';

/** What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`. */
export interface SchemaCircularState {
  /** Calls per operation, counted by `answer` below: replace with your own data (orders, users…). */
  calls: Record<string, number>;
}

/** The state at start and after every reset. */
export function seedState(): SchemaCircularState {
  return { calls: {} };
}

/** Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise. */
const answer = (state: SchemaCircularState, operation: string) => {
  state.calls[operation] = (state.calls[operation] ?? 0) + 1;
  return fallThrough();
};

export default scenario<SchemaCircularState>('schema-circular', { seed: 1, state: seedState })
  .services({
    schemaCircular: rest<SchemaCircularState>({ port: 4010, openapi: '/work/wt-mountebank/node_modules/@readme/oas-examples/2.0/json/schema-circular.json' }, [
      rest.post('/post', ({ state }) => answer(state, 'POST /post')),
    ]),
  })
  .variants({
    // A variant changes services while it is active (`mockstack up … --variant schemaCircular-down`, the admin API, tests).
    // Add `fault` to the import above, then:
    // 'schemaCircular-down': { schemaCircular: fault.unavailable('schemaCircular is down', { retryAfter: 30 }) },
  });
