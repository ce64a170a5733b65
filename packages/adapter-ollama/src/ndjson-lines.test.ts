import { describe, expect, it } from 'vitest';
import { ndjsonLines } from './ndjson-lines.js';

async function lines(chunks: (string | Uint8Array)[]): Promise<string[]> {
  async function* source() {
    yield* chunks;
  }
  const result: string[] = [];
  for await (const line of ndjsonLines(source())) result.push(line);
  return result;
}

describe('ndjsonLines', () => {
  it('joins a line split across chunks and splits chunks holding several lines', async () => {
    expect(await lines(['{"a":', '1}\n{"b":2}\n{"c"', ':3}\n'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('keeps a multi-byte character that is split between two chunks', async () => {
    const bytes = new TextEncoder().encode('{"t":"ü"}\n');
    expect(await lines([bytes.slice(0, 7), bytes.slice(7)])).toEqual(['{"t":"ü"}']);
  });

  it('skips blank lines, accepts CRLF and yields a last line without a newline', async () => {
    expect(await lines(['\n{"a":1}\r\n\n', '{"b":2}'])).toEqual(['{"a":1}', '{"b":2}']);
  });
});
