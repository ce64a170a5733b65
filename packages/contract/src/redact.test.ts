import { describe, expect, it } from 'vitest';
import { InvalidRequestError, parseRequest, redactSecrets, redactUrl } from './index.js';

describe('redaction', () => {
  it('removes user-info and secret-looking query values from URLs, keeping the rest', () => {
    expect(redactUrl('https://bob:pa55word@gpu.example.test:8443/v1?api_key=sk-1&model=llama&sig=abc')).toBe(
      'https://gpu.example.test:8443/v1?api_key=%5Bredacted%5D&model=llama&sig=%5Bredacted%5D',
    );
    expect(redactUrl('not a url?token=sk-secret')).toBe('not a url');
  });

  it('replaces every occurrence of each secret, ignoring absent and too-short ones', () => {
    expect(redactSecrets('key sk-abc123 then sk-abc123 again', ['sk-abc123', undefined, 'ab'])).toBe(
      'key [redacted] then [redacted] again',
    );
  });

  it('never echoes the offending input values in InvalidRequestError messages', () => {
    const secret = 'sk-live-0123456789abcdef';
    const inputs = [
      { messages: [{ role: secret, content: 'hi' }] },
      { messages: [{ role: 'user', content: 'hi' }], routing: { privacy: secret } },
      { messages: [{ role: 'user', content: 'hi' }], tools: [{ name: `${secret} x`, parameters: {} }] },
      { messages: [{ role: 'user', content: 'hi' }], maxTokens: secret },
      { messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: secret } },
    ];
    for (const input of inputs) {
      let caught: unknown;
      try {
        parseRequest(input);
      } catch (error) {
        caught = error;
      }
      expect(InvalidRequestError.isInstance(caught)).toBe(true);
      const error = caught as InvalidRequestError;
      expect(error.message).not.toContain('sk-live');
      expect(JSON.stringify(error)).not.toContain('sk-live');
    }
  });
});
