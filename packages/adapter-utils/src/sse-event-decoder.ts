import { InvalidResponseError } from '@switchyard/contract';
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import { decodeChunk, newUtf8Decoder } from './utf8-decoder.js';

/** The default cap on one stream event (an SSE event or an NDJSON line): 8 MiB. */
export const defaultMaxEventBytes = 8 * 1024 * 1024;

/** Options of {@link SseEventDecoder}, `readSseEvents` and `readNdjsonLines`. */
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

/** The error for an event or line over the cap. */
export function oversized(options: StreamReaderOptions, limit: number, what: string): InvalidResponseError {
  return new InvalidResponseError({
    message: `The stream from "${options.url}" sent ${what} larger than ${limit} bytes; refusing to buffer it`,
    target: options.target,
    isRetryable: false,
  });
}

/**
 * The Server-Sent Events decoder under `readSseEvents`, for an adapter that reads the body itself and wants no
 * async generator between the socket and its parser (a few microseconds per request on the hot path): `push()` each
 * chunk and handle the events it returns, `end()` when the body ended. Bytes are decoded as a stream
 * (`node:string_decoder` on Node, `TextDecoder` elsewhere), parsed by eventsource-parser, and bounded: one event over
 * `maxEventBytes` is a non-retryable `InvalidResponseError`, a body that ends in the middle of an event a retryable one.
 *
 * @example
 * ```ts
 * const sse = new SseEventDecoder({ target: id, url });
 * for await (const chunk of response.body) {
 *   for (const event of sse.push(chunk)) if (event.data === '[DONE]') return;
 * }
 * sse.end();
 * ```
 */
export class SseEventDecoder {
  private readonly limit: number;
  private readonly parser: EventSourceParser;
  private readonly decoder = newUtf8Decoder();
  private events: EventSourceMessage[] = [];
  private overflow = false;
  // What follows the last event boundary, tracked by length and blankness only (never re-scanned or joined, which
  // made a long event quadratic: 8 MiB took 0.8 s). Non-blank when the body ends means it stopped mid-event.
  private pendingLength = 0;
  private pendingBlank = true;
  /** The last 3 characters seen, for a boundary split across chunks. */
  private lastChars = '';
  /**
   * The start of a line that has not ended yet, held back from the parser and fed whole once it ends: the parser
   * re-scans its buffer on every feed.
   */
  private unfed = '';

  constructor(private readonly options: StreamReaderOptions) {
    this.limit = options.maxEventBytes ?? defaultMaxEventBytes;
    this.parser = createParser({
      onEvent: (event) => this.events.push(event),
      // Unknown fields and bad `retry` values are ignorable under the SSE rules; only overflow is fatal.
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.overflow = true;
      },
      maxBufferSize: this.limit,
    });
  }

  /** Decodes one chunk; returns the events it completed, in order (a fresh array each time). */
  push(chunk: Uint8Array | string): EventSourceMessage[] {
    const text = decodeChunk(this.decoder, chunk);
    const window = this.lastChars + text;
    // `lastIndexOf` is a call into the runtime that scans the whole chunk; most servers never send a CR, and
    // `includes` (a fast builtin) says so first: two scans per chunk instead of four.
    const carriageReturns = text.includes('\r') || this.lastChars.includes('\r');
    const lf = window.lastIndexOf('\n\n');
    const boundary = carriageReturns ? Math.max(lf, window.lastIndexOf('\r\n\r\n')) : lf;
    if (boundary === -1) {
      this.pendingLength += text.length;
      this.pendingBlank &&= text.trim() === '';
    } else {
      const after = window.slice(boundary).replace(/^[\r\n]+/, '');
      this.pendingLength = after.length;
      this.pendingBlank = after.trim() === '';
    }
    this.lastChars = window.slice(-3);
    if (this.pendingLength > this.limit) this.overflow = true;
    else {
      const lineEnd = carriageReturns
        ? Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'))
        : text.lastIndexOf('\n');
      if (lineEnd === -1) this.unfed += text;
      else {
        this.parser.feed(this.unfed + text.slice(0, lineEnd + 1));
        this.unfed = text.slice(lineEnd + 1);
      }
    }
    if (this.overflow) throw oversized(this.options, this.limit, 'an event');
    const events = this.events;
    if (events.length > 0) this.events = [];
    return events;
  }

  /** The body ended: throws a retryable `InvalidResponseError` when it stopped in the middle of an event. */
  end(): void {
    if (!this.pendingBlank) {
      throw new InvalidResponseError({
        message: `The stream from "${this.options.url}" ended in the middle of an event: the answer is incomplete`,
        target: this.options.target,
      });
    }
  }
}
