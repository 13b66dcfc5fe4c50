import {
  Code,
  type CoreRequest,
  type Engine,
  makeFault,
  makeReply,
  type Outcome,
  parseDuration,
  type Rule,
  resolveDelay,
  SeededRandom,
  sleep,
  type Webhook,
  type WebhookSender,
} from '@mockstack/core';

/** How long a webhook target may take to answer unless the webhook says otherwise. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5000;
/** What the journal keeps of a target's answer. */
const RESPONSE_PREVIEW_BYTES = 16 * 1024;

/**
 * Sends the webhooks answers carry with fetch, to exactly the URL each names (after its delay, cut at its
 * timeout), and journals each call as a request of protocol `webhook` in the service that fired it:
 * what was sent, the target's status and body (bounded), the time taken, or why it failed (refused,
 * timed out, not a URL). `close()` cuts calls waiting or in flight, so a stack closes at once.
 */
export class WebhookDispatcher implements WebhookSender {
  #engine: Engine | undefined;
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #random = new SeededRandom(1);

  /** The engine the calls are journaled in (set once the stack exists: the engine is made with this sender). */
  attach(engine: Engine): void {
    this.#engine = engine;
  }

  send(request: CoreRequest, rule: Rule, webhooks: readonly Webhook[]): void {
    for (const webhook of webhooks) {
      const call = this.#call(request, rule, webhook).finally(() => this.#inFlight.delete(call));
      this.#inFlight.add(call);
    }
  }

  /** Cuts every call waiting for its delay or in flight (each is journaled as cut); resolves when all are. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #call(request: CoreRequest, rule: Rule, webhook: Webhook): Promise<void> {
    const method = (webhook.method ?? 'POST').toUpperCase();
    const outbound = new OutboundRequest(request.service, method, webhook);
    if (
      webhook.delay !== undefined &&
      !(await sleep(
        resolveDelay(webhook.delay, () => this.#random),
        this.#closing.signal,
      ))
    ) {
      this.#journal(outbound, rule, performance.now(), 'not sent', 'the stack closed before the webhook was due');
      return;
    }
    let url: URL;
    try {
      url = new URL(webhook.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${url.protocol} is not http: or https:`);
    } catch (error) {
      this.#journal(
        outbound,
        rule,
        performance.now(),
        'not sent',
        `webhook URL ${JSON.stringify(webhook.url)} is not an http(s) URL: ${(error as Error).message}`,
      );
      return;
    }
    const timeoutMs = (webhook.timeout === undefined ? undefined : parseDuration(webhook.timeout)) ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    const startedAt = performance.now();
    try {
      const response = await fetch(url, {
        method,
        headers: outbound.headers as Record<string, string>,
        ...(outbound.wireBody !== undefined && method !== 'GET' && method !== 'HEAD' && { body: outbound.wireBody }),
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#closing.signal]),
      });
      const text = await response.text();
      const body = text.length > RESPONSE_PREVIEW_BYTES ? `${text.slice(0, RESPONSE_PREVIEW_BYTES)}… (${text.length} characters)` : text;
      const headers = Object.fromEntries(response.headers);
      const outcome: Outcome = { kind: 'reply', rule, reply: makeReply({ status: response.status, headers, body }) };
      this.#engine?.record(outbound, outcome, { status: response.status, startedAt, response: { headers, body: parsed(body) } });
    } catch (error) {
      const reason = this.#closing.signal.aborted
        ? 'the stack closed while the webhook was in flight'
        : (error as Error).name === 'TimeoutError'
          ? `the target did not answer within ${timeoutMs} ms (timeout)`
          : `the target could not be reached: ${causeOf(error)}`;
      this.#journal(outbound, rule, startedAt, (error as Error).name === 'TimeoutError' ? 'timeout' : 'failed', reason);
    }
  }

  #journal(outbound: OutboundRequest, rule: Rule, startedAt: number, status: string, message: string): void {
    this.#engine?.record(outbound, { kind: 'fault', rule, fault: makeFault(Code.Unavailable, message) }, { status, startedAt, error: message });
    this.#engine?.logger.warn(`webhook ${outbound.target} of service "${outbound.service}": ${message}`);
  }
}

/** One outbound call as the journal keeps it: the webhook's method, URL, headers and body. */
class OutboundRequest implements CoreRequest {
  readonly protocol = 'webhook';
  readonly service: string;
  readonly operation: string;
  readonly params: Record<string, string> = {};
  readonly query: CoreRequest['query'] = {};
  readonly headers: CoreRequest['headers'];
  readonly body: unknown;
  readonly target: string;
  /** The body as sent. */
  readonly wireBody: string | Uint8Array | undefined;

  constructor(service: string, method: string, webhook: Webhook) {
    this.service = service;
    const json = webhook.body !== undefined && typeof webhook.body !== 'string' && !(webhook.body instanceof Uint8Array);
    this.headers = { ...(json && { 'content-type': 'application/json' }), 'user-agent': 'mockstack-webhook', ...lowerCased(webhook.headers) };
    this.wireBody = json ? JSON.stringify(webhook.body) : (webhook.body as string | Uint8Array | undefined);
    this.body = webhook.body;
    this.target = `${method} ${webhook.url}`;
    this.operation = webhook.name ?? `${method} ${withoutQuery(webhook.url)}`;
  }
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

function withoutQuery(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

/** The target's answer as JSON when it is, else its text. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** undici hides the socket error (ECONNREFUSED…) in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
