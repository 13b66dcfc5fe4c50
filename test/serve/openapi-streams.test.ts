// LLM APIs as their SDKs call them, served zero-config from the provider's document: OpenAI's official
// `openai` client against OpenAI's own OpenAPI document (3.1, with 3.0's `nullable` kept), and the ways
// documents before 3.2 describe a stream (an object `schema` under text/event-stream or JSON Lines)
// with a body that asks for one (`"stream": true`) whatever its Accept says.
import { resolve } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { embed, generateText } from 'ai';
import OpenAI from 'openai';
import { servedDocuments } from '../helpers/served-documents.js';

const { serve, serveDocument } = servedDocuments('openapi-streams');

describe("OpenAI's SDK against OpenAI's document (test/fixtures/openai)", () => {
  let client: OpenAI;
  let base: string;
  beforeAll(async () => {
    base = await serve(resolve(import.meta.dirname, '../fixtures/openai/openapi.yaml'));
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  });

  test('chat completions, embeddings and models parse as the SDK types them', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.object).toBe('chat.completion');
    expect(Array.isArray(completion.choices)).toBe(true);
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(embedding.object).toBe('list');
    const model = await client.models.retrieve('gpt-4o');
    expect(model.object).toBe('model');
    const listed: string[] = [];
    for await (const each of client.models.list()) listed.push(each.id);
    expect(listed.length).toBeGreaterThan(0);
  });

  test("Vercel's AI SDK, which checks each answer against its own schema, reads a text answer and an embedding", async () => {
    // It takes only function tool calls (the first option of the document's tool-call oneOf; custom ones came
    // later) and reads the text from `content`, which the document makes `anyOf: [string, null]`.
    const openai = createOpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test' });
    for (const prompt of ['hi', 'tell me more']) {
      const { text } = await generateText({ model: openai.chat('gpt-4o'), prompt, maxRetries: 0 });
      expect(typeof text).toBe('string');
      expect(text.length).toBeGreaterThan(0);
    }
    const { embedding } = await embed({ model: openai.embedding('text-embedding-3-small'), value: 'a', maxRetries: 0 });
    expect(embedding.every((value) => typeof value === 'number')).toBe(true);
  });

  test('`stream: true` gets an event stream of chunks, though the SDK sends Accept: application/json', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(typeof chunk.id).toBe('string');
      expect(Array.isArray(chunk.choices)).toBe(true);
    }
    // Without the flag, the same operation answers JSON.
    const plain = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: false }),
    });
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
  });

  test("a request body breaking the 3.1 schema that keeps 3.0 `nullable` beside no type is a 422 in OpenAI's error shape (the one its 429 documents) naming the property; serving goes on", async () => {
    // The document's CreateChatCompletionRequest has `nullable: true` beside an allOf/$ref: its schema compiles, and `messages` is required.
    const refused = client.chat.completions.create({ model: 'gpt-4o' } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    await expect(refused).rejects.toBeInstanceOf(OpenAI.UnprocessableEntityError);
    await expect(refused).rejects.toThrow(/messages/);
    // Said in a header too, whatever the error shape can hold.
    const raw = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: '{"model":"gpt-4o"}',
    });
    expect(raw.headers.get('x-mockstack-contract-violation')).toBe('request: body /messages: is required (messages)');
    // null where the document says nullable is taken.
    const taken = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: null,
      stop: null,
    });
    expect(taken.object).toBe('chat.completion');
  });
});

