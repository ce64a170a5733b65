import type { TargetCall } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { vllmContinuationBody } from './detect-continuation.js';
import { type BodyOptions, toOpenAIBody } from './to-openai-body.js';

const options: BodyOptions = {
  model: 'llama',
  maxTokensField: 'max_tokens',
  defaultMaxTokens: undefined,
  streamUsage: true,
  continuation: false,
  continuationBody: {},
  extraBody: undefined,
};

describe('toOpenAIBody', () => {
  it('maps every message role, tool calls and image parts to the OpenAI shapes', () => {
    const call: TargetCall = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', url: 'data:image/png;base64,AAAA' },
          ],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'look', arguments: '{"x":1}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'a train' },
      ],
    };
    expect(toOpenAIBody(call, options, false).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'look', arguments: '{"x":1}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'a train' },
    ]);
  });

  it('maps parameters, tools, tool choice and JSON schema output', () => {
    const body = toOpenAIBody(
      {
        messages: [{ role: 'user', content: 'hi' }],
        maxTokens: 10,
        temperature: 0.2,
        topP: 0.9,
        stop: ['\n'],
        seed: 3,
        tools: [{ name: 'get_time', parameters: { type: 'object' } }],
        toolChoice: { type: 'tool', name: 'get_time' },
        responseFormat: { type: 'json_schema', schema: { type: 'object' } },
      },
      { ...options, extraBody: { top_k: 5 } },
      true,
    );
    expect(body).toEqual({
      top_k: 5,
      model: 'llama',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 10,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n'],
      seed: 3,
      tools: [
        { type: 'function', function: { name: 'get_time', description: undefined, parameters: { type: 'object' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('puts maxTokens in the configured field, falling back to the default', () => {
    const call: TargetCall = { messages: [{ role: 'user', content: 'hi' }] };
    expect(toOpenAIBody(call, options, false)).not.toHaveProperty('max_tokens');
    const both = toOpenAIBody(call, { ...options, maxTokensField: 'both', defaultMaxTokens: 64 }, false);
    expect(both).toMatchObject({ max_tokens: 64, max_completion_tokens: 64 });
    const newer = toOpenAIBody(
      { ...call, maxTokens: 5 },
      { ...options, maxTokensField: 'max_completion_tokens' },
      false,
    );
    expect(newer).toMatchObject({ max_completion_tokens: 5 });
    expect(newer).not.toHaveProperty('max_tokens');
  });

  it('sends the assistant prefix only to targets that continue it', () => {
    const call: TargetCall = { messages: [{ role: 'user', content: 'hi' }], assistantPrefix: 'Once upon' };
    expect(toOpenAIBody(call, options, false).messages).toHaveLength(1);
    const prefilled = toOpenAIBody(call, { ...options, continuation: true }, false);
    expect((prefilled.messages as unknown[]).at(-1)).toEqual({ role: 'assistant', content: 'Once upon' });
    expect(prefilled).not.toHaveProperty('continue_final_message');
    const vllm = toOpenAIBody(call, { ...options, continuation: true, continuationBody: vllmContinuationBody }, false);
    expect(vllm).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
  });
});
