import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';
import { RecentTexts } from './recent-texts.js';

// A string with the same content but a different identity, as JSON.parse would produce it.
const copyOf = (text: string) => JSON.parse(JSON.stringify(text)) as string;

describe('RecentTexts', () => {
  it('finds a text again by content, whichever string carries it', () => {
    const texts = new RecentTexts(4, 1000);
    const first = texts.get('Summarise the history of railway signalling');
    first.pii = [];
    expect(texts.get(copyOf('Summarise the history of railway signalling'))).toBe(first);
    expect(texts.get('Summarise the history of railway signalling!')).not.toBe(first);
  });

  it('drops the oldest text when the entry or character budget is full', () => {
    const texts = new RecentTexts(2, 10);
    const a = texts.get('aaaa');
    texts.get('bbbb');
    texts.get('cccc');
    expect(texts.size).toBe(2);
    expect(texts.get('aaaa')).not.toBe(a);
    texts.get('dddddddddd');
    expect(texts.size).toBe(1);
    const huge = texts.get('x'.repeat(11));
    expect(texts.get('x'.repeat(11))).not.toBe(huge);
    expect(texts.size).toBe(1);
  });

  it('keeps at most a few texts per fingerprint, so a lookup stays short', () => {
    const texts = new RecentTexts(100, 10_000);
    // 41 characters are sampled at even positions; these differ only at position 21, so they share a fingerprint.
    const variants = Array.from(
      { length: 12 },
      (_, index) => `${'a'.repeat(21)}${String.fromCharCode(98 + index)}${'a'.repeat(19)}`,
    );
    const facts = variants.map((variant) => texts.get(variant));
    expect(texts.size).toBe(8);
    expect(texts.get(copyOf(variants[0]!))).toBe(facts[0]);
    expect(texts.get(copyOf(variants[11]!))).not.toBe(facts[11]);
  });
});

describe('router.plan with message texts seen before', () => {
  it('reuses a tokenizer count for the same text in a new message object', () => {
    let counted = 0;
    const device = createScriptedTarget({
      locality: 'local',
      capabilities: {
        countTokens: (text) => {
          counted += 1;
          return text.length;
        },
      },
    });
    const router = createRouter({ targets: { device } });
    const text = 'A system prompt that every request repeats, word for word.';
    expect(router.plan({ messages: [{ role: 'system', content: text }] }).promptTokens.device).toBe(text.length + 4);
    expect(router.plan({ messages: [{ role: 'system', content: copyOf(text) }] }).promptTokens.device).toBe(
      text.length + 4,
    );
    expect(counted).toBe(1);
  });

  it('still finds personal data after the same text was seen without it being edited', () => {
    const router = createRouter({
      targets: {
        device: createScriptedTarget({ locality: 'local' }),
        gpu: createScriptedTarget({ locality: 'remote' }),
      },
    });
    const message = { role: 'user' as const, content: 'call me on +1 415 555 0100' };
    expect(router.plan({ messages: [message] }).privacy.detected).toEqual(['phone-number']);
    const detected = router.plan({ messages: [{ ...message }] }).privacy.detected;
    expect(detected).toEqual(['phone-number']);
    detected.push('edited by a caller');
    expect(router.plan({ messages: [{ ...message }] }).privacy.detected).toEqual(['phone-number']);
    message.content = 'nothing personal here';
    expect(router.plan({ messages: [message] }).privacy.detected).toEqual([]);
  });
});
