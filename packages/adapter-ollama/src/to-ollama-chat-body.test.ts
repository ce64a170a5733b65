import { InvalidRequestError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { toOllamaChatBody } from './to-ollama-chat-body.js';

describe('toOllamaChatBody', () => {
  it('passes images as base64 data, tool arguments as objects and names the tool a result answers', () => {
    const body = toOllamaChatBody(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', url: 'data:image/png;base64,iVBORw0K' },
            ],
          },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"train"}' }],
          },
          { role: 'tool', toolCallId: 'call_1', content: 'a train' },
        ],
        toolChoice: 'none',
        tools: [{ name: 'lookup', parameters: { type: 'object' } }],
      },
      { model: 'llava' },
      true,
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is this?', images: ['iVBORw0K'] },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { q: 'train' } } }] },
      { role: 'tool', content: 'a train', tool_name: 'lookup' },
    ]);
    // toolChoice "none" is honoured by not offering the tools at all.
    expect(body.tools).toBeUndefined();
    expect(body.options).toBeUndefined();
  });

  it('rejects what Ollama cannot take, naming the field', () => {
    const call = () =>
      toOllamaChatBody(
        {
          messages: [
            { role: 'user', content: [{ type: 'image', url: 'https://example.test/cat.png' }] },
            { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '[1,2]' }] },
          ],
        },
        { model: 'llava' },
        false,
      );
    expect(call).toThrow(InvalidRequestError);
    expect(call).toThrow(/messages\[0\]\.content\[0\]\.url: expected a base64 data: URL/);
    expect(call).toThrow(/messages\[1\]\.toolCalls\[0\]\.arguments/);
  });
});
