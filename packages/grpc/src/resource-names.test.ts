import { describe, expect, test } from '@jest/globals';
import { nameOf } from './resource-names.js';

const id = (variable: string): string => `${variable}-1`;

describe('nameOf: a resource name of a pattern, from what the request names', () => {
  test('under the parent, with a Create request’s <resource>_id', () => {
    expect(nameOf('projects/{project}/locations/{location}/instances/{instance}', { parent: 'projects/p/locations/l', instanceId: 'cache' }, id)).toBe(
      'projects/p/locations/l/instances/cache',
    );
  });

  test('under a project named by another field (Pub/Sub’s ListTopics: project)', () => {
    expect(nameOf('projects/{project}/topics/{topic}', { project: 'projects/demo', pageSize: 0 }, id)).toBe('projects/demo/topics/topic-1');
  });

  test('from the leading segments that fit: a topic names the project of a subscription', () => {
    expect(nameOf('projects/{project}/subscriptions/{subscription}', { topic: 'projects/demo/topics/orders' }, id)).toBe(
      'projects/demo/subscriptions/subscription-1',
    );
  });

  test('a name fitting the whole pattern is taken whole only for the resource a call answers', () => {
    const request = { topic: 'projects/demo/topics/orders' };
    expect(nameOf('projects/{project}/topics/{topic}', request, id, true)).toBe('projects/demo/topics/orders');
    expect(nameOf('projects/{project}/topics/{topic}', request, id)).toBe('projects/demo/topics/topic-1');
  });

  test('a value fitting no literal segment names nothing', () => {
    expect(nameOf('shelves/{shelf}/books/{book}', { filter: 'author/x', parent: 'publishers/p' }, id)).toBe('shelves/shelf-1/books/book-1');
  });
});
