import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultThreads } from './llamacpp-settings.js';
import { toChatHistory } from './to-chat-history.js';

describe('toChatHistory', () => {
  it('attaches tool results to the assistant tool calls they answer', () => {
    const history = toChatHistory([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Ring the bell' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'ring_bell', arguments: '{"times":2}' }] },
      { role: 'tool', toolCallId: 'c1', content: '{"ok":true}' },
    ]);
    expect(history).toEqual([
      { type: 'system', text: 'Be brief.' },
      { type: 'user', text: 'Ring the bell' },
      {
        type: 'model',
        response: [{ type: 'functionCall', name: 'ring_bell', params: { times: 2 }, result: { ok: true } }],
      },
      { type: 'model', response: [] },
    ]);
  });

  it('ends with the assistant prefix so generation continues it', () => {
    const history = toChatHistory([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], 'Hello, I');
    expect(history.at(-1)).toEqual({ type: 'model', response: ['Hello, I'] });
    expect(history[0]).toEqual({ type: 'user', text: 'Hi' });
  });

  it('keeps a tool result without a matching call as user text', () => {
    const history = toChatHistory([{ role: 'tool', toolCallId: 'x9', content: '42' }]);
    expect(history[0]).toEqual({ type: 'user', text: 'Result of tool call x9: 42' });
  });
});

describe('defaultThreads', () => {
  it('uses about half the cores, at least one', () => {
    const threads = defaultThreads();
    expect(threads).toBeGreaterThanOrEqual(1);
    expect(threads).toBeLessThanOrEqual(Math.max(1, Math.floor(availableParallelism() / 2)));
  });
});
