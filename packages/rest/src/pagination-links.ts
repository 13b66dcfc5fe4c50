/**
 * A documented `Link` header (RFC 8288) as the mock answers it: its pagination links point at the
 * request's own URL, page by page, and the last page has no `next`.
 *
 * Documents give one example for every page (GitHub's: `<…/resource?page=2>; rel="next",
 * <…/resource?page=5>; rel="last"`, a placeholder path). Copied as it is, a client following `next`
 * (octokit.paginate, Link-header paginators) asks for a path the mock does not serve, or, when the
 * path is right, gets the same `next` forever.
 *
 * - A page number (an integer query parameter whose value differs between the example's links):
 *   the request's own number (else the page the example answers) steps to `next`/`prev` up to the
 *   example's `last`; its step is one page, or the offset between the example's `first` and `next`.
 * - Otherwise a cursor: `next` sets the parameters the example's `next` names; a request that
 *   already carries all of them is on the last page.
 */

/** The relations a paginator follows. */
const PAGE_RELATIONS = new Set(['next', 'prev', 'previous', 'first', 'last']);
const LINK_VALUE = /<([^>]*)>([^<]*)/g;
const RELATION = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i;
const INTEGER = /^\d+$/;

interface LinkValue {
  /** The target as written (a link that is no page is answered with it). */
  written: string;
  target: URL;
  /** The link's parameters as written (`; rel="next"`), without the separating comma. */
  parameters: string;
  relation: string;
}

/**
 * `value` (a documented `Link` header) for the request `requestUrl` (path and query, as it came)
 * made at `origin`; other headers and a `Link` with no pagination link come back as they are.
 */
export function paginationLinksFor(value: string, requestUrl: string, origin: string): string {
  const links = parseLinks(value);
  if (!links?.some((link) => PAGE_RELATIONS.has(link.relation))) return value;
  const request = new URL(requestUrl, origin);
  const byRelation = new Map(links.map((link) => [link.relation === 'previous' ? 'prev' : link.relation, link]));
  const pageNumber = pageNumberOf(links, byRelation);
  const answered: string[] = [];
  for (const link of links) {
    const relation = link.relation === 'previous' ? 'prev' : link.relation;
    if (!PAGE_RELATIONS.has(relation)) {
      answered.push(`<${link.written}>${link.parameters}`);
      continue;
    }
    const target = new URL(request.pathname, origin);
    for (const [name, wanted] of request.searchParams) target.searchParams.append(name, wanted);
    for (const [name, wanted] of link.target.searchParams) {
      // Beside a page number, the request's own page size, filters and so on stand; a cursor link sets all it names.
      if (!pageNumber || (name !== pageNumber.name && !request.searchParams.has(name))) target.searchParams.set(name, wanted);
    }
    if (pageNumber) {
      const page = pageNumber.pageOf(relation, request.searchParams.get(pageNumber.name));
      if (page === undefined) continue;
      target.searchParams.set(pageNumber.name, String(page));
    } else if (relation === 'next' && onLastPage(link, request)) {
      continue;
    }
    answered.push(`<${target.href}>${link.parameters}`);
  }
  return answered.join(', ');
}

function parseLinks(value: string): LinkValue[] | undefined {
  const links: LinkValue[] = [];
  for (const [, target = '', rest = ''] of value.matchAll(LINK_VALUE)) {
    const parameters = rest.replace(/[\s,]+$/, '');
    const relation = RELATION.exec(parameters);
    let url: URL;
    try {
      url = new URL(target, 'http://link.invalid');
    } catch {
      return undefined;
    }
    links.push({ written: target, target: url, parameters, relation: (relation?.[1] ?? relation?.[2] ?? '').trim().toLowerCase() });
  }
  return links.length > 0 ? links : undefined;
}

interface PageNumber {
  name: string;
  /** The page `relation` points at from the request's page (undefined: the link is left out). */
  pageOf(relation: string, requested: string | null): number | undefined;
}

function pageNumberOf(links: readonly LinkValue[], byRelation: ReadonlyMap<string, LinkValue>): PageNumber | undefined {
  const paging = links.filter((link) => PAGE_RELATIONS.has(link.relation));
  const names = new Set(paging.flatMap((link) => [...link.target.searchParams.keys()]));
  for (const name of names) {
    const values = paging.map((link) => link.target.searchParams.get(name));
    if (!values.every((v) => v !== null && INTEGER.test(v)) || new Set(values).size < 2) continue;
    const numberAt = (relation: string): number | undefined => {
      const raw = byRelation.get(relation)?.target.searchParams.get(name);
      return raw === null || raw === undefined ? undefined : Number(raw);
    };
    const [next, prev, first, last] = [numberAt('next'), numberAt('prev'), numberAt('first'), numberAt('last')];
    const step = next !== undefined && prev !== undefined ? (next - prev) / 2 : next !== undefined && first !== undefined && next > first ? next - first : 1;
    if (!Number.isInteger(step) || step < 1) continue;
    const answeredByExample = next !== undefined ? next - step : prev !== undefined ? prev + step : (first ?? 1);
    const lowest = first ?? Math.min(answeredByExample, 1);
    const highest = last ?? Math.max(...values.map(Number));
    return {
      name,
      pageOf(relation, requested) {
        const page = requested !== null && INTEGER.test(requested) ? Number(requested) : answeredByExample;
        if (relation === 'first') return lowest;
        if (relation === 'last') return highest;
        if (relation === 'next') return page + step <= highest ? page + step : undefined;
        return page - step >= lowest ? page - step : undefined;
      },
    };
  }
  return undefined;
}

/** True when the request already carries every parameter `next` would set: it is the page `next` leads to. */
function onLastPage(next: LinkValue, request: URL): boolean {
  for (const [name, wanted] of next.target.searchParams) if (request.searchParams.get(name) !== wanted) return false;
  return true;
}
