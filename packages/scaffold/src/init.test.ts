import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readContracts } from './contracts.js';
import { init } from './init.js';

const fixtures = resolve(import.meta.dirname, '../../../test/fixtures/init');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockstack-init-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('reads every gRPC method with its streaming kind, root fields under their own type names, operations with and without operationId', async () => {
  const plans = await readContracts([fixtures]);
  expect(plans.map((p) => [p.name, p.protocol, p.stubs])).toEqual([
    [
      'chat',
      'grpc',
      [
        { kind: 'grpc', service: 'demo.chat.v1.Chat', method: 'Send', streaming: 'unary' },
        { kind: 'grpc', service: 'demo.chat.v1.Chat', method: 'Follow', streaming: 'server-streaming' },
        { kind: 'grpc', service: 'demo.chat.v1.Chat', method: 'Talk', streaming: 'bidi' },
      ],
    ],
    [
      'notes',
      'rest',
      [
        { kind: 'route', method: 'GET', route: '/notes' },
        { kind: 'openapi', operationId: 'delete-note', method: 'DELETE', route: '/notes/:id' },
      ],
    ],
    [
      'root-names',
      'graphql',
      [
        { kind: 'graphql', type: 'RootQuery', field: 'ping' },
        { kind: 'graphql', type: 'RootMutation', field: 'delete' },
      ],
    ],
  ]);
});

test('writes one service per contract on consecutive ports, names made identifiers, paths from the scenario when outside the project', async () => {
  const result = await init({ out: join(dir, 'chat.ts'), contracts: [fixtures], basePort: 7000, name: 'chat room' });
  expect(result.name).toBe('chat-room');
  expect(result.services.map((s) => [s.name, s.port])).toEqual([
    ['chat', 7000],
    ['notes', 7001],
    ['rootNames', 7002],
  ]);
  const text = readFileSync(result.file, 'utf8');
  expect(text).toContain('export interface ChatRoomState {');
  expect(text).toContain("scenario<ChatRoomState>('chat-room', { seed: 1, state: seedState })");
  expect(text).toMatch(/grpc<ChatRoomState>\(\{ port: 7000, proto: '[^']*test\/fixtures\/init\/chat\.proto' \}/);
  expect(text).toContain(
    "// bidi streaming: `for await (const m of incoming) write(…)` to answer yourself\n        Talk: ({ state }) => answer(state, 'demo.chat.v1.Chat/Talk'),",
  );
  expect(text).toContain("rest.get('/notes', ({ state }) => answer(state, 'GET /notes')),");
  expect(text).toContain("rest.operation('delete-note', ({ state }) => answer(state, 'delete-note')),");
  expect(text).toContain("RootMutation: {\n        delete: (_parent, _args, { state }) => answer(state, 'RootMutation.delete'),");
  expect(text).toContain("// 'chat-down': { chat: fault.grpc('UNAVAILABLE', 'chat is down') },");
});
