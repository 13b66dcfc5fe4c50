import { paginationLinksFor } from './pagination-links.js';

const origin = 'http://127.0.0.1:4010';
// GitHub's documented Link header (components/headers/link), as the mock has rewritten its server.
const github = `<${origin}/resource?page=2>; rel="next", <${origin}/resource?page=5>; rel="last"`;

/** The pages a Link-header paginator visits from `start`, following `next` until there is none. */
function follow(value: string, start: string): string[] {
  const visited = [start];
  for (let url = start; visited.length < 50; ) {
    const next = /<([^>]+)>;\s*rel="next"/.exec(paginationLinksFor(value, url, origin))?.[1];
    if (next === undefined) return visited;
    url = next.slice(origin.length);
    visited.push(url);
  }
  return visited;
}

test("page numbers step from the request's own URL to the example's last page, keeping the request's query", () => {
  expect(paginationLinksFor(github, '/repos/o/r/issues?per_page=2', origin)).toBe(
    `<${origin}/repos/o/r/issues?per_page=2&page=2>; rel="next", <${origin}/repos/o/r/issues?per_page=2&page=5>; rel="last"`,
  );
  expect(paginationLinksFor(github, '/repos/o/r/issues?page=4', origin)).toBe(
    `<${origin}/repos/o/r/issues?page=5>; rel="next", <${origin}/repos/o/r/issues?page=5>; rel="last"`,
  );
  // The last page has no next.
  expect(paginationLinksFor(github, '/repos/o/r/issues?page=5', origin)).toBe(`<${origin}/repos/o/r/issues?page=5>; rel="last"`);
  expect(follow(github, '/orgs/o/repos')).toEqual([
    '/orgs/o/repos',
    '/orgs/o/repos?page=2',
    '/orgs/o/repos?page=3',
    '/orgs/o/repos?page=4',
    '/orgs/o/repos?page=5',
  ]);
});

test('an offset steps by the distance between the first and next links; prev and first are answered too', () => {
  const offsets = '</items?offset=0&limit=10>; rel="first", </items?offset=10&limit=10>; rel="next", </items?offset=30&limit=10>; rel="last"';
  expect(follow(offsets, '/v2/items?limit=10')).toEqual([
    '/v2/items?limit=10',
    '/v2/items?limit=10&offset=10',
    '/v2/items?limit=10&offset=20',
    '/v2/items?limit=10&offset=30',
  ]);
  const prevNext = '<https://x/p?page=3>; rel="prev", <https://x/p?page=5>; rel="next"';
  expect(paginationLinksFor(prevNext, '/p?page=2', origin)).toBe(`<${origin}/p?page=1>; rel="prev", <${origin}/p?page=3>; rel="next"`);
});

test('a cursor link leads to one more page: a request carrying its cursor is the last', () => {
  const cursor = '<https://api.example.com/v1/events?starting_after=evt_9&limit=3>; rel="next"; title="more"';
  expect(paginationLinksFor(cursor, '/v1/events?limit=2', origin)).toBe(`<${origin}/v1/events?limit=3&starting_after=evt_9>; rel="next"; title="more"`);
  expect(follow(cursor, '/v1/events')).toEqual(['/v1/events', '/v1/events?starting_after=evt_9&limit=3']);
});

test('links that are no pages, and values that are no links, are answered as written', () => {
  expect(paginationLinksFor('</docs/errors>; rel="help", <https://x/terms>; rel="terms-of-service"', '/a', origin)).toBe(
    '</docs/errors>; rel="help", <https://x/terms>; rel="terms-of-service"',
  );
  expect(paginationLinksFor('sunt in culpa', '/a', origin)).toBe('sunt in culpa');
  expect(paginationLinksFor(`${github}, </docs>; rel="help"`, '/r?page=5', origin)).toBe(`<${origin}/r?page=5>; rel="last", </docs>; rel="help"`);
});
