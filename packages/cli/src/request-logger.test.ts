import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { codes, type JournalEntry, JsonText } from '@mockstack/core';
import { BatchedOutput, FLUSH_AFTER_MS } from './batched-output.js';
import { colorSupport, fit, formatRequestLine, timeOfDay } from './request-logger.js';

/** Resolves after the output's own timer (a later timer fires after an earlier one). */
const afterFlushTime = () => new Promise((resolve) => setTimeout(resolve, FLUSH_AFTER_MS + 1));

test('timeOfDay gives the HH:MM:SS.mmm of toISOString for any time, fractional milliseconds and several in one second too', () => {
  const times = [0, 999, 1000, 86_399_999, Date.UTC(2026, 11, 3, 1, 2, 3, 4), Date.UTC(2026, 11, 3, 1, 2, 3, 5)];
  let seed = 17;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    times.push(1_700_000_000_000 + seed * (i % 2 ? 1 : 997) + (i % 3 ? 0 : seed / 2 ** 31));
  }
  for (const time of times) expect(timeOfDay(time)).toBe(new Date(time).toISOString().slice(11, 23));
});

test('a request line reads the same time from a journal record (arrivedAt) as from an entry (ISO time)', () => {
  const arrivedAt = Date.UTC(2026, 11, 3, 10, 20, 30, 7);
  const entry = {
    id: 1,
    time: new Date(arrivedAt).toISOString(),
    protocol: 'rest',
    service: 'orders',
    operation: 'GET /orders/:id',
    target: 'GET /orders/1',
    rule: 'orders#0',
    status: 200,
    durationMs: 1.25,
    variants: [],
  } as unknown as JournalEntry;
  const line = formatRequestLine(entry);
  expect(line).toMatch(/^10:20:30\.007 orders\s+GET \/orders\/1\s+200\s+orders#0\s+1\.[23]ms$/);
  expect(formatRequestLine({ ...entry, time: 'not read', arrivedAt } as unknown as JournalEntry)).toBe(line);
});

test('BatchedOutput writes the lines of a few milliseconds in one write', async () => {
  const writes: string[] = [];
  const output = new BatchedOutput({ write: (text) => writes.push(text) });
  output.write('a\n');
  output.write('b\n');
  expect(writes).toEqual([]);
  await afterFlushTime();
  expect(writes).toEqual(['a\nb\n']);
  output.write('c\n');
  output.flush();
  output.flush();
  expect(writes).toEqual(['a\nb\n', 'c\n']);
  await afterFlushTime();
  expect(writes).toHaveLength(2);
});

test('BatchedOutput writes at once when 64 KB are pending', () => {
  const writes: string[] = [];
  const output = new BatchedOutput({ write: (text) => writes.push(text) });
  const line = `${'x'.repeat(1023)}\n`;
  for (let i = 0; i < 64; i++) output.write(line);
  expect(writes).toHaveLength(1);
  expect(writes[0]).toHaveLength(64 * 1024);
});

/**
 * The CLI's text logger in a process of its own (the built package, as `mockstack up` runs it),
 * logging request lines among other output, then ending as `how` says.
 */
function logThenEnd(how: 'return' | 'exit' | 'throw'): { output: string; status: number | null } {
  const logger = resolve(import.meta.dirname, '../dist/request-logger.js');
  const script = `
    const { createLogger } = await import(${JSON.stringify(logger)});
    const log = createLogger({ format: 'text', quiet: false });
    const entry = (n) => ({ arrivedAt: 0, time: '', service: 'orders', target: 'GET /orders/' + n, rule: 'orders#0', status: 200, durationMs: 1 });
    log.request(entry(1));
    console.log('printed after request 1');
    log.request(entry(2));
    log.request(entry(3));
    process.stderr.write('stderr after request 3\\n');
    log.request(entry(4));
    log.warn('warned after request 4');
    log.request(entry(5));
    await new Promise((resolve) => setImmediate(resolve));
    process.stdout.write('next turn\\n');
    log.request(entry(6));
    ${{ return: '', exit: 'process.exit(3);', throw: "throw new Error('crashed after request 6');" }[how]}
  `;
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-log-'));
  try {
    writeFileSync(join(dir, 'log.mjs'), script);
    // stdout and stderr into one pipe, so that their order shows.
    const child = spawnSync('sh', ['-c', '"$0" "$1" 2>&1', process.execPath, join(dir, 'log.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return { output: child.stdout, status: child.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ORDERED = [
  /GET \/orders\/1 /,
  /^printed after request 1$/,
  /GET \/orders\/2 /,
  /GET \/orders\/3 /,
  /^stderr after request 3$/,
  /GET \/orders\/4 /,
  /^warning: warned after request 4$/,
  /GET \/orders\/5 /,
  /^next turn$/,
  /GET \/orders\/6 /,
];

test.each(['return', 'exit', 'throw'] as const)('request lines keep their order among other output and are all written when the process ends (%s)', (how) => {
  const { output, status } = logThenEnd(how);
  const lines = output.trimEnd().split('\n');
  ORDERED.forEach((pattern, i) => {
    expect(lines[i]).toMatch(pattern);
  });
  // what follows is the crash report, printed after every line logged before it
  expect(lines.slice(ORDERED.length).join('\n')).toMatch(how === 'throw' ? /crashed after request 6/ : /^$/);
  expect(status).toBe({ return: 0, exit: 3, throw: 1 }[how]);
});

test('a full stdout pipe holds request lines back without stopping the process; they all come, in order, once it is read', async () => {
  const logger = resolve(import.meta.dirname, '../dist/request-logger.js');
  // 3,000 lines (about 300 KB, more than a pipe holds) while nobody reads stdout; then a mark on
  // stderr written past the logger, which only a process whose event loop still runs gets to. Each
  // target has a character of three bytes in UTF-8: what a full pipe took part of is counted in bytes.
  const script = `
    import { writeSync } from 'node:fs';
    const { createLogger } = await import(${JSON.stringify(logger)});
    const log = createLogger({ format: 'text', quiet: false });
    for (let n = 1; n <= 3000; n++) {
      log.request({ arrivedAt: 0, time: '', service: 'orders', target: 'GET /orders/€' + n, rule: 'orders#0', status: 200, durationMs: 1 });
      if (n % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    writeSync(2, 'still serving\\n');
    console.log('last');
  `;
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-log-'));
  try {
    writeFileSync(join(dir, 'full.mjs'), script);
    const child = spawn(process.execPath, [join(dir, 'full.mjs')], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk;
        if (stderr.includes('still serving')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited before its mark: ${stderr}`)));
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stdout.resume();
    const status = await new Promise((resolve) => child.once('close', resolve));
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3001);
    lines.slice(0, 3000).forEach((line, i) => {
      expect(line).toContain(`GET /orders/€${i + 1} `);
    });
    expect(lines[3000]).toBe('last');
    expect(status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const terminal = { isTTY: true, hasColors: () => true };
const pipe = { isTTY: false };

test.each([
  ['a terminal with colours', terminal, {}, true],
  ['a terminal without colours (hasColors says no: TERM=dumb, NODE_DISABLE_COLORS)', { isTTY: true, hasColors: () => false }, {}, false],
  ['a terminal, NO_COLOR=1', terminal, { NO_COLOR: '1' }, false],
  ['a terminal, NO_COLOR empty (means unset)', terminal, { NO_COLOR: '' }, true],
  ['a pipe', pipe, {}, false],
  ['a pipe, FORCE_COLOR=1', pipe, { FORCE_COLOR: '1' }, true],
  ['a pipe, FORCE_COLOR empty (forces too)', pipe, { FORCE_COLOR: '' }, true],
  ['a terminal, FORCE_COLOR=0', terminal, { FORCE_COLOR: '0' }, false],
  ['a terminal, FORCE_COLOR=false', terminal, { FORCE_COLOR: 'false' }, false],
  ['NO_COLOR and FORCE_COLOR: force wins', pipe, { NO_COLOR: '1', FORCE_COLOR: '1' }, true],
])('colour on %s', (_name, stream, env, expected) => {
  expect(colorSupport(stream, env)).toBe(expected);
});

test('fit pads short text and cuts long text in its middle to the width', () => {
  expect(fit('GET /a', 10)).toBe('GET /a    ');
  expect(fit('GET /orders/1234567890/items', 15)).toBe('GET /or…0/items');
  expect(fit('GET /orders/1234567890/items', 15)).toHaveLength(15);
});

const entry = (fields: Partial<JournalEntry>): JournalEntry => ({
  id: 1,
  time: '2026-01-01T12:00:01.250Z',
  protocol: 'rest',
  service: 'orders',
  operation: 'GET /orders/:id',
  target: 'GET /orders/1',
  request: { params: {}, query: {}, headers: {}, body: undefined },
  rule: 'orders#1',
  status: 200,
  durationMs: 1.25,
  variants: [],
  ...fields,
});

test('a gRPC call by service and method, a GraphQL request by operation with its errors, a rule by its name', () => {
  const names = (id: string) => (id === 'orders#1' ? 'get order' : undefined);
  expect(formatRequestLine(entry({}), names)).toBe(
    `12:00:01.250 orders       ${'GET /orders/1'.padEnd(40)} ${'200'.padEnd(19)} ${'get order'.padEnd(18)} 1.3ms`,
  );
  expect(
    formatRequestLine(
      entry({ protocol: 'grpc', service: 'payments', target: '/checkout.payments.v1.PaymentService/Authorize', status: 'OK', rule: 'payments#1' }),
    ),
  ).toMatch(/^12:00:01\.250 payments {5}PaymentService\/Authorize {17}OK {18}payments#1 /);
  const graphqlLine = formatRequestLine(
    entry({ protocol: 'graphql', operation: 'query Home', target: 'POST /graphql', response: { status: 200, body: { data: null, errors: [{}, {}] } } }),
  );
  expect(graphqlLine).toContain(' query Home (2 errors) ');
  expect(graphqlLine.indexOf(' 200 ')).toBe(formatRequestLine(entry({})).indexOf(' 200 '));
});

test('every gRPC status, however long its name (FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAUTHENTICATED), keeps the columns of HTTP lines', () => {
  const ruleAt = (line: string) => (line.indexOf('payments#1') === -1 ? line.indexOf('orders#1') : line.indexOf('payments#1'));
  const http = formatRequestLine(entry({}));
  const durationAt = http.lastIndexOf(' 1.3ms');
  for (const status of [...codes, 'OK', 'subscribed']) {
    const line = formatRequestLine(
      entry({ protocol: 'grpc', service: 'payments', target: '/checkout.payments.v1.PaymentService/Authorize', status, rule: 'payments#1' }),
    );
    expect([status, ruleAt(line), line.lastIndexOf(' 1.3ms')]).toEqual([status, ruleAt(http), durationAt]);
    expect(line).toContain(` ${status} `);
  }
});

test('a request line follows what changes between lines: a rule renamed by a reload, its status, a miss, a server error, a long target or duration', () => {
  let name = 'get order';
  const names = (id: string) => (id === 'orders#1' ? name : undefined);
  expect(formatRequestLine(entry({}), names)).toContain(` ${'200'.padEnd(19)} ${'get order'.padEnd(18)} 1.3ms`);
  name = 'order by id';
  expect(formatRequestLine(entry({}), names)).toContain(` ${'200'.padEnd(19)} ${'order by id'.padEnd(18)} 1.3ms`);
  expect(formatRequestLine(entry({ status: 404 }), names)).toContain(` ${'404'.padEnd(19)} ${'order by id'.padEnd(18)} 1.3ms`);
  expect(formatRequestLine(entry({ rule: null, status: 404, miss: { message: '', candidates: [], hint: '' } }))).toContain(
    ` ${'404'.padEnd(19)} ${'unmatched'.padEnd(18)} `,
  );
  expect(formatRequestLine(entry({ rule: null, status: 404 }))).toContain(` ${'404'.padEnd(19)} ${'-'.padEnd(18)} `);
  expect(formatRequestLine(entry({ status: 500, error: 'boom' }))).toMatch(/ 500 {17}orders#1 {11}1\.3ms {2}boom$/);
  expect(formatRequestLine(entry({ durationMs: 1234.56 }))).toMatch(/ 1234\.6ms$/);
  const long = `GET /orders/${'1234567890'.repeat(5)}`;
  expect(formatRequestLine(entry({ target: long }))).toBe(`12:00:01.250 orders       ${fit(long, 40)} ${'200'.padEnd(19)} ${'orders#1'.padEnd(18)} 1.3ms`);
  expect(formatRequestLine(entry({ service: 'inventory-and-stock' }))).toContain(`:01.250 ${fit('inventory-and-stock', 12)} GET /orders/1 `);
});

test('a GraphQL answer journaled as the bytes sent shows its error count, read only when it has errors', () => {
  const graphql = (answer: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(answer));
    return {
      ...entry({ protocol: 'graphql', operation: 'query Home', target: 'POST /graphql' }),
      answer: { body: new JsonText(bytes) },
      response: { status: 200, body: new JsonText(bytes).value() },
    };
  };
  expect(formatRequestLine(graphql({ data: null, errors: [{ message: 'no' }] }))).toContain(' query Home (1 error) ');
  expect(formatRequestLine(graphql({ data: { home: 1 } }))).toContain(' query Home  ');
});
