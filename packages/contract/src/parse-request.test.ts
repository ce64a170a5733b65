import { describe, expect, it } from 'vitest';
import { InvalidRequestError, markValidatedCall, parseRequest, parseTargetCall } from './index.js';

function problemsOf(input: unknown) {
  try {
    parseRequest(input);
  } catch (error) {
    if (InvalidRequestError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected parseRequest to throw');
}

describe('parseRequest', () => {
  it('accepts a full valid request and keeps every field', () => {
    const controller = new AbortController();
    const input = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', toolCallId: 'c1', content: '{"temp":3}' },
      ],
      maxTokens: 64,
      temperature: 0.2,
      topP: 0.9,
      stop: ['\n\n'],
      seed: 7,
      tools: [{ name: 'weather', description: 'Weather by city', parameters: { type: 'object' } }],
      toolChoice: 'auto',
      responseFormat: { type: 'json_schema', schema: { type: 'object' } },
      signal: controller.signal,
      routing: { privacy: 'private', deadlineMs: 2000, priority: 1, tags: ['chat'], maxCostUsd: 0.01 },
    };
    const parsed = parseRequest(input);
    expect(parsed).toEqual(input);
    expect(parsed.signal).toBe(controller.signal);
  });

  it('names the path of a bad message role and the allowed values', () => {
    const error = problemsOf({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'robot', content: 'c' },
      ],
    });
    expect(error.problems[0]?.path).toBe('messages[2].role');
    expect(error.message).toContain('messages[2].role');
    expect(error.message).toMatch(/"system".*"user".*"assistant".*"tool"/);
  });

  it.each([
    [{ messages: [] }, 'messages', 'at least one message'],
    [{ messages: [{ role: 'user', content: 'x' }], maxTokens: 0 }, 'maxTokens', ''],
    [{ messages: [{ role: 'user', content: 'x' }], maxTokens: 1.5 }, 'maxTokens', ''],
    [{ messages: [{ role: 'user', content: 'x' }], temperature: 3 }, 'temperature', ''],
    [{ messages: [{ role: 'user', content: 42 }] }, 'messages[0].content', ''],
    [{ messages: [{ role: 'user', content: 'x' }], routing: { privacy: 'secret' } }, 'routing.privacy', ''],
    [
      { messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'has space', parameters: {} }] },
      'tools[0].name',
      'letters',
    ],
    [{ messages: [{ role: 'user', content: 'x' }], signal: 'abort' }, 'signal', 'AbortSignal'],
    [{ messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'xml' } }, 'responseFormat.type', ''],
  ])('rejects %j naming %s', (input, path, text) => {
    const error = problemsOf(input);
    expect(error.problems.map((problem) => problem.path)).toContain(path);
    expect(error.message).toContain(text);
    expect(error.code).toBe('invalid-request');
    expect(error.isRetryable).toBe(false);
  });

  it('words each problem in English with only zod/mini loaded (no global zod locale configured)', () => {
    // This file never imports classic zod, whose import configures English messages globally.
    const error = problemsOf({ messages: [{ role: 'user', content: 'x' }], maxTokens: 0, temperature: 'hot' });
    expect(error.problems).toEqual([
      { path: 'maxTokens', message: 'Too small: expected number to be >0' },
      { path: 'temperature', message: 'expected number, received string' },
    ]);
  });

  it('rejects non-objects without crashing', () => {
    for (const input of [null, undefined, 42, 'hi', []]) {
      expect(() => parseRequest(input)).toThrow(InvalidRequestError);
    }
  });

  it('validates target calls, including the assistant prefix, and names the target', () => {
    expect(
      parseTargetCall({ messages: [{ role: 'user', content: 'x' }], assistantPrefix: 'Once' }).assistantPrefix,
    ).toBe('Once');
    try {
      parseTargetCall({ messages: [{ role: 'user' }] }, 'device');
      expect.unreachable();
    } catch (error) {
      expect(InvalidRequestError.isInstance(error) && error.target).toBe('device');
    }
  });

  it('returns a call marked as validated as is, and still validates an equal unmarked one', () => {
    const fields = { messages: [{ role: 'user' as const, content: 'x' }], maxTokens: 8 };
    const marked = markValidatedCall({ ...fields, maxTokens: -1 });
    expect(parseTargetCall(marked)).toBe(marked);
    // Unmarked: an ordinary call is checked and returned uncopied, anything else is zod's cleaned copy.
    const unmarked = { ...fields };
    expect(parseTargetCall(unmarked)).toBe(unmarked);
    const withExtra = { ...fields, extra: true };
    const parsed = parseTargetCall(withExtra);
    expect(parsed).not.toBe(withExtra);
    expect(parsed).toStrictEqual(fields);
    expect(() => parseTargetCall({ ...fields, maxTokens: -1 })).toThrow(InvalidRequestError);
  });

  it('marks a call without changing what it holds, and marks frozen calls too', () => {
    const fields = { messages: [{ role: 'user' as const, content: 'x' }], maxTokens: 8 };
    const marked = markValidatedCall({ ...fields });
    expect(Object.keys(marked)).toEqual(['messages', 'maxTokens']);
    expect(Object.getOwnPropertySymbols(marked)).toEqual([]);
    expect(JSON.stringify(marked)).toBe(JSON.stringify(fields));
    expect(marked).toStrictEqual(fields);
    expect(markValidatedCall(marked)).toBe(marked);
    const frozen = markValidatedCall(Object.freeze({ ...fields, maxTokens: -1 }));
    expect(parseTargetCall(frozen)).toBe(frozen);
    expect(() => parseTargetCall(Object.freeze({ ...fields, maxTokens: -1 }))).toThrow(InvalidRequestError);
  });
});
