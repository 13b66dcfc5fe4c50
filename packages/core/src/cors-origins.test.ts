import { CorsOriginPolicy, parseCorsOrigins } from './cors-origins.js';
import type { MockstackError } from './errors.js';

test('origins are read as browsers send them: lower-cased, a trailing slash dropped, * alone for any', () => {
  expect(parseCorsOrigins('HTTP://192.168.1.5:3000/, capacitor://localhost,,*')).toEqual(['http://192.168.1.5:3000', 'capacitor://localhost', '*']);
});

test('a * inside an origin stands for any part of its host or port, and nothing with a slash', () => {
  const [codespaces, anyPort] = parseCorsOrigins('https://*.app.github.dev,http://192.168.1.5:*') as RegExp[];
  const policy = new CorsOriginPolicy([codespaces as RegExp, anyPort as RegExp]);
  expect(policy.allows('https://fluffy-3000.app.github.dev', undefined)).toBe(true);
  expect(policy.allows('http://192.168.1.5:5173', undefined)).toBe(true);
  expect(policy.allows('https://app.github.dev.evil.example', undefined)).toBe(false);
  expect(policy.allows('http://192.168.1.50:5173', undefined)).toBe(false);
});

test.each([
  ['localhost:3000', /"localhost:3000" is not an origin\. It lacks its scheme \(http:\/\/localhost:3000\?\)/],
  [
    'http://app.example.com/dashboard',
    /"http:\/\/app\.example\.com\/dashboard" is not an origin\. An origin has no path or query: http:\/\/app\.example\.com;/,
  ],
  [' , ', /no origin given\. Write scheme:\/\/host\[:port\]/],
])('%j is refused with what to write instead', (given, message) => {
  expect(() => parseCorsOrigins(given, '--cors')).toThrow(message);
  try {
    parseCorsOrigins(given, '--cors');
  } catch (error) {
    expect((error as MockstackError).code).toBe('MOCKSTACK_ERR_OPTION_INVALID');
    expect((error as MockstackError).message).toMatch(/^--cors: /);
  }
});

test('the first refusal of each origin is told with what to change; a same-origin page and a second refusal are not', () => {
  const told: string[] = [];
  const policy = new CorsOriginPolicy(undefined, (message) => told.push(message));
  expect(policy.allows('http://localhost:5173', '127.0.0.1:8080')).toBe(true);
  expect(policy.allows('http://192.168.1.5:8080', '192.168.1.5:8080')).toBe(false);
  expect(policy.allows('https://fluffy-3000.app.github.dev', 'fluffy-8080.app.github.dev')).toBe(false);
  expect(policy.allows('https://fluffy-3000.app.github.dev', 'fluffy-8080.app.github.dev')).toBe(false);
  expect(told).toEqual([
    "a page at https://fluffy-3000.app.github.dev called it from another origin and got no CORS headers, so the browser hides the answer: by default only pages on this machine (localhost, 127.0.0.1, [::1]) may. Allow it with `--cors https://fluffy-3000.app.github.dev` (or `--cors '*'`), or `cors: { origins: ['https://fluffy-3000.app.github.dev'] }` on the service",
  ]);
  const listed = new CorsOriginPolicy(['http://localhost:3000', /^https:\/\/.*\.example\.com$/g], (message) => told.push(message));
  expect([listed.allows('https://a.example.com', undefined), listed.allows('https://a.example.com', undefined)]).toEqual([true, true]);
  expect(listed.allows('null', undefined)).toBe(false);
  expect(told[1]).toMatch(
    /^a page opened from a file or a sandbox \(Origin: null\) called it .*: it is not among the origins allowed \(http:\/\/localhost:3000, \/\^https:\\\/\\\/\.\*\\\.example\\\.com\$\/\)\. Add it where they are set/,
  );
});
