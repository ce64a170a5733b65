import { InvalidResponseError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { readNdjsonLines, readSseEvents } from './stream-readers.js';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

/** Every item a reader yields, in order; rejects with the reader's error. */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const read: T[] = [];
  for await (const item of items) read.push(item);
  return read;
}

const where = { target: 'gpu', url: 'http://127.0.0.1:1/v1/chat/completions' };

describe('readSseEvents', () => {
  it('yields events split across chunks, with a multi-byte character cut in two kept whole', async () => {
    const euro = Buffer.from('data: €1\n\n');
    const events = await collect(
      readSseEvents(chunks('data: a', 'b\n\n: keep-alive\n\n', euro.subarray(0, 7), euro.subarray(7)), where),
    );
    expect(events.map((event) => event.data)).toEqual(['ab', '€1']);
  });

  it('throws a non-retryable InvalidResponseError when one event outgrows the cap, before buffering it all', async () => {
    let sent = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('data: ');
      for (;;) {
        sent += 1024;
        yield Buffer.alloc(1024, 'x');
      }
    }
    const error = await collect(readSseEvents(endless(), { ...where, maxEventBytes: 8192 })).catch((e: unknown) => e);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as InvalidResponseError).isRetryable).toBe(false);
    expect((error as Error).message).toContain('larger than 8192 bytes');
    expect(sent).toBeLessThan(16 * 1024);
  });

  it('finds event boundaries split across chunks, LF and CRLF, and ends cleanly after them', async () => {
    const events = await collect(
      readSseEvents(chunks('data: a\n', '\ndata: b\r\n\r', '\ndata: c\r', '\n', '\r\n', 'data: d\n\n'), where),
    );
    expect(events.map((event) => event.data)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reports a body that ends in the middle of an event as a retryable InvalidResponseError', async () => {
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of readSseEvents(chunks('data: one\n\ndata: {"trunc'), where)) seen.push(event.data);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['one']);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as InvalidResponseError).isRetryable).toBe(true);
    expect((error as Error).message).toContain('middle of an event');
  });
});

describe('readNdjsonLines', () => {
  it('yields lines across chunks, skips blank ones and keeps a last line without a newline', async () => {
    const snow = Buffer.from('{"c":"☃"}\n');
    expect(
      await collect(
        readNdjsonLines(chunks('{"a":1}\n\n{"b"', ':2}\n', snow.subarray(0, 7), snow.subarray(7), '{"d":4}'), where),
      ),
    ).toEqual(['{"a":1}', '{"b":2}', '{"c":"☃"}', '{"d":4}']);
  });

  it('throws a non-retryable InvalidResponseError when a line outgrows the cap', async () => {
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) yield Buffer.alloc(1024, 'x');
    }
    const error = await collect(readNdjsonLines(endless(), { ...where, maxEventBytes: 4096 })).catch((e: unknown) => e);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as InvalidResponseError).isRetryable).toBe(false);
  });
});
