import { TINY_MODEL_CHAT_TEMPLATE } from '@switchyard/testkit';
import { describe, expect, it } from 'vitest';
import { compileChatPrompt } from './chat-prompt.js';

describe('compileChatPrompt', () => {
  it("renders the model's ChatML template as llama.cpp does, ending where the assistant answers", () => {
    const prompt = compileChatPrompt(TINY_MODEL_CHAT_TEMPLATE);
    expect(prompt?.([{ role: 'user', content: 'What is a switchyard?' }])).toBe(
      '<|im_start|>user\nWhat is a switchyard?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(
      prompt?.([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Bye' },
      ]),
    ).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n' +
        '<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it("leaves to wllama's chat path a template that writes bos_token or eos_token, none, or one that does not compile", () => {
    expect(compileChatPrompt("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}")).toBeUndefined();
    expect(compileChatPrompt('{% for m in messages %}{{ m.content + eos_token }}{% endfor %}')).toBeUndefined();
    expect(compileChatPrompt(null)).toBeUndefined();
    expect(compileChatPrompt('{% for m in messages %}')).toBeUndefined();
  });
});
