import { Readable } from 'node:stream';
import { ApiCallError } from '@switchyard/contract';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { parseErrorMessage, readErrorBody, toApiCallError } from './error-body.js';

function body(text: string): Dispatcher.ResponseData['body'] {
  return Readable.from([Buffer.from(text)]) as unknown as Dispatcher.ResponseData['body'];
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

  it('reads at most 4 KB and destroys the body', async () => {
    const stream = body('x'.repeat(100_000));
    const text = await readErrorBody(stream);
    expect(text).toHaveLength(4096);
    expect(stream.destroyed).toBe(true);
  });

  it('builds an ApiCallError with Retry-After and the API key redacted from the echoed body', async () => {
    const error = await toApiCallError({
      response: {
        statusCode: 429,
        headers: { 'retry-after': '2' },
        body: body('{"error":{"message":"rate limited for key sk-secret-123456"}}'),
      } as unknown as Dispatcher.ResponseData,
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
});
