// The GraphQL multipart request spec (file uploads: apollo-upload-client, urql's fetch exchange,
// graphql-upload on servers): a multipart/form-data POST whose `operations` field is the JSON of the
// operation (or a batch of them) with null where files go, whose `map` field says which file part goes
// to which variable path, and the files. The request is served as the operation with each mapped
// variable set to the file.

/** A file of a multipart GraphQL request, as the `Upload` variable it was sent for holds it. */
export interface GraphqlUpload {
  filename: string;
  mimeType: string;
  size: number;
  /** The file's bytes (a Buffer in Node; in the browser, through mockstack/msw, a Uint8Array). */
  data: Uint8Array;
}

/** A multipart request that does not follow the spec: answered 400 with the message, as a GraphQL error. */
export class UploadRequestError extends Error {
  readonly statusCode = 400;
  /** Stable, for logs and tests; the client gets the 400 as a GraphQL error coded BAD_REQUEST. */
  readonly code = 'GRAPHQL_MULTIPART_INVALID';
}

const SPEC = '(GraphQL multipart request spec: fields operations and map, then the files)';

/**
 * The operation(s) a multipart request carries, each file set at the variable paths `map` names for it. The
 * request is anything whose body reads as a form: the fastify server's bytes in a Response, mockstack/msw's
 * intercepted Request.
 */
export async function uploadOperations(request: { formData(): Promise<FormData> }): Promise<unknown> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch (error) {
    throw new UploadRequestError(`the multipart body cannot be read (${error instanceof Error ? error.message : String(error)}) ${SPEC}`);
  }
  const operations = jsonField(form, 'operations');
  if (operations === undefined) throw new UploadRequestError(`the multipart request has no operations field ${SPEC}`);
  const map = jsonField(form, 'map') ?? {};
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new UploadRequestError(`the map field must be a JSON object of file part names to variable paths, e.g. {"0":["variables.file"]}`);
  }
  for (const [part, paths] of Object.entries(map as Record<string, unknown>)) {
    const file = form.get(part);
    if (!(file instanceof Blob)) throw new UploadRequestError(`map names the file part "${part}", which the request does not carry ${SPEC}`);
    const upload: GraphqlUpload = {
      filename: file instanceof File ? file.name : part,
      mimeType: file.type || 'application/octet-stream',
      size: file.size,
      data: bytesOf(await file.arrayBuffer()),
    };
    if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) {
      throw new UploadRequestError(`map["${part}"] must be a list of variable paths, e.g. ["variables.file"]`);
    }
    for (const path of paths) setAt(operations, path, upload);
  }
  return operations;
}

/** The bytes as handlers get them: a Buffer where there is one (Node), else a Uint8Array (the browser). */
function bytesOf(bytes: ArrayBuffer): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { from(bytes: ArrayBuffer): Uint8Array } }).Buffer;
  return NodeBuffer ? NodeBuffer.from(bytes) : new Uint8Array(bytes);
}

function jsonField(form: FormData, name: string): unknown {
  const text = form.get(name);
  if (text === null) return undefined;
  if (typeof text !== 'string') throw new UploadRequestError(`the ${name} field must be JSON text, not a file ${SPEC}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UploadRequestError(`the ${name} field is not valid JSON: ${(error as Error).message}`);
  }
}

/** Sets `variables.files.1` (or `0.variables.file` in a batch) of the operations to the file; the path must lead to a null placeholder's parent. */
function setAt(operations: unknown, path: string, upload: GraphqlUpload): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let target: unknown = operations;
  for (const key of keys)
    target = typeof target === 'object' && target !== null && Object.hasOwn(target, key) ? (target as Record<string, unknown>)[key] : undefined;
  if (typeof target !== 'object' || target === null || last === '__proto__' || (Array.isArray(target) && !/^\d+$/.test(last))) {
    throw new UploadRequestError(`map path "${path}" leads nowhere in operations; give the path of the variable the file is for, e.g. "variables.file"`);
  }
  (target as Record<string, unknown>)[last] = upload;
}
