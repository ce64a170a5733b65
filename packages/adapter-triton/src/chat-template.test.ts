import { InvalidRequestError, type Message } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { renderChatTemplate } from './chat-template.js';

const messages: Message[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello.' },
  { role: 'user', content: [{ type: 'text', text: 'Where is the yard?' }] },
];

describe('renderChatTemplate', () => {
  it('renders ChatML and opens the assistant turn', () => {
    expect(renderChatTemplate('chatml', messages)).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n' +
        '<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nWhere is the yard?<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('renders Llama 3 headers without a BOS token (the tokenizer adds it)', () => {
    const prompt = renderChatTemplate('llama3', messages.slice(0, 2));
    expect(prompt).toBe(
      '<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('renders plain role labels and appends an assistant prefix after the label', () => {
    expect(renderChatTemplate('plain', messages.slice(0, 2), 'Hello')).toBe(
      'System: Be brief.\nUser: Hi\nAssistant: Hello',
    );
    expect(renderChatTemplate('chatml', messages.slice(1, 2), 'Hel')).toMatch(/<\|im_start\|>assistant\nHel$/);
  });

  it('uses a custom function as given', () => {
    const template = (list: readonly Message[]) => `${list.length} messages ->`;
    expect(renderChatTemplate(template, messages, ' ok')).toBe('4 messages -> ok');
  });

  it('rejects images, naming the content part', () => {
    const withImage: Message[] = [{ role: 'user', content: [{ type: 'image', url: 'data:image/png;base64,AAAA' }] }];
    expect(() => renderChatTemplate('chatml', withImage)).toThrow(InvalidRequestError);
    expect(() => renderChatTemplate('chatml', withImage)).toThrow(/messages\[0\]\.content\[0\]/);
  });
});
