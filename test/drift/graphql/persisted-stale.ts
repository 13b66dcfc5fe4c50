// The client's persisted documents (Relay's persisted_queries.json) ask for a field the schema no longer has.
import { graphql, scenario } from 'mockstack';

export default scenario('drift-graphql-persisted-stale').services({
  catalog: graphql({ schema: 'schemas/catalog.graphql', persistedDocuments: 'persisted-stale.json' }),
});
