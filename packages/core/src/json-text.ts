/**
 * An answer's body kept as the JSON text that was sent, read back (parsed) only when asked for. The
 * journal keeps the last answers alive for a while: as text, an answer is one flat string for the
 * garbage collector to move and mark instead of the tree of objects that was serialised into it.
 * `JSON.stringify` of a `JsonText` gives the body itself.
 */
export class JsonText {
  constructor(readonly text: string) {}

  /** The body, parsed again (a new copy per call). */
  value(): unknown {
    return JSON.parse(this.text);
  }

  toJSON(): unknown {
    return this.value();
  }
}
