import { StringDecoder } from 'node:string_decoder';
import { InvalidResponseError } from '@switchyard/contract';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** The default cap on one stream event (an SSE event or an NDJSON line): 8 MiB. */
export const defaultMaxEventBytes = 8 * 1024 * 1024;

/** Options of {@link readSseEvents} and {@link readNdjsonLines}. */
export interface StreamReaderOptions {
  /** The target id, for the errors. */
  target: string;
  /** The URL the stream came from, for the errors. */
  url: string;
  /**
   * Largest event (or line) buffered, in characters of decoded text. A stream that exceeds it is broken or hostile,
   * not just long: the reader throws instead of growing memory without bound. Default 8 MiB.
   */
  maxEventBytes?: number | undefined;
}

function decode(decoder: StringDecoder, chunk: Uint8Array | string): string {
  return typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
}

function oversized(options: StreamReaderOptions, limit: number, what: string): InvalidResponseError {
  return new InvalidResponseError({
    message: `The stream from "${options.url}" sent ${what} larger than ${limit} bytes; refusing to buffer it`,
    target: options.target,
    isRetryable: false,
  });
}

/**
 * Reads a Server-Sent Events body (parsed by eventsource-parser) and yields each event as it completes. Bytes are
 * decoded with `node:string_decoder`, so a multi-byte character split across chunks stays whole. Throws a
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
  const limit = options.maxEventBytes ?? defaultMaxEventBytes;
  const events: EventSourceMessage[] = [];
  let overflow = false;
  const parser = createParser({
    onEvent: (event) => events.push(event),
    // Unknown fields and bad `retry` values are ignorable under the SSE rules; only overflow is fatal.
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = true;
    },
    maxBufferSize: limit,
  });
  const decoder = new StringDecoder('utf8');
  // What follows the last event boundary, tracked by length and blankness only (never re-scanned or joined, which
  // made a long event quadratic: 8 MiB took 0.8 s). Non-blank when the body ends means it stopped mid-event.
  let pendingLength = 0;
  let pendingBlank = true;
  /** The last 3 characters seen, for a boundary split across chunks. */
  let lastChars = '';
  /**
   * The start of a line that has not ended yet, held back from the parser and fed whole once it ends: the parser
   * re-scans its buffer on every feed.
   */
  let unfed = '';
  for await (const chunk of body) {
    const text = decode(decoder, chunk);
    const window = lastChars + text;
    const boundary = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\r\n\r\n'));
    if (boundary === -1) {
      pendingLength += text.length;
      pendingBlank &&= text.trim() === '';
    } else {
      const after = window.slice(boundary).replace(/^[\r\n]+/, '');
      pendingLength = after.length;
      pendingBlank = after.trim() === '';
    }
    lastChars = window.slice(-3);
    if (pendingLength > limit) overflow = true;
    else {
      const lineEnd = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
      if (lineEnd === -1) unfed += text;
      else {
        parser.feed(unfed + text.slice(0, lineEnd + 1));
        unfed = text.slice(lineEnd + 1);
      }
    }
    if (overflow) throw oversized(options, limit, 'an event');
    // One event at a time: in a burst, the first token must not wait for the rest of the network chunk.
    while (events.length > 0) yield events.shift() as EventSourceMessage;
  }
  if (!pendingBlank) {
    throw new InvalidResponseError({
      message: `The stream from "${options.url}" ended in the middle of an event: the answer is incomplete`,
      target: options.target,
    });
  }
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
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of body) {
    pending += decode(decoder, chunk);
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
