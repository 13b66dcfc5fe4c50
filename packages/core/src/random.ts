/**
 * A small seeded PRNG (mulberry32). Every random choice of a run (delay ranges, chaos, auto-mocks)
 * draws from one of these so that a failing CI run replays exactly with the same seed.
 */
export class SeededRandom {
  #state: number;

  constructor(seed = 0) {
    this.#state = seed >>> 0;
  }

  /** Starts the sequence again from `value` (O(1), unlike faker's own twister). */
  seed(value: number): void {
    this.#state = value >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

/** A stable 32-bit hash of a string (FNV-1a), to derive per-service seeds from one seed. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
