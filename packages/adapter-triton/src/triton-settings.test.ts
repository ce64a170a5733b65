import { InvalidConfigError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createTritonTarget } from './triton-target.js';

describe('createTritonTarget settings', () => {
  it('rejects bad settings with InvalidConfigError naming each field', () => {
    const make = (settings: unknown) => () => createTritonTarget(settings as never);
    expect(make({ baseURL: 'gpu:8000', model: 'llm' })).toThrow('baseURL: expected a URL like http://127.0.0.1:8000');
    expect(make({ baseURL: 'http://127.0.0.1:8000', model: 'llm', chatTemplate: 'mistral' })).toThrow(/chatTemplate/);
    expect(make({ baseURL: 'http://127.0.0.1:8000', model: 'llm', modelVersion: 'latest' })).toThrow(/modelVersion/);
    expect(make({ baseURL: 'http://127.0.0.1:8000', model: 'llm', chat_template: 'chatml' })).toThrow(
      InvalidConfigError,
    );
  });

  it('says what a count or a timer must be and shows the bad number, never a string', () => {
    let problems: unknown;
    try {
      createTritonTarget({
        baseURL: 'http://127.0.0.1:8000',
        model: 'llm',
        id: '',
        timeoutMs: -1,
        firstTokenTimeoutMs: 'sk-secret',
        maxResponseBytes: 0,
        defaultMaxTokens: 2.5,
      } as never);
    } catch (error) {
      problems = (error as InvalidConfigError).problems;
    }
    expect(problems).toEqual([
      { path: 'id', message: 'expected a non-empty string' },
      { path: 'timeoutMs', message: 'expected a positive whole number of milliseconds, got -1' },
      { path: 'firstTokenTimeoutMs', message: 'expected a positive whole number of milliseconds, got a string' },
      { path: 'maxResponseBytes', message: 'expected a positive whole number of bytes, got 0' },
      { path: 'defaultMaxTokens', message: 'expected a positive whole number of tokens, got 2.5' },
    ]);
  });

  it('declares a remote text-only target that can continue a prefix, with its price', () => {
    const target = createTritonTarget({
      baseURL: 'http://127.0.0.1:8000/v2/',
      model: 'ensemble',
      price: { inputPer1M: 0.1, outputPer1M: 0.2 },
    });
    expect(target.id).toBe('triton:ensemble');
    expect(target.locality).toBe('remote');
    expect(target.baseURL).toBe('http://127.0.0.1:8000');
    expect(target.capabilities).toMatchObject({
      tools: false,
      jsonSchema: false,
      images: false,
      continuation: true,
      price: { inputPer1M: 0.1, outputPer1M: 0.2 },
    });
  });
});
