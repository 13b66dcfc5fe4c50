/**
 * Methods node's HTTP/1.1 parser takes beyond the usual seven and QUERY (a request with any other is
 * refused before a server sees it): what an OpenAPI 3.2 document's `additionalOperations` can serve.
 * CONNECT is left out: it opens a tunnel, it does not ask a resource for an answer.
 */
export const EXTENSION_HTTP_METHODS: ReadonlySet<string> = new Set([
  'ACL',
  'BIND',
  'CHECKOUT',
  'COPY',
  'LINK',
  'LOCK',
  'M-SEARCH',
  'MERGE',
  'MKACTIVITY',
  'MKCALENDAR',
  'MKCOL',
  'MOVE',
  'NOTIFY',
  'PROPFIND',
  'PROPPATCH',
  'PURGE',
  'REBIND',
  'REPORT',
  'SEARCH',
  'SOURCE',
  'SUBSCRIBE',
  'UNBIND',
  'UNLINK',
  'UNLOCK',
  'UNSUBSCRIBE',
]);

/** The methods a REST route may have: the usual seven, QUERY, and the extension methods above. */
export const ROUTE_METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'QUERY', ...EXTENSION_HTTP_METHODS]);
