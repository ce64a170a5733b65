import { describe, expect, it } from 'vitest';
import { parseChatInput, toGenerateRequest } from './run-chat.js';

describe('parseChatInput', () => {
  it('accepts a conversation ending with the user and the private flag', () => {
    const input = parseChatInput({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Note this' },
      ],
      private: true,
    });
    expect(input.private).toBe(true);
    expect(input.messages).toHaveLength(3);
  });

  it('names the field of each problem', () => {
    expect(() => parseChatInput({ messages: [] })).toThrow(/messages: expected a non-empty array/);
    expect(() => parseChatInput({ messages: [{ role: 'system', content: 1 }] })).toThrow(
      /messages\[0\]\.role.*messages\[0\]\.content/s,
    );
    expect(() => parseChatInput({ messages: [{ role: 'user', content: 'x' }], private: 'yes' })).toThrow(/private/);
  });
});

describe('toGenerateRequest', () => {
  it('marks a private chat private for the router and bounds the answer', () => {
    const request = toGenerateRequest({ messages: [{ role: 'user', content: 'Secret plans' }], private: true });
    expect(request.routing).toEqual({ privacy: 'private' });
    expect(request.maxTokens).toBeGreaterThan(0);
    expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'Secret plans' });
  });

  it('keeps only the most recent turns, so long chats fit a small on-device context', () => {
    const messages = Array.from({ length: 20 }, (_, index) => ({
      role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: `turn ${index}`,
    }));
    messages.push({ role: 'user', content: 'last' });
    const request = toGenerateRequest({ messages });
    expect(request.messages.length).toBeLessThan(messages.length);
    expect(request.messages.at(-1)?.content).toBe('last');
    expect(request.routing).toBeUndefined();
  });
});
