/** A streaming UTF-8 decoder: a character split across chunks is kept for the next one. */
export interface Utf8Decoder {
  write(chunk: Uint8Array): string;
  end(): string;
}

/** `node:string_decoder`'s constructor on Node, looked up without an import so browser bundles never see it. */
const NodeStringDecoder = (
  globalThis as {
    process?: { getBuiltinModule?: (id: string) => { StringDecoder: new (encoding: 'utf8') => Utf8Decoder } };
  }
).process?.getBuiltinModule?.('node:string_decoder')?.StringDecoder;

/**
 * `StringDecoder` on Node (each `new TextDecoder()` looks up an ICU converter: ~1% of the CPU of a routed request
 * under load), `TextDecoder` in browsers and workers.
 */
export function newUtf8Decoder(): Utf8Decoder {
  if (NodeStringDecoder !== undefined) return new NodeStringDecoder('utf8');
  const decoder = new TextDecoder();
  return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
}

/** Text as it is; bytes through the decoder. */
export function decodeChunk(decoder: Utf8Decoder, chunk: Uint8Array | string): string {
  return typeof chunk === 'string' ? chunk : decoder.write(chunk);
}
