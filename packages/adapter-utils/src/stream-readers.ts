import type { EventSourceMessage } from 'eventsource-parser';
import { defaultMaxEventBytes, oversized, SseEventDecoder, type StreamReaderOptions } from './sse-event-decoder.js';
import { decodeChunk, newUtf8Decoder } from './utf8-decoder.js';

/**
 * Reads a Server-Sent Events body (parsed by eventsource-parser) and yields each event as it completes. Bytes are
 * decoded as a stream, so a multi-byte character split across chunks stays whole (see {@link SseEventDecoder}). Throws a
 * non-retryable `InvalidResponseError` when one event exceeds `maxEventBytes`, and a retryable one when the body ends
 * in the middle of an event (a truncated frame is never passed on). Leaving the loop early returns the source
 * iterator, which decides whether the body is destroyed.
 *
 * @example
 * ```ts
 * for await (const event of readSseEvents(response.body, { target: id, url })) {
 *   if (event.data === '[DONE]') break;
 * }
 * ```
 */
export async function* readSseEvents(
  body: AsyncIterable<Uint8Array | string>,
  options: StreamReaderOptions,
): AsyncGenerator<EventSourceMessage> {
  const sse = new SseEventDecoder(options);
  for await (const chunk of body) {
    // One event at a time: in a burst, the first token must not wait for the rest of the network chunk.
    for (const event of sse.push(chunk)) yield event;
  }
  sse.end();
}

/**
 * Reads a newline-delimited JSON body (NDJSON) and yields each non-blank line, across chunk boundaries and without
 * breaking multi-byte characters. A final line without a trailing newline is still yielded: whether the content is
 * complete is for the caller to judge (Ollama's `done: true`). Throws a non-retryable `InvalidResponseError` when a
 * line exceeds `maxEventBytes`.
 */
export async function* readNdjsonLines(
  body: AsyncIterable<Uint8Array | string>,
  options: StreamReaderOptions,
): AsyncGenerator<string> {
  const limit = options.maxEventBytes ?? defaultMaxEventBytes;
  const decoder = newUtf8Decoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decodeChunk(decoder, chunk);
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield line;
      newline = pending.indexOf('\n');
    }
    if (pending.length > limit) throw oversized(options, limit, 'a line');
  }
  const last = (pending + decoder.end()).trim();
  if (last !== '') yield last;
}
