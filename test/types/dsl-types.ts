/**
 * Type-level checks of the DSL, verified by `npm run typecheck` (tsc), not by jest:
 * every `@ts-expect-error` below must be an error, or tsc fails.
 */
import { fault, rest, scenario } from 'mockstack';

interface State {
  orders: Map<string, { id: string }>;
}

export const typed = scenario('types', { state: (): State => ({ orders: new Map() }) }).services({
  api: rest({ port: 0 }, [
    rest.get('/orders/:id/items/:sku', ({ params, state }) => {
      const id: string = params.id;
      const sku: string = params.sku;
      // @ts-expect-error the template declares no :other param
      params.other;
      // @ts-expect-error state is typed from the scenario's state()
      state.nope;
      return state.orders.get(id) ?? fault.notFound(sku);
    }),
    rest.get('/files/*', ({ params }) => params['*']),
    // Parameters inside a segment: find-my-way's forms, and the OpenAPI document's (its colon is literal)
    rest.get('/media/:name.:ext', ({ params }) => `${params.name}.${params.ext}`),
    rest.post('/v1/:name(^.+?)::cancel', ({ params }) => params.name),
    rest.post('/v2/{name}:cancel', ({ params }) => {
      // @ts-expect-error `:cancel` after a document parameter is text
      params.cancel;
      return params.name;
    }),
    rest.get('/plain', ({ params }) => {
      // @ts-expect-error a template without params has none
      params.id;
      return 'ok';
    }),
  ]),
});

// @ts-expect-error a service's rules must share the scenario's state type
scenario('mismatch', { state: (): State => ({ orders: new Map() }) }).services({ api: rest<{ other: number }>({}, []) });
