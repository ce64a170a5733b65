import { InvalidConfigError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createOpenAITarget } from './create-openai-target.js';

function configError(settings: unknown): InvalidConfigError {
  try {
    createOpenAITarget(settings as Parameters<typeof createOpenAITarget>[0]);
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('openai settings', () => {
  it('names a bad baseURL and says what a good one looks like', () => {
    const error = configError({ baseURL: 'localhost:8000', model: 'm' });
    expect(error.message).toContain('baseURL: expected a URL like http://127.0.0.1:8000/v1');
  });

  it('names every bad field at once', () => {
    const error = configError({ baseURL: 'http://127.0.0.1:8000/v1', model: '', connections: 0, timeoutMs: -1 });
    expect(error.problems.map((problem) => problem.path).sort()).toEqual(['connections', 'model', 'timeoutMs']);
  });

  it('says what a count or a timer must be and shows the bad number, never a string', () => {
    const error = configError({
      baseURL: 'http://127.0.0.1:8000/v1',
      model: 'm',
      id: '',
      connections: 0,
      timeoutMs: 1.5,
      firstTokenTimeoutMs: 'sk-secret-value-123',
      maxResponseBytes: -1,
      defaultMaxTokens: 0,
    });
    expect(error.problems).toEqual([
      { path: 'id', message: 'expected a non-empty string' },
      { path: 'connections', message: 'expected a positive whole number of connections, got 0' },
      { path: 'timeoutMs', message: 'expected a positive whole number of milliseconds, got 1.5' },
      { path: 'firstTokenTimeoutMs', message: 'expected a positive whole number of milliseconds, got a string' },
      { path: 'maxResponseBytes', message: 'expected a positive whole number of bytes, got -1' },
      { path: 'defaultMaxTokens', message: 'expected a positive whole number of tokens, got 0' },
    ]);
  });

  it('catches a misspelled key instead of ignoring it', () => {
    const error = configError({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' });
    expect(error.problems).toContainEqual({ path: 'baseUrl', message: 'unknown setting; did you mean "baseURL"?' });
  });

  it('never echoes the API key in a config error', () => {
    const error = configError({ baseURL: 'sk-secret-value-123', model: 'm', apiKey: 'sk-secret-value-123' });
    expect(error.message).not.toContain('sk-secret-value-123');
    expect(JSON.stringify(error)).not.toContain('sk-secret-value-123');
  });

  it('fills capabilities with defaults, takes overrides and the price', () => {
    const target = createOpenAITarget({
      baseURL: 'http://127.0.0.1:8000/v1/',
      model: 'llama',
      capabilities: { contextWindow: 131_072, images: true },
      price: { inputPer1M: 0.1, outputPer1M: 0.2 },
    });
    expect(target.id).toBe('openai:llama');
    expect(target.locality).toBe('remote');
    expect(target.capabilities).toMatchObject({
      contextWindow: 131_072,
      maxOutputTokens: 4096,
      tools: true,
      jsonSchema: true,
      images: true,
      price: { inputPer1M: 0.1, outputPer1M: 0.2 },
    });
    // Unknown until the status check detects the server type; the router then asks before continuing on it.
    expect(target.capabilities.continuation).toBeUndefined();
    expect(target.status()).toEqual({ state: 'ready' });
  });
});
