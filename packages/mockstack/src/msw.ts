/**
 * mockstack/msw: a scenario's REST and GraphQL services as MSW request handlers, in Node tests
 * (`setupServer`) and in the browser (`setupWorker`), with the scenario's rules, state, variants,
 * faults, delays and journal. `msw` (2.x) is the user's own dependency.
 *
 * @example
 * import { setupServer } from 'msw/node';
 * import { handlersFor } from 'mockstack/msw';
 * import checkout from './scenarios/checkout.js';
 * const mocks = handlersFor(checkout);
 * const server = setupServer(...mocks);
 * server.listen();
 */
export * from '@mockstack/msw';
