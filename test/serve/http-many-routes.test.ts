import { defaultLimits } from '@mockstack/core';
import { HttpApp } from '@mockstack/http';

// HttpApp keeps fastify's per-route `preReady` listeners behind one listener (node removes
// once-listeners in quadratic time). What those listeners set up must still be set up, for every
// route, in order: hooks added after the routes reach each route, and the 404 handler answers.
test('an app with thousands of routes serves each of them, with the hooks added after them and its 404 handler', async () => {
  const app = new HttpApp({ bodyLimit: 1024, cors: false, limits: defaultLimits });
  const routes = 3000;
  for (let i = 0; i < routes; i++) app.fastify.get(`/items/item_${i}`, async () => ({ item: i }));
  app.fastify.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-hooked', 'yes');
    return payload;
  });
  app.fastify.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ missing: true });
  });
  const { url } = await app.listen({ name: 'many', protocol: 'rest', host: '127.0.0.1', port: 0 } as never);
  try {
    for (const i of [0, 1, routes / 2, routes - 1]) {
      const res = await fetch(`${url}/items/item_${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-hooked')).toBe('yes');
      expect(await res.json()).toEqual({ item: i });
    }
    const missing = await fetch(`${url}/items/item_${routes}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ missing: true });
    // and it goes on serving
    expect((await fetch(`${url}/items/item_7`)).status).toBe(200);
  } finally {
    await app.close();
  }
});
