import { type CoreRequest, type DelaySpec, makeReply, type Reply } from '@mockstack/core';

/** What a template answers: each string (the body, each header value) is a Handlebars template rendered per request. */
export interface TemplateAnswer {
  /** HTTP status (default 200). */
  status?: number;
  headers?: Record<string, string>;
  /** A body template (text, or JSON text), or a JSON value whose strings are templates (WireMock's `jsonBody`). */
  body?: string | object;
  delay?: DelaySpec;
}

/**
 * An answer rendered per request from WireMock-style response templates (Handlebars, HTML-escaped
 * in `{{…}}`, raw in `{{{…}}}`): the request as WireMock's model names it (`request.path.[1]`,
 * `request.path.id`, `request.query.page`, `request.headers.X-Trace-Id`, `request.cookies.session`,
 * `request.body`, `request.method`, `request.url`, `request.baseUrl`) and WireMock's helpers:
 * `jsonPath`, `regexExtract`, `randomValue`, `randomInt`, `randomDecimal`, `pickRandom`, `now`, `date`,
 * `parseDate`, `math`, `size`, `base64`, `urlEncode`, `parseJson`, `toJson`, string helpers (`upper`,
 * `lower`, `capitalize`, `trim`, `replace`, `substring`, `join`) and comparisons (`eq`, `neq`, `gt`,
 * `lt`, `gte`, `lte`, `and`, `or`, `not`, `contains`, `matches`), inline or as blocks. `mockstack import`
 * writes WireMock stubs with `"transformers": ["response-template"]` as this.
 *
 * @example
 * rest.get('/users/:id', template({ headers: { 'content-type': 'application/json' }, body: '{"id": "{{request.path.id}}", "at": "{{now}}"}' }))
 */
export function template(answer: TemplateAnswer): (ctx: { request: CoreRequest }) => Reply | Promise<Reply> {
  let render: ((request: CoreRequest) => Reply) | undefined;
  return ({ request }) => {
    if (render) return render(request);
    // The template engine is loaded on the first answer: scenarios without templates never load it.
    return import('./template-engine.js').then(({ compileTemplateAnswer }) => {
      render ??= compileTemplateAnswer(answer, (parts) => makeReply({ ...parts, delay: answer.delay }));
      return render(request);
    });
  };
}
