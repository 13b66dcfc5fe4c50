// Cursor pagination served zero-config: a request carrying a cursor to a later page gets the last
// page, so a client paging through every result ends. Stripe's own SDK (auto-pagination on has_more
// and starting_after, nested form bodies) against Stripe's document (test/fixtures/stripe), and the
// shapes other providers page with (Slack, Google, Twilio, HubSpot, Kubernetes), followed with fetch.
import { resolve } from 'node:path';
import Stripe from 'stripe';
import { servedDocuments } from '../helpers/served-documents.js';

const { serve, serveDocument } = servedDocuments('cursor-paging');

describe("Stripe's SDK against Stripe's document", () => {
  let stripe: Stripe;
  beforeAll(async () => {
    const url = new URL(await serve(resolve(import.meta.dirname, '../fixtures/stripe/openapi.json')));
    stripe = new Stripe('sk_test_123', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  });

  test('auto-pagination over customers.list ends after the page a starting_after asks for', async () => {
    const first = await stripe.customers.list({ limit: 3 });
    const ids: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 3 })) {
      ids.push(customer.id);
      if (ids.length > 100) break;
    }
    // Every item of the first page, then every item of the last page (the same generated list).
    expect(ids.length).toBe(first.has_more ? first.data.length * 2 : first.data.length);
    const later = await stripe.customers.list({ limit: 3, starting_after: 'cus_1' });
    expect(later.has_more).toBe(false);
  });

  test('a nested form body (metadata[order], address[city]) is taken; one breaking the document is refused, and serving goes on', async () => {
    const made = await stripe.customers.create({ email: 'ann@example.com', name: 'Ann', metadata: { order: '1' }, address: { city: 'Oslo' } });
    expect(made.object).toBe('customer');
    await expect(stripe.customers.create({ balance: 'lots' } as unknown as Stripe.CustomerCreateParams)).rejects.toThrow(/balance/);
    expect((await stripe.customers.retrieve('cus_1')).object).toBe('customer');
  });
});

describe('other providers’ cursors: the page after the first is the last', () => {
  const list = (properties: object, required: string[] = []) => ({
    200: {
      description: 'a page',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['items', ...required],
            properties: { items: { type: 'array', minItems: 1, items: { type: 'string' } }, ...properties },
          },
        },
      },
    },
  });
  const query = (...names: string[]) => names.map((name) => ({ name, in: 'query', schema: { type: 'string' } }));
  const document = {
    openapi: '3.0.3',
    info: { title: 'cursors', version: '1' },
    paths: {
      // Slack: the next cursor is required, and empty on the last page.
      '/slack': {
        get: {
          parameters: query('cursor'),
          responses: list({ response_metadata: { type: 'object', required: ['next_cursor'], properties: { next_cursor: { type: 'string', minLength: 1 } } } }, [
            'response_metadata',
          ]),
        },
      },
      // Google: nextPageToken left out.
      '/google': { get: { parameters: query('pageToken'), responses: list({ nextPageToken: { type: 'string', minLength: 1 } }) } },
      // Twilio: a nullable next_page_url inside meta.
      '/twilio': {
        get: {
          parameters: query('PageToken'),
          responses: list(
            { meta: { type: 'object', required: ['next_page_url'], properties: { next_page_url: { type: 'string', format: 'uri', nullable: true } } } },
            ['meta'],
          ),
        },
      },
      // Microsoft Graph (OData): the next link, followed as it is; its token has a pattern the link's value keeps to.
      '/graph': {
        get: {
          parameters: [...query('$top'), { name: '$skiptoken', in: 'query', schema: { type: 'string', pattern: '^[A-Za-z0-9]{8,16}$' } }],
          responses: list({ '@odata.nextLink': { type: 'string', format: 'uri' } }),
        },
      },
      // HubSpot: paging.next, an object, gone.
      '/hubspot': {
        get: {
          parameters: query('after'),
          responses: list(
            {
              paging: {
                type: 'object',
                properties: { next: { type: 'object', required: ['after'], properties: { after: { type: 'string' } } } },
              },
            },
            ['paging'],
          ),
        },
      },
    },
  };
  let base: string;
  beforeAll(async () => {
    base = await serveDocument('cursors', document);
  });
  const page = async (path: string) => {
    const answer = await fetch(`${base}${path}`);
    expect(answer.status).toBe(200);
    return (await answer.json()) as Record<string, Record<string, unknown>>;
  };

  test("a first page's next link names the mock and a cursor; following it reaches the last page", async () => {
    const first = await page('/graph?$top=2');
    const next = new URL(first['@odata.nextLink'] as unknown as string);
    expect(next.origin).toBe(new URL(base).origin);
    expect(next.pathname).toBe('/graph');
    expect(next.searchParams.get('$top')).toBe('2');
    expect(next.searchParams.get('$skiptoken')).toBeTruthy();
    const last = await page(next.pathname + next.search);
    expect(last['@odata.nextLink']).toBeUndefined();
    // Each first page links to its own next page (the answer is made once).
    const other = new URL((await page('/graph?$top=5&q=a\\b"c'))['@odata.nextLink'] as unknown as string);
    expect(other.searchParams.get('$top')).toBe('5');
    expect(other.searchParams.get('q')).toBe('a\\b"c');
  });

  test.each([
    ['/slack', 'cursor', (p: Record<string, Record<string, unknown>>) => p.response_metadata?.next_cursor, ''],
    ['/google', 'pageToken', (p: Record<string, Record<string, unknown>>) => p.nextPageToken, undefined],
    ['/twilio', 'PageToken', (p: Record<string, Record<string, unknown>>) => p.meta?.next_page_url, null],
    ['/hubspot', 'after', (p: Record<string, Record<string, unknown>>) => p.paging?.next, undefined],
  ])('%s: the first page points on, a request with %s gets the last page', async (path, cursor, next, last) => {
    const first = await page(path);
    expect(next(first)).toEqual(expect.anything());
    const later = await page(`${path}?${cursor}=${encodeURIComponent(String(next(first) ?? 'x'))}`);
    expect(next(later)).toBe(last);
    expect((later.items as unknown as string[]).length).toBeGreaterThan(0);
    // An empty cursor is a first page.
    expect(next(await page(`${path}?${cursor}=`))).toEqual(next(first));
  });
});