describe('streams described before OpenAPI 3.2: an object schema is one item', () => {
  const event = (type: string, data: object) => ({
    type: 'object',
    required: ['type', ...Object.keys(data)],
    properties: { type: { type: 'string', enum: [type] }, ...data },
  });
  const document = {
    openapi: '3.0.3',
    info: { title: 'llm', version: '1' },
    paths: {
      '/messages': {
        post: {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['prompt'], properties: { prompt: { type: 'string' }, stream: { type: 'boolean', nullable: false } } },
              },
            },
          },
          responses: {
            200: {
              description: 'a message, or its events',
              content: {
                'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } },
                // Anthropic's shape: events whose data names its type, sent as the event's name.
                'text/event-stream': {
                  schema: {
                    oneOf: [
                      event('message_start', { message: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } }),
                      event('content_block_delta', {
                        index: { type: 'integer', minimum: 0 },
                        delta: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
                      }),
                    ],
                    discriminator: { propertyName: 'type' },
                  },
                },
              },
            },
          },
        },
      },
      '/generate': {
        post: {
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { stream: { type: 'boolean' } } } } } },
          responses: {
            200: {
              description: "Ollama's shape: JSON Lines of one object each",
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Chunk' } },
                'application/x-ndjson': { schema: { $ref: '#/components/schemas/Chunk' } },
              },
            },
          },
        },
      },
      '/transcriptions': {
        post: {
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, stream: { type: 'boolean' } } },
              },
            },
          },
          responses: {
            200: {
              description: "OpenAI's transcriptions: a form asks for the stream",
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Chunk' } },
                'text/event-stream': { schema: { $ref: '#/components/schemas/Chunk' } },
              },
            },
          },
        },
      },
    },
    components: {
      schemas: { Chunk: { type: 'object', required: ['response', 'done'], properties: { response: { type: 'string' }, done: { type: 'boolean' } } } },
    },
  };
  let base: string;
  beforeAll(async () => {
    base = await serveDocument('llm', document);
  });
  const post = (path: string, body: unknown, accept = 'application/json') =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });

  test('server-sent events: each event names the type its data carries, and the data fits the schema', async () => {
    const answer = await post('/messages', { prompt: 'hi', stream: true });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await answer.text()).split('\n\n').filter(Boolean);
    expect(events.length).toBeGreaterThan(1);
    for (const text of events) {
      const name = /^event: (.*)$/m.exec(text)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? 'null') as { type: string; message?: { id: string }; delta?: { text: string } };
      expect(['message_start', 'content_block_delta']).toContain(data.type);
      expect(name).toBe(data.type);
      if (data.type === 'message_start') expect(typeof data.message?.id).toBe('string');
      else expect(typeof data.delta?.text).toBe('string');
    }
    // Asked for by Accept alone, too.
    const byAccept = await post('/messages', { prompt: 'hi' }, 'text/event-stream');
    expect(byAccept.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await byAccept.text()).toMatch(/^event: /);
  });

  test('JSON Lines: one object a line; without `stream: true` the JSON answer', async () => {
    const streamed = await post('/generate', { stream: true });
    expect(streamed.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await streamed.text()).trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(JSON.parse(line)).toEqual({ response: expect.any(String), done: expect.any(Boolean) });
    const whole = await post('/generate', {});
    expect(whole.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await whole.json()).toEqual({ response: expect.any(String), done: expect.any(Boolean) });
  });

  test("a form asks with stream=true (a multipart upload, as OpenAI's transcriptions): events of unnamed data", async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('RIFF')]), 'a.wav');
    form.append('stream', 'true');
    const streamed = await fetch(`${base}/transcriptions`, { method: 'POST', body: form });
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await streamed.text()).split('\n\n').filter(Boolean);
    expect(events.length).toBeGreaterThan(1);
    for (const text of events) expect(JSON.parse(text.replace(/^data: /, ''))).toEqual({ response: expect.any(String), done: expect.any(Boolean) });
  });

  test('`stream` that is not a boolean is refused as the schema says; serving goes on', async () => {
    const refused = await post('/messages', { prompt: 'hi', stream: 'yes' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/stream/);
    expect(refused.headers.get('x-mockstack-contract-violation')).toMatch(/^request: body \/stream: /);
    expect((await post('/messages', { prompt: 'hi' })).status).toBe(200);
  });
});
