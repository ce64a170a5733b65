import { InvalidConfigError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createOllamaTarget } from './ollama-target.js';

describe('createOllamaTarget settings', () => {
  it('rejects bad settings with InvalidConfigError naming each field', () => {
    const make = (settings: unknown) => () => createOllamaTarget(settings as never);
    expect(make({ model: 'x', baseURL: '127.0.0.1:11434' })).toThrow(
      'baseURL: expected a URL like http://127.0.0.1:11434',
    );
    expect(make({ model: '' })).toThrow(/model: expected the Ollama model name/);
    expect(make({ model: 'x', baseUrl: 'http://127.0.0.1:11434' })).toThrow(InvalidConfigError);
    expect(make({ model: 'x', baseUrl: 'http://127.0.0.1:11434' })).toThrow(/baseUrl/);
  });

  it('says what a count or a timer must be and shows the bad number, never a string', () => {
    let problems: unknown;
    try {
      createOllamaTarget({
        model: 'x',
        id: '',
        timeoutMs: 0,
        firstTokenTimeoutMs: 'sk-secret',
        maxResponseBytes: 1.5,
      } as never);
    } catch (error) {
      problems = (error as InvalidConfigError).problems;
    }
    expect(problems).toEqual([
      { path: 'id', message: 'expected a non-empty string' },
      { path: 'timeoutMs', message: 'expected a positive whole number of milliseconds, got 0' },
      { path: 'firstTokenTimeoutMs', message: 'expected a positive whole number of milliseconds, got a string' },
      { path: 'maxResponseBytes', message: 'expected a positive whole number of bytes, got 1.5' },
    ]);
  });

  it('declares a local target with defaults from the model options', () => {
    const target = createOllamaTarget({ model: 'llama3.2:3b', options: { num_ctx: 8192 } });
    expect(target.id).toBe('ollama:llama3.2:3b');
    expect(target.locality).toBe('local');
    expect(target.baseURL).toBe('http://127.0.0.1:11434');
    expect(target.capabilities).toMatchObject({ contextWindow: 8192, jsonSchema: true, continuation: true });
  });
});
