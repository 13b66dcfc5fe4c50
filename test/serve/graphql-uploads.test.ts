/**
 * File uploads as GraphQL clients send them (the GraphQL multipart request spec: urql's fetch
 * exchange, apollo-upload-client): the files reach the operation's Upload variables, one file or a
 * list, and requests that break the spec are refused with why while the service keeps serving.
 */
import { Client, fetchExchange } from '@urql/core';
import { servedSdl } from '../helpers/served-sdl.js';

const SDL = `scalar Upload

type File {
  filename: String!
  mimetype: String!
}

type Query {
  uploads: [File!]!
}

type Mutation {
  singleUpload(file: Upload!): File!
  multipleUpload(files: [Upload!]!, album: String): [File!]!
}
`;

const served = servedSdl({ 'media.graphql': SDL });
const url = (): string => served.stack.url('media');

/** The variables the last request to the service carried, as the journal keeps them. */
const lastVariables = (): Record<string, unknown> => {
  const requests = served.stack.requests({ service: 'media' });
  const body = requests[requests.length - 1]?.request.body as { variables?: Record<string, unknown> } | undefined;
  return body?.variables ?? {};
};

test('urql sends a file and a list of files as a multipart request; each reaches its Upload variable', async () => {
  const client = new Client({ url: url(), exchanges: [fetchExchange] });
  const single = await client
    .mutation('mutation ($file: Upload!) { singleUpload(file: $file) { filename mimetype } }', {
      file: new File(['hello, world'], 'hello.txt', { type: 'text/plain' }),
    })
    .toPromise();
  expect(single.error).toBeUndefined();
  expect(single.data?.singleUpload).toEqual({ filename: expect.any(String), mimetype: expect.any(String) });
  expect(lastVariables().file).toMatchObject({ filename: 'hello.txt', mimeType: 'text/plain', size: 12 });

  const many = await client
    .mutation('mutation ($files: [Upload!]!, $album: String) { multipleUpload(files: $files, album: $album) { filename } }', {
      files: [new File(['a'], 'a.png', { type: 'image/png' }), new File(['bb'], 'b.png', { type: 'image/png' })],
      album: 'holidays',
    })
    .toPromise();
  expect(many.error).toBeUndefined();
  expect(Array.isArray(many.data?.multipleUpload)).toBe(true);
  const variables = lastVariables();
  expect(variables.album).toBe('holidays');
  expect((variables.files as { filename: string; size: number }[]).map((f) => [f.filename, f.size])).toEqual([
    ['a.png', 1],
    ['b.png', 2],
  ]);
});

test('multipart requests that break the spec are refused with why, and the service keeps serving', async () => {
  const send = async (fields: [string, string | Blob, string?][]) => {
    const form = new FormData();
    for (const [name, value, filename] of fields) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, filename);
    }
    const response = await fetch(url(), { method: 'POST', body: form });
    return { status: response.status, message: ((await response.json()) as { errors?: { message: string }[] }).errors?.[0]?.message };
  };
  const operations = JSON.stringify({ query: 'mutation ($file: Upload!) { singleUpload(file: $file) { filename } }', variables: { file: null } });
  expect(await send([['map', '{}']])).toEqual({
    status: 400,
    message: 'the multipart request has no operations field (GraphQL multipart request spec: fields operations and map, then the files)',
  });
  expect(await send([['operations', '{ nope']])).toEqual({ status: 400, message: expect.stringMatching(/^the operations field is not valid JSON: /) });
  expect(
    await send([
      ['operations', operations],
      ['map', '{"0":["variables.file"]}'],
    ]),
  ).toEqual({
    status: 400,
    message: 'map names the file part "0", which the request does not carry (GraphQL multipart request spec: fields operations and map, then the files)',
  });
  expect(
    await send([
      ['operations', operations],
      ['map', '{"0":["variables.nothing.here"]}'],
      ['0', new Blob(['x']), 'x.txt'],
    ]),
  ).toEqual({
    status: 400,
    message: 'map path "variables.nothing.here" leads nowhere in operations; give the path of the variable the file is for, e.g. "variables.file"',
  });
  // A file the map does not give the Upload variable leaves it null: the operation's own error.
  expect(
    await send([
      ['operations', operations],
      ['map', '{}'],
    ]),
  ).toEqual({ status: 400, message: expect.stringMatching(/Variable "\$file" of non-null type "Upload!" must not be null/) });
  expect(
    await send([
      ['operations', operations],
      ['map', '{"0":["variables.file"]}'],
      ['0', new Blob(['x']), 'x.txt'],
    ]),
  ).toEqual({ status: 200, message: undefined });
});
