import { describe, expect, test } from '@jest/globals';
import * as browser from './platform.browser.js';
import * as node from './platform.js';

// The browser side of the platform seam (what a browser bundle of core gets) against node's.
describe('platform seam', () => {
  test('both sides export the same functions', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });

  test('in the browser a contract path is the name its text is given under, and reading it says how to give it', async () => {
    expect(browser.resolveContractPath({ file: undefined, root: '' }, './schemas/catalog.graphql')).toBe('schemas/catalog.graphql');
    await expect(browser.readTextFile('schemas/catalog.graphql')).rejects.toThrow(
      /cannot read schemas\/catalog\.graphql in the browser: pass its text with the scenario, e\.g\. handlersFor\(scenario, \{ contracts: \{ 'schemas\/catalog\.graphql': text \} \}\)/,
    );
    expect(() => browser.readTextFileSync('x.yaml')).toThrow(/cannot read x\.yaml in the browser/);
    expect(browser.fileVersion('x.yaml')).toBe('');
  });
});
