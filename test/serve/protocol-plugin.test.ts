/**
 * Issue 12: a protocol is a plug-in. A line-based TCP protocol, written here against the public
 * `Adapter` interface only (no edit to core, the engine or the other adapters), is served from one
 * scenario alongside REST through `startStack({ protocols })`, sharing state, variants, the contract
 * fallback and the journal; its tooling (`Adapter.tooling`) is used by `gen`, `check` and `init`
 * through their public entry points. CONTRIBUTING.md ("Adding a protocol") walks through this same adapter.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { check, generate } from '@mockstack/contracts';
import {
  type Adapter,
  type AdapterContext,
  type CoreRequest,
  type Engine,
  ErrorCode,
  MockstackError,
  type Outcome,
  type ProtocolTooling,
  type RuleDefinition,
  resolveContractPath,
  type Service,
  type ServiceAddress,
  type ServiceDefinition,
  type ServiceServer,
} from '@mockstack/core';
import { quote, staticAnswers } from '@mockstack/core/tooling';
import { init } from '@mockstack/scaffold';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, rest, scenario } from 'mockstack';

/** One line as the engine sees it: `ADD milk` is operation `ADD` with body `milk`. */
class LineRequest implements CoreRequest {
  readonly protocol = 'line';
  readonly params = {};
  readonly query = {};
  readonly headers = {};
  readonly operation: string;
  readonly body: string;
  /** Set by the engine before a handler runs: this request is the handler's context. */
  state: unknown = undefined;
  call = 0;

  constructor(
    readonly service: string,
    readonly target: string,
  ) {
    const space = target.indexOf(' ');
    this.operation = (space < 0 ? target : target.slice(0, space)).toUpperCase();
    this.body = space < 0 ? '' : target.slice(space + 1);
  }
}

/** What a line handler receives. */
interface LineContext<State> {
  body: string;
  state: State;
  call: number;
}

/** The outcome as one line of text, and the status the journal records. */
function lineOf(request: LineRequest, outcome: Outcome): { text: string; status: string } {
  switch (outcome.kind) {
    case 'body':
      return { text: String(outcome.body), status: 'OK' };
    case 'reply':
      return { text: String(outcome.reply.body), status: 'OK' };
    case 'fault':
      return { text: `ERR ${outcome.fault.code} ${outcome.fault.message}`, status: outcome.fault.code };
    case 'unmatched':
      return { text: `ERR UNMATCHED ${outcome.miss.message}`, status: 'UNMATCHED' };
    case 'fallback':
      // The protocol's contract default: a line no rule answers is echoed.
      return { text: request.target, status: 'OK' };
    case 'aborted':
      return { text: '', status: 'ABORTED' };
  }
}

