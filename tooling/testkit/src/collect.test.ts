import { describe, expect, it } from 'vitest';
import { collect, textOf } from './collect.js';

async function* parts(fail?: Error) {
  yield { type: 'text-delta', text: 'Hello' } as const;
  yield { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } } as const;
  yield { type: 'text-delta', text: ', yard' } as const;
  if (fail) throw fail;
  yield { type: 'finish', finishReason: 'stop' } as const;
}

describe('collect and textOf', () => {
  it('returns every part in order, and the text of the text-delta parts alone', async () => {
    const collected = await collect(parts());
    expect(collected.map((part) => part.type)).toEqual(['text-delta', 'usage', 'text-delta', 'finish']);
    expect(textOf(collected)).toBe('Hello, yard');
  });

  it('rejects with the error the stream ends with', async () => {
    const broken = new Error('reset mid-stream');
    await expect(collect(parts(broken))).rejects.toBe(broken);
  });
});
