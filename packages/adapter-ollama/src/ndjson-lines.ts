/**
 * Splits a byte stream into newline-delimited lines (NDJSON framing), across chunk boundaries and without
 * breaking multi-byte UTF-8 characters. Blank lines are skipped. A final line without a trailing newline is
 * still yielded: whether the content is complete is for the caller to judge (Ollama's `done: true`).
 */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield line;
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  const last = pending.trim();
  if (last !== '') yield last;
}