class LineServer implements ServiceServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(
    readonly service: Service,
    readonly engine: Engine,
  ) {
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      // One line at a time, in order: the answers come back in the order the lines were sent.
      let previous = Promise.resolve();
      createInterface({ input: socket }).on('line', (line) => {
        previous = previous.then(() => this.#answer(socket, line));
      });
    });
  }

  async #answer(socket: Socket, line: string): Promise<void> {
    const startedAt = performance.now();
    const request = new LineRequest(this.service.name, line);
    const outcome = await this.engine.handle(request, 'unmatched');
    const { text, status } = lineOf(request, outcome);
    if (!socket.destroyed) socket.write(`${text}\n`);
    this.engine.record(request, outcome, { status, startedAt });
  }

  listen(): Promise<ServiceAddress> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.service.port, this.service.host, () => {
        const address = this.#server.address();
        const port = typeof address === 'object' && address ? address.port : this.service.port;
        const { name, host } = this.service;
        resolve({ name, protocol: 'line', host, port, url: `tcp://${host}:${port}` });
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** The operations of a `.lines` contract (`OPERATION answer` per line), in order; a row that is not one is a contract problem. */
function operationsOf(file: string): string[] {
  const operations: string[] = [];
  for (const [index, row] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (row.trim() === '') continue;
    const operation = row.split(' ')[0] ?? '';
    if (!/^[A-Z]+$/.test(operation)) {
      throw new MockstackError(
        ErrorCode.ContractLoad,
        `${basename(file)}:${index + 1}: "${operation}" is no operation; a row is OPERATION (capitals) then its answer`,
      );
    }
    operations.push(operation);
  }
  return operations;
}

/** The line protocol's part in `mockstack gen`, `check` and `init`. */
const lineTooling: ProtocolTooling = {
  generateTypes: (contracts, { relative }) => ({
    declarations: [],
    registry: {
      lines: (contracts.get('lines') ?? []).map((file) => `${quote(relative(file))}: ${operationsOf(file).map(quote).join(' | ') || 'never'};`),
    },
  }),
  initService(file, _kind, { named }) {
    const operations = operationsOf(file);
    if (operations.length === 0 && !named) return undefined;
    return {
      protocol: 'line',
      stubs: operations.map((operation) => ({ kind: 'line', operation })),
      imports: [{ from: 'mockstack-lines', names: ['line', 'on'] }],
      code: ({ stateType, contractPath, port }) =>
        `line<${stateType}>({ port: ${port}, contract: ${quote(contractPath(file))} }, [\n${operations.map((op) => `on(${quote(op)}, ({ state }) => answer(state, ${quote(op)})),`).join('\n')}\n])`,
    };
  },
  checkStatic(service, rules, model) {
    const contract = resolveContractPath(model, String(service.config.contract));
    const operations = operationsOf(contract);
    const violations = rules.flatMap(({ rule }) => {
      if (!operations.includes(rule.operation)) {
        return [{ source: rule.source, message: `${rule.operation} is not an operation of ${basename(contract)} (it has ${operations.join(', ')})` }];
      }
      return staticAnswers(rule.respond)
        .filter(({ body }) => String(body).includes('\n'))
        .map(() => ({ source: rule.source, message: `${rule.operation} answers text with a line break; a line protocol answer is one line` }));
    });
    return { violations };
  },
};

const lineAdapter: Adapter = {
  protocol: 'line',
  create: (service: Service, { engine }: AdapterContext) => new LineServer(service, engine),
  // gen, check and init load it; `up` never does.
  tooling: async () => lineTooling,
  // Its contract: a `.lines` file of `OPERATION answer` lines, served zero-config by `mockstack up notes.lines`.
  contractFiles: [
    {
      kind: 'lines',
      label: 'line protocol',
      endings: ['.lines'],
      serve: (file, { port }) => ({
        protocol: 'line',
        port,
        rules: readFileSync(file, 'utf8')
          .split('\n')
          .filter((row) => row.trim() !== '')
          .map((row) => on(row.split(' ')[0] ?? '', row.split(' ').slice(1).join(' '))),
      }),
    },
  ],
};

/** The DSL side: a service of the `line` protocol, and its rules. */
function line<State>(rules: RuleDefinition[]): ServiceDefinition & { readonly __state?: (state: State) => void } {
  return { protocol: 'line', rules };
}
function on<State>(operation: string, respond: ((context: LineContext<State>) => unknown) | object | string | number): RuleDefinition {
  return { operation, respond };
}

type Notes = { notes: string[] };

const notes = scenario('plug-in', { state: (): Notes => ({ notes: [] }) })
  .services({
    api: rest({}, [
      rest.get('/notes', ({ state }) => state.notes),
      rest.post('/notes', ({ state, body }) => {
        state.notes.push((body as { text: string }).text);
        return { count: state.notes.length };
      }),
    ]),
    lines: line<Notes>([
      on<Notes>('ADD', ({ state, body }) => {
        state.notes.push(body);
        return `added ${state.notes.length}`;
      }),
      on<Notes>('COUNT', ({ state }) => state.notes.length),
      on('PING', 'PONG'),
    ]),
  })
  .variants({ 'lines-down': { lines: fault.unavailable('the line service is down') } });

/** A client that sends one line at a time and reads the answer line. */
class LineClient {
  readonly #socket: Socket;
  readonly #waiting: ((line: string) => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    createInterface({ input: socket }).on('line', (text) => this.#waiting.shift()?.(text));
  }

  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect(port, '127.0.0.1', () => resolve(new LineClient(socket)));
    });
  }

  send(text: string): Promise<string> {
    const answer = new Promise<string>((resolve) => this.#waiting.push(resolve));
    this.#socket.write(`${text}\n`);
    return answer;
  }

  close(): void {
    this.#socket.destroy();
  }
}

let stack: TestStack;
let client: LineClient;
beforeAll(async () => {
  stack = await startStack(notes, { protocols: [lineAdapter] });
  client = await LineClient.connect(stack.services.lines?.port ?? 0);
});
afterAll(async () => {
  client?.close();
  await stack?.close();
});
beforeEach(() => stack.reset());

test('the extra protocol is served on its own port, listed with the built-in ones', () => {
  expect(stack.services.lines).toMatchObject({ protocol: 'line', url: expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:\d+$/) });
  expect(stack.services.api?.protocol).toBe('rest');
});

