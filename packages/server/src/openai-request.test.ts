import { InvalidRequestError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { parseChatCompletionBody, toOpenAIFieldPath } from './openai-request.js';

describe('parseChatCompletionBody', () => {
  it('turns an OpenAI body with tools, tool results and JSON mode into a router request', () => {
    const { request, model, stream, includeUsage } = parseChatCompletionBody({
      model: 'gpu',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ring', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'rang' },
      ],
      max_completion_tokens: 64,
      max_tokens: 10,
      stop: 'END',
      tools: [{ type: 'function', function: { name: 'ring' } }],
      tool_choice: { type: 'function', function: { name: 'ring' } },
      response_format: { type: 'json_object' },
      stream: true,
      stream_options: { include_usage: true },
      user: 'ignored',
      switchyard: { privacy: 'private', tags: ['notes'] },
    });
    expect(model).toBe('gpu');
    expect(stream).toBe(true);
    expect(includeUsage).toBe(true);
    expect(request).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'image', url: 'data:image/png;base64,AA' },
          ],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'ring', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'rang' },
      ],
      maxTokens: 64,
      stop: ['END'],
      tools: [{ name: 'ring', parameters: { type: 'object', properties: {} } }],
      toolChoice: { type: 'tool', name: 'ring' },
      responseFormat: { type: 'json_schema', schema: { type: 'object' } },
      routing: { privacy: 'private', tags: ['notes'] },
    });
  });

  it('defaults the model to switchyard/auto and treats nulls as absent', () => {
    const { request, model, stream } = parseChatCompletionBody({
      messages: [{ role: 'user', content: 'hi' }],
      temperature: null,
      max_tokens: null,
    });
    expect(model).toBe('switchyard/auto');
    expect(stream).toBe(false);
    expect(request).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
  });

  it('names the OpenAI field of each problem', () => {
    const problems = (input: unknown) => {
      try {
        parseChatCompletionBody(input);
      } catch (error) {
        if (InvalidRequestError.isInstance(error)) return error.problems.map((problem) => problem.path);
      }
      return [];
    };
    expect(problems([])).toEqual(['']);
    expect(
      problems({
        messages: [{ role: 'user', content: 'x' }],
        top_p: 0,
        tools: [{ type: 'function', function: { name: 'bad name' } }],
      }),
    ).toEqual(['top_p', 'tools[0].function.name']);
  });

  it('says which shapes a field of several accepts (stop, tool_choice, content), not "Invalid input"', () => {
    const problems = (extra: Record<string, unknown>) => {
      try {
        parseChatCompletionBody({ messages: [{ role: 'user', content: 'x' }], ...extra });
      } catch (error) {
        if (InvalidRequestError.isInstance(error)) return error.problems;
      }
      return [];
    };
    expect(problems({ stop: 5 })).toEqual([{ path: 'stop', message: 'expected string or array' }]);
    expect(problems({ tool_choice: 5 })[0]?.message).toMatch(/^expected "[a-z]+" or .* or object$/);
    expect(problems({ messages: [{ role: 'user', content: 5 }] })).toEqual([
      { path: 'messages[0].content', message: 'expected string or array' },
    ]);
  });

  it('checks tool_choice against tools only once tools are valid, and keeps the first call for parallel_tool_calls: false', () => {
    const problems = (extra: Record<string, unknown>) => {
      try {
        parseChatCompletionBody({ messages: [{ role: 'user', content: 'x' }], ...extra });
      } catch (error) {
        if (InvalidRequestError.isInstance(error)) return error.problems.map((problem) => problem.path);
      }
      return [];
    };
    expect(problems({ tool_choice: 'required', tools: 5 })).toEqual(['tools']);
    expect(problems({ tool_choice: 'required', tools: [] })).toEqual(['tool_choice']);
    expect(problems({ tool_choice: 'none' })).toEqual([]);
    const tools = [{ type: 'function', function: { name: 'ring' } }];
    expect(parseChatCompletionBody({ messages: [{ role: 'user', content: 'x' }], tools }).singleToolCall).toBe(false);
    expect(
      parseChatCompletionBody({ messages: [{ role: 'user', content: 'x' }], tools, parallel_tool_calls: false })
        .singleToolCall,
    ).toBe(true);
  });

  it('refuses a switchyard.deadlineMs longer than a timer can wait (it would time out at once)', () => {
    for (const deadlineMs of [2 ** 31, 2 ** 40]) {
      const error = (() => {
        try {
          parseChatCompletionBody({ messages: [{ role: 'user', content: 'x' }], switchyard: { deadlineMs } });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(InvalidRequestError.isInstance(error)).toBe(true);
      expect((error as InvalidRequestError).problems[0]).toEqual({
        path: 'switchyard.deadlineMs',
        message: 'expected at most 2147483647 ms (24.8 days): a longer timer fires at once',
      });
    }
  });

  it('renames router field paths to the OpenAI body names', () => {
    expect(toOpenAIFieldPath('routing.deadlineMs')).toBe('switchyard.deadlineMs');
    expect(toOpenAIFieldPath('messages[1].toolCalls[0].id')).toBe('messages[1].tool_calls[0].id');
    expect(toOpenAIFieldPath('maxTokens')).toBe('max_tokens');
  });
});
