import type { DelaySpec } from './model.js';
import type { SeededRandom } from './random.js';

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/;

/** Milliseconds of `'800ms'`, `'2s'` or `250`; undefined if the text is not a duration. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const m = DURATION.exec(value);
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : n;
}

/** Why a delay spec is invalid, or undefined when it is fine. */
export function checkDelay(spec: DelaySpec): string | undefined {
  if (typeof spec === 'object' && 'median' in spec) {
    if (parseDuration(spec.median) === undefined || !(typeof spec.sigma === 'number' && spec.sigma >= 0)) {
      return `delay ${JSON.stringify(spec)} needs a median duration and a sigma ≥ 0, e.g. { median: '120ms', sigma: 0.4 }`;
    }
    return undefined;
  }
  if (typeof spec === 'object') {
    const min = parseDuration(spec.min);
    const max = parseDuration(spec.max);
    if (min === undefined || max === undefined) return `delay range ${JSON.stringify(spec)} needs durations like 100 or '100ms' or '2s'`;
    if (min > max) return `delay range has min ${min}ms above max ${max}ms`;
    return undefined;
  }
  return parseDuration(spec) === undefined ? `delay ${JSON.stringify(spec)} is not a duration; write 250, '250ms' or '2s'` : undefined;
}

/** The delay to apply now, in ms (a range draws from the seeded random, made on first use when given as a function). */
export function resolveDelay(spec: DelaySpec | undefined, randomSource: SeededRandom | (() => SeededRandom)): number {
  if (spec === undefined) return 0;
  if (typeof spec !== 'object') return parseDuration(spec) ?? 0;
  const random = typeof randomSource === 'function' ? randomSource() : randomSource;
  if ('median' in spec) {
    // Box–Muller: a standard normal draw from two uniform ones.
    const z = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    return (parseDuration(spec.median) ?? 0) * Math.exp(spec.sigma * z);
  }
  const min = parseDuration(spec.min) ?? 0;
  const max = parseDuration(spec.max) ?? min;
  return min + random.next() * (max - min);
}

/** Waits `ms`, ending early (and resolving false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(true);
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