test('its handlers and the REST handlers share the scenario state, both ways', async () => {
  expect(await client.send('ADD milk')).toBe('added 1');
  const post = await fetch(`${stack.url('api')}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'eggs' }),
  });
  expect(await post.json()).toEqual({ count: 2 });
  expect(await client.send('COUNT')).toBe('2');
  expect(await (await fetch(`${stack.url('api')}/notes`)).json()).toEqual(['milk', 'eggs']);
});

test('static answers, the contract fallback and the journal work as for any protocol', async () => {
  expect(await client.send('PING')).toBe('PONG');
  // No rule for ECHO: the engine's fallback outcome, answered by the adapter's contract default (echo).
  expect(await client.send('ECHO hello there')).toBe('ECHO hello there');
  const entries = stack.requests({ service: 'lines' });
  expect(entries.map((e) => [e.operation, e.rule, e.status])).toEqual([
    ['PING', 'lines#3', 'OK'],
    ['ECHO', 'contract:ECHO', 'OK'],
  ]);
  expect(stack.verify('ECHO').pass).toBe(true);
});

test('a variant fault reaches the extra protocol, and it serves again once the variant is off', async () => {
  stack.variant('lines-down');
  expect(await client.send('COUNT')).toBe('ERR UNAVAILABLE the line service is down');
  expect((await fetch(`${stack.url('api')}/notes`)).status).toBe(200);
  stack.variant();
  expect(await client.send('COUNT')).toBe('0');
});

test('a second adapter for a protocol already served is refused with a clear error; the first stack keeps serving', async () => {
  const twice = startStack(notes, { protocols: [lineAdapter, { ...lineAdapter }] });
  await expect(twice).rejects.toMatchObject({
    code: ErrorCode.ProtocolDuplicate,
    message: expect.stringContaining('protocol "line" is served by two adapters'),
  });
  const restAgain = startStack(notes, { protocols: [{ ...lineAdapter, protocol: 'rest' }] });
  await expect(restAgain).rejects.toMatchObject({ code: ErrorCode.ProtocolDuplicate });
  expect(await client.send('PING')).toBe('PONG');
});

test('without the adapter, a scenario using the protocol is refused naming it', async () => {
  await expect(startStack(notes)).rejects.toMatchObject({
    code: ErrorCode.ScenarioCompile,
    message: expect.stringContaining('uses protocol "line", which no installed adapter serves'),
  });
  expect(await client.send('PING')).toBe('PONG');
});

test('its contract files are served zero-config beside the built-in kinds, and named when a file is of no kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-lines-'));
  try {
    const contract = join(dir, 'greetings.lines');
    writeFileSync(contract, 'HELLO world\nBYE for now\n');
    const served = await startStack([contract], { protocols: [lineAdapter] });
    const greetings = await LineClient.connect(served.services.greetings?.port ?? 0);
    try {
      expect(await greetings.send('HELLO')).toBe('world');
      expect(await greetings.send('BYE')).toBe('for now');
    } finally {
      greetings.close();
      await served.close();
    }
    await expect(startStack([contract])).rejects.toMatchObject({
      code: ErrorCode.SourceKind,
      message: expect.stringMatching(/greetings\.lines is not a kind of file mockstack serves; it accepts .*\.proto \(gRPC\)/),
    });
    expect(await client.send('PING')).toBe('PONG');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A project of its own (inside the repository, so that its scenario resolves `mockstack`). */
function project(name: string): string {
  const dir = resolve(import.meta.dirname, `.protocol-plugin-tmp-${process.pid}`, name);
  mkdirSync(join(dir, 'schemas'), { recursive: true });
  mkdirSync(join(dir, 'scenarios'), { recursive: true });
  writeFileSync(join(dir, 'schemas', 'greetings.lines'), 'HELLO world\nBYE for now\n');
  writeFileSync(join(dir, 'schemas', 'catalog.graphql'), 'type Query { ping: String }\n');
  return dir;
}
afterAll(() => rmSync(resolve(import.meta.dirname, `.protocol-plugin-tmp-${process.pid}`), { recursive: true, force: true }));

test('gen types its contracts beside the built-in ones; a contract its tooling cannot read is named, and the stack keeps serving', async () => {
  const dir = project('gen');
  const generated = await generate({ root: dir, protocols: [lineAdapter] });
  expect(generated.contracts).toEqual(['schemas/catalog.graphql', 'schemas/greetings.lines']);
  const types = readFileSync(generated.file, 'utf8');
  expect(types).toContain("lines: {\n      'schemas/greetings.lines': 'HELLO' | 'BYE';");
  expect(types).toContain("'schemas/catalog.graphql'");
  // Without the protocol, its contracts are no contracts: the built-in ones are typed alone.
  expect((await generate({ root: dir })).contracts).toEqual(['schemas/catalog.graphql']);

  writeFileSync(join(dir, 'schemas', 'greetings.lines'), 'HELLO world\nbye for now\n');
  await expect(generate({ root: dir, protocols: [lineAdapter] })).rejects.toMatchObject({
    code: ErrorCode.ContractLoad,
    message: 'greetings.lines:2: "bye" is no operation; a row is OPERATION (capitals) then its answer',
  });
  expect(await client.send('PING')).toBe('PONG');
});

test('check reports static answers that break its contract and a contract that does not load; answers that keep it pass', async () => {
  const dir = project('check');
  const scenarioFile = join(dir, 'scenarios', 'notes.ts');
  const service = (rules: RuleDefinition[]) =>
    `import { scenario } from 'mockstack';\nexport default scenario('notes').services({\n  notes: { protocol: 'line', config: { contract: '../schemas/greetings.lines' }, rules: ${JSON.stringify(rules)} } as never,\n});\n`;
  writeFileSync(scenarioFile, service([{ operation: 'HELLO', respond: 'hi' }]));
  const passing = await check([scenarioFile], { root: dir, protocols: [lineAdapter] });
  expect(passing.problems).toEqual([]);

  writeFileSync(
    scenarioFile,
    service([
      { operation: 'HELLO', respond: 'hi\nthere' },
      { operation: 'GOODBYE', respond: 'bye' },
    ]),
  );
  const failing = await check([scenarioFile], { root: dir, protocols: [lineAdapter] });
  expect(failing.problems.map((p) => [p.kind, p.code, p.message])).toEqual([
    ['contract', ErrorCode.ContractViolation, 'HELLO answers text with a line break; a line protocol answer is one line'],
    ['contract', ErrorCode.ContractViolation, 'GOODBYE is not an operation of greetings.lines (it has HELLO, BYE)'],
  ]);
  expect(failing.contracts.map((c) => basename(c.file))).toEqual(['catalog.graphql', 'greetings.lines']);
  expect(new Set(failing.problems.map((p) => p.file))).toEqual(new Set([scenarioFile]));

  writeFileSync(join(dir, 'schemas', 'greetings.lines'), 'HELLO world\nbye for now\n');
  const broken = await check([scenarioFile], { root: dir, protocols: [lineAdapter] });
  expect(broken.problems.map((p) => [p.kind, p.code, p.message])).toEqual([
    ['input', ErrorCode.ContractLoad, 'greetings.lines:2: "bye" is no operation; a row is OPERATION (capitals) then its answer'],
  ]);
  expect(await client.send('PING')).toBe('PONG');
}, 120_000);

test('init writes a service with a stub per operation from its contract, beside the built-in ones', async () => {
  const dir = project('init');
  const out = join(dir, 'scenarios', 'mocks.ts');
  const result = await init({ root: dir, contracts: [join(dir, 'schemas')], protocols: [lineAdapter], out, basePort: 7100 });
  expect(result.services).toEqual([
    { name: 'catalog', protocol: 'graphql', contract: join(dir, 'schemas', 'catalog.graphql'), port: 7100, handlers: 1 },
    { name: 'greetings', protocol: 'line', contract: join(dir, 'schemas', 'greetings.lines'), port: 7101, handlers: 2 },
  ]);
  const text = readFileSync(out, 'utf8');
  expect(text).toContain("import { line, on } from 'mockstack-lines';");
  expect(text).toMatch(/greetings: line<MocksState>\(\{ port: 7101, contract: '[^']*greetings\.lines' \}, \[/);
  expect(text).toContain("on('HELLO', ({ state }) => answer(state, 'HELLO')),");
  expect(text).toContain("on('BYE', ({ state }) => answer(state, 'BYE')),");

  // Without the protocol, a named `.lines` file is no contract init reads.
  await expect(init({ root: dir, contracts: [join(dir, 'schemas', 'greetings.lines')], force: true, out })).rejects.toMatchObject({
    code: ErrorCode.SourceKind,
    message: expect.stringContaining('greetings.lines is not a contract mockstack init reads'),
  });
  expect(await client.send('PING')).toBe('PONG');
});
