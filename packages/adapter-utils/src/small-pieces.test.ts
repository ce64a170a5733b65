import { describe, expect, it } from 'vitest';
import { secretHeaderValues } from './redact-headers.js';
import { resolveCapabilities } from './resolve-capabilities.js';
import { completeToolCall, newToolCallId } from './tool-call-id.js';

describe('secretHeaderValues', () => {
  it('lists the API key, secret-looking header values and the bare token of a Bearer value', () => {
    expect(
      secretHeaderValues({ Authorization: 'Bearer tok-123', 'x-api-key': 'k-9', accept: 'text/plain' }, 'sk-1'),
    ).toEqual(['sk-1', 'tok-123', 'Bearer tok-123', 'k-9']);
    expect(secretHeaderValues(undefined)).toEqual([]);
  });
});

describe('resolveCapabilities', () => {
  it('lays set overrides over the defaults, skips undefined ones and adds the price', () => {
    const defaults = { contextWindow: 4096, maxOutputTokens: 1024, tools: false, jsonSchema: true, images: false };
    expect(
      resolveCapabilities(defaults, { contextWindow: 8192, tools: undefined }, { inputPer1M: 1, outputPer1M: 2 }),
    ).toEqual({ ...defaults, contextWindow: 8192, price: { inputPer1M: 1, outputPer1M: 2 } });
    expect(resolveCapabilities(defaults, undefined)).toEqual(defaults);
  });
});

describe('tool-call ids', () => {
  it('makes distinct OpenAI-style ids and fills what a server left out', () => {
    const id = newToolCallId();
    expect(id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(newToolCallId()).not.toBe(id);
    expect(completeToolCall({ name: 'f' }, () => 'call_0')).toEqual({ id: 'call_0', name: 'f', arguments: '{}' });
    expect(completeToolCall({ id: 'x', name: 'f', arguments: '{"a":1}' })).toEqual({
      id: 'x',
      name: 'f',
      arguments: '{"a":1}',
    });
  });
});
