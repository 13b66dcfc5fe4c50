export { graphqlCodeOf } from './codes.js';
export { graphqlAdapter, validateGraphqlService } from './graphql-adapter.js';
