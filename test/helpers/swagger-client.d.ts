// swagger-client ships no types: the part the tests use.
declare module 'swagger-client' {
  interface SwaggerResponse {
    status: number;
    text: string;
    /** The body parsed by its media type (JSON as a value). */
    body: unknown;
    headers: Record<string, string>;
  }
  interface SwaggerApi {
    /** Builds the request of one operation from the document (parameter styles, form encodings) and sends it. */
    execute(request: {
      operationId: string;
      requestContentType?: string;
      requestBody?: unknown;
      parameters?: Record<string, unknown>;
    }): Promise<SwaggerResponse>;
  }
  export default function SwaggerClient(options: { spec: object }): Promise<SwaggerApi>;
}
