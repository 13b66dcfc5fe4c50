const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * An answer's body kept as the JSON that was sent (text, or its UTF-8 bytes), read back (parsed) only
 * when asked for. The journal keeps the last answers alive for a while: kept so, an answer is one flat
 * string or buffer for the garbage collector (a buffer's bytes are outside the JS heap) instead of the
 * tree of objects that was serialised into it. `JSON.stringify` of a `JsonText` gives the body itself.
 */
export class JsonText {
  constructor(readonly json: string | Uint8Array) {}

  /** The JSON as text. */
  get text(): string {
    return typeof this.json === 'string' ? this.json : decoder.decode(this.json);
  }

  /** Its size in bytes of UTF-8. */
  get bytes(): number {
    return typeof this.json === 'string' ? encoder.encode(this.json).length : this.json.byteLength;
  }

  /**
   * Whether the JSON has `ascii` (ASCII text) in it, read without decoding or parsing it: a cheap test
   * before reading the body (does a GraphQL answer have `"errors"`?).
   */
  mentions(ascii: string): boolean {
    if (typeof this.json === 'string') return this.json.includes(ascii);
    const bytes = this.json;
    const last = bytes.length - ascii.length;
    for (let at = bytes.indexOf(ascii.charCodeAt(0)); at !== -1 && at <= last; at = bytes.indexOf(ascii.charCodeAt(0), at + 1)) {
      let same = 1;
      while (same < ascii.length && bytes[at + same] === ascii.charCodeAt(same)) same++;
      if (same === ascii.length) return true;
    }
    return false;
  }

  /** The body, parsed again (a new copy per call). */
  value(): unknown {
    return JSON.parse(this.text);
  }

  toJSON(): unknown {
    return this.value();
  }
}
