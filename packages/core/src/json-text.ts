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

  /** The body, parsed again (a new copy per call). */
  value(): unknown {
    return JSON.parse(this.text);
  }

  toJSON(): unknown {
    return this.value();
  }
}
