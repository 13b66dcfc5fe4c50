// OperationRouter takes literal paths from a map and builds a router per first path segment on first
// use (see its doc); whatever it finds must be what one find-my-way router with every route finds,
// as fastify would route them.
import FindMyWay from 'find-my-way';
import { OperationRouter } from './operation-router.js';

const templates: [method: string, template: string][] = [
  ['GET', '/'],
  ['GET', '/repos'],
  ['GET', '/repos/:owner'],
  ['GET', '/repos/:owner/:repo'],
  ['PATCH', '/repos/:owner/:repo'],
  ['GET', '/repos/:owner/:repo/issues'],
  ['GET', '/repos/:owner/:repo/issues/:number'],
  ['GET', '/repos/octocat/:repo/special'],
  ['GET', '/repos/octocat/hello-world/readme'],
  ['GET', '/repositories'],
  ['GET', '/repositories/:id'],
  ['GET', '/repo:suffix'],
  ['GET', '/:owner/profile'],
  ['GET', '/:owner/:thing/x'],
  ['GET', '/users/:user-:kind'],
  ['GET', '/files/*'],
  ['GET', '/*'],
  ['POST', '/orders/:id/items'],
  ['GET', '/orders/latest'],
  ['GET', '/orders/:id'],
  ['GET', '/orders/:id/status'],
  ['GET', '/a::b/:x'],
  ['HEAD', '/heads/:id'],
];

const requests = [
  '/',
  '/repos',
  '/repos/',
  '/repos/octocat',
  '/repos/octocat/hello-world',
  '/repos/octocat/hello-world/',
  '/repos/octocat/hello-world/issues',
  '/repos/octocat/hello-world/issues/7?state=open&state=closed',
  '/repos/octocat/x/special',
  '/repos/other/x/special',
  '/repos/octocat/hello-world/readme',
  '/repos/a/b/c/d/e',
  '/repositories',
  '/repositories/12',
  '/reposX',
  '/repo',
  '/octocat/profile',
  '/repos/profile',
  '/repos/a/x',
  '/orders/latest',
  '/orders/latest/',
  '/orders/latest2',
  '/orders/o1/status',
  '/orders/o1/items',
  '/orders/a%20b',
  '/orders/lat%65st',
  '/users/ann-admin',
  '/users/ann',
  '/files/a/b/c.txt',
  '/files',
  '/anything/else/at/all',
  '/a:b/1',
  '/heads/1',
  '//double',
  '/repos//x',
  '/repos/octocat/hello-world#frag',
  '*',
];

function reference() {
  const router = FindMyWay({ maxParamLength: 2048 });
  for (const [method, template] of templates) router.on(method as FindMyWay.HTTPMethod, template, () => undefined, { template });
  return (method: string, url: string) => {
    const found = router.find(method as FindMyWay.HTTPMethod, url) ?? (method === 'HEAD' ? router.find('GET', url) : null);
    return found
      ? { template: (found.store as { template: string }).template, params: { ...found.params }, searchParams: { ...found.searchParams } }
      : undefined;
  };
}

test('every request finds the route, parameters and query one find-my-way router with every route finds', () => {
  const expected = reference();
  // A router per order of first use: a group built early or late answers alike.
  for (const order of [requests, [...requests].reverse()]) {
    const router = new OperationRouter<string>();
    for (const [method, template] of templates) router.add(method, template, `${method} ${template}`);
    for (const url of order) {
      for (const method of ['GET', 'HEAD', 'PATCH', 'POST']) {
        const found = router.find(method, url);
        const got = found && { template: found.template, params: { ...found.params }, searchParams: { ...found.searchParams } };
        expect([method, url, got]).toEqual([method, url, expected(method, url)]);
        if (found) expect(found.handler).toMatch(new RegExp(` ${found.template.replace(/[*]/g, '\\*')}$`));
      }
    }
  }
});

test('a route added after its group was built is found too', () => {
  const router = new OperationRouter<string>();
  router.add('GET', '/repos/:owner', 'owner');
  expect(router.find('GET', '/repos/octocat')?.handler).toBe('owner');
  router.add('GET', '/repos/:owner/:repo', 'repo');
  router.add('GET', '/:any/:repo', 'any');
  expect(router.find('GET', '/repos/octocat/hello-world')?.handler).toBe('repo');
  expect(router.find('GET', '/users/octocat')?.handler).toBe('any');
  expect(router.find('GET', '/repos/octocat/a%20b')?.params).toEqual({ owner: 'octocat', repo: 'a b' });
});
