import type { CoreRequest } from '@mockstack/core';
import { bodyText } from '@mockstack/core';
import type { MountebankRequest } from './predicates.js';

const FORM = /^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i;
const seen = new WeakMap<CoreRequest, MountebankRequest>();

/**
 * A request as Mountebank's predicates and saved requests see it: method, path (as sent), query
 * (repeated parameters as lists), headers, the body as text and, for a form, its fields. Made once
 * per request (every stub's predicates read the same one).
 */
export function mountebankRequestOf(request: CoreRequest): MountebankRequest {
  const known = seen.get(request);
  if (known) return known;
  const space = request.target.indexOf(' ');
  const method = request.target.slice(0, space);
  const url = new URL(request.target.slice(space + 1), 'http://localhost');
  const query = fieldsOf(url.searchParams);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name.toLowerCase()] = value;
  const type = headers['content-type'];
  const isForm = typeof type === 'string' && FORM.test(type);
  // As sent: the REST server keeps a form's own text (see core's bodyText).
  const body = bodyText(request.body);
  const made: MountebankRequest = { method, path: url.pathname, query, headers, body };
  if (isForm && body) made.form = fieldsOf(new URLSearchParams(body));
  seen.set(request, made);
  return made;
}

function fieldsOf(params: URLSearchParams): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const before = fields[name];
    fields[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return fields;
}
