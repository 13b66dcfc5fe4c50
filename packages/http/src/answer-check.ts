import { Code, type Fault, formatSource, makeFault, type Rule } from '@mockstack/core';
import { checkHeader } from '@mockstack/http/header-check';

/**
 * Why an answer a scenario gave cannot go out over HTTP, or undefined when it can: a status that is
 * not one, a header node refuses, or a body with no JSON form at all (a Symbol, a function, a BigInt).
 * Bodies that fail only when serialised (a nested BigInt, a cycle, a throwing toJSON) are caught when sent.
 */
export function unsendable(status: unknown, headers: Readonly<Record<string, unknown>> | undefined, body: unknown): string | undefined {
  if (status !== undefined && !(typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599)) {
    if (typeof status === 'number' && status >= 100 && status < 200) {
      return `status ${status} is informational (1xx), which no final answer can be; answer with a status from 200 to 599`;
    }
    return `status ${describe(status)} is not an HTTP status (an integer from 200 to 599)`;
  }
  if (headers) {
    for (const name of Object.keys(headers)) {
      try {
        checkHeader(name, headers[name]);
      } catch (error) {
        return `header ${JSON.stringify(name)} cannot be sent: ${(error as Error).message}`;
      }
    }
  }
  return unsendableBody(body);
}

/**
 * `unsendable` of an answer that is a body alone (a handler's return value): kept this small so that V8
 * inlines it into the request path, where `unsendable` itself stayed a call, not optimised for the first
 * ~15,000 requests.
 */
export function unsendableBody(body: unknown): string | undefined {
  const type = typeof body;
  return type === 'symbol' || type === 'function' || type === 'bigint' ? `the body is a ${type}, which has no JSON form` : undefined;
}

/** The INTERNAL fault that answers instead of an answer that cannot be sent, naming the rule and where it was declared. */
export function unsendableFault(rule: Rule | undefined, problem: string): Fault {
  const who = rule ? `the answer of rule ${rule.id}${rule.source ? ` (${formatSource(rule.source)})` : ''}` : 'the answer';
  return makeFault(Code.Internal, `${who} cannot be sent: ${problem}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'symbol' || typeof value === 'function') return `a ${typeof value}`;
  return String(value);
}
