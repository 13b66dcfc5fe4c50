import type { Code } from './code.js';
import { type DelaySpec, type Fault, KIND, type Reply, type Responder, type Sequence, type Webhook } from './model.js';

/**
 * Response headers that describe one transfer (the body's length and framing, the connection), lower
 * case: a stub's own (a WireMock mapping's, a Mountebank response's) would be wrong for the body as the
 * server sends it, so the server sets them.
 */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && (value as Reply)[KIND] === 'reply';
}

export function isFault(value: unknown): value is Fault {
  return typeof value === 'object' && value !== null && (value as Fault)[KIND] === 'fault';
}

export function isSequence(value: unknown): value is Sequence {
  return typeof value === 'object' && value !== null && (value as Sequence)[KIND] === 'sequence';
}

/** The marker a responder returns to let later rules (or the contract's auto-mock) answer instead. */
export interface FallThrough {
  readonly [KIND]: 'fall-through';
}

export const fallThroughMarker: FallThrough = { [KIND]: 'fall-through' };

export function isFallThrough(value: unknown): value is FallThrough {
  return typeof value === 'object' && value !== null && (value as FallThrough)[KIND] === 'fall-through';
}

export function makeReply(fields: Omit<Reply, typeof KIND>): Reply {
  return { [KIND]: 'reply', ...fields };
}

export function makeFault(code: Code, message: string, fields: Omit<Fault, typeof KIND | 'code' | 'message'> = {}): Fault {
  return { [KIND]: 'fault', code, message, ...fields };
}

export function makeWebhook(fields: Omit<Webhook, typeof KIND>): Webhook {
  return { [KIND]: 'webhook', ...fields };
}

export function makeSequence(steps: readonly Responder[], after: Sequence['after'] = 'repeat-last'): Sequence {
  return { [KIND]: 'sequence', steps, after };
}

export type { DelaySpec };
