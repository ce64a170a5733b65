import { ApiCallError, InvalidResponseError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { parseErrorMessage, readBoundedText, readErrorText, responseToApiCallError } from './error-body.js';
import type { HttpResponse } from './http-transport.js';

/** A response whose body is `text` in 1 KB chunks; `cancelled()` says whether the reader released it. */
function response(status: number, headers: Record<string, string>, text: string) {
  const bytes = new TextEncoder().encode(text);
  let cancelled = false;
  let read = 0;
  const result: HttpResponse = {
    status,
    headers,
    body: {
      async *[Symbol.asyncIterator]() {
        for (let offset = 0; offset < bytes.length; offset += 1024) {
          read = offset + 1024;
          yield bytes.subarray(offset, offset + 1024);
        }
      },
    },
    text: async () => text,
    release: () => undefined,
    cancel: () => {
      cancelled = true;
    },
  };
  return { response: result, cancelled: () => cancelled, read: () => read };
}

describe('error bodies', () => {
  it.each([
    ['{"error":"model \'x\' not found, try pulling it first"}', "model 'x' not found, try pulling it first"],
    ['{"error":{"message":"context too long","type":"invalid_request_error"}}', 'context too long'],
    ['{"message":"overloaded"}', 'overloaded'],
    ['{"detail":"Not Found"}', 'Not Found'],
    ['<html>502</html>', undefined],
    ['[1,2]', undefined],
  ])('reads the message of %s', (text, message) => {
    expect(parseErrorMessage(text)).toBe(message);
  });

  it('reads at most 4 KB and releases the rest of the body', async () => {
    const big = response(500, {}, 'x'.repeat(100_000));
    const text = await readErrorText(big.response);
    expect(text).toHaveLength(4096);
    expect(big.read()).toBeLessThan(100_000);
    expect(big.cancelled()).toBe(true);
  });

  it('builds an ApiCallError with Retry-After and the API key redacted from the echoed body', async () => {
    const limited = response(
      429,
      { 'retry-after': '2' },
      '{"error":{"message":"rate limited for key sk-secret-123456"}}',
    );
    const error = await responseToApiCallError(limited.response, {
      url: 'http://127.0.0.1:8000/v1/chat/completions',
      method: 'POST',
      target: 'gpu',
      secrets: ['sk-secret-123456'],
    });
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toBe(
      '[POST] "http://127.0.0.1:8000/v1/chat/completions": 429 Too Many Requests (rate limited for key [redacted])',
    );
    expect(JSON.stringify(error)).not.toContain('sk-secret');
    expect(error.responseBody).not.toContain('sk-secret');
  });

  it('reads a whole body within the cap, a character split across chunks kept whole', async () => {
    // 'é' is 2 bytes: at offset 1023 it straddles the first 1 KB chunk boundary.
    const text = `${'a'.repeat(1023)}é${'b'.repeat(2000)}`;
    const whole = response(200, {}, text);
    expect(await readBoundedText(whole.response, { target: 'gpu', url: 'http://x/v1', maxBytes: 4000 })).toBe(text);
  });

  it('refuses a body over the cap, names the cap and the setting, redacts the URL and cancels the body', async () => {
    const big = response(200, {}, 'x'.repeat(100_000));
    const error = await readBoundedText(big.response, {
      target: 'gpu',
      url: 'http://127.0.0.1:8000/v1/chat/completions?api-key=sk-secret',
      maxBytes: 10_000,
      setting: 'maxResponseBytes',
    }).then(
      () => undefined,
      (caught: unknown) => caught as InvalidResponseError,
    );
    if (error === undefined) throw new Error('expected the read to fail');
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('larger than 10000 bytes');
    expect(error.message).toContain('`maxResponseBytes`');
    expect(error.message).not.toContain('sk-secret');
    expect(big.read()).toBeLessThan(100_000);
    expect(big.cancelled()).toBe(true);
  });

  it('refuses a body whose content-length is over the cap before reading any of it', async () => {
    const big = response(200, { 'content-length': '100000' }, 'x'.repeat(100_000));
    await expect(
      readBoundedText(big.response, { target: 'gpu', url: 'http://x/v1', maxBytes: 10_000 }),
    ).rejects.toThrow(/larger than 10000 bytes/);
    expect(big.read()).toBe(0);
    expect(big.cancelled()).toBe(true);
  });
});
