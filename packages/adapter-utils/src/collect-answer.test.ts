import type { StreamPart } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { collectAnswer } from './collect-answer.js';

async function* partsOf(parts: StreamPart[]): AsyncGenerator<StreamPart> {
  yield* parts;
}

describe('collectAnswer', () => {
  it('folds text, tool calls in order, usage and the finish reason', async () => {
    const toolCall = (id: string) => ({ id, name: 'lookup', arguments: '{}' });
    const result = await collectAnswer(
      partsOf([
        { type: 'text-delta', text: 'Hello ' },
        { type: 'tool-call', toolCall: toolCall('a') },
        { type: 'text-delta', text: 'there' },
        { type: 'tool-call', toolCall: toolCall('b') },
        { type: 'usage', usage: { inputTokens: 4, outputTokens: 2 } },
        { type: 'finish', finishReason: 'tool-calls' },
      ]),
    );
    expect(result).toEqual({
      text: 'Hello there',
      toolCalls: [toolCall('a'), toolCall('b')],
      usage: { inputTokens: 4, outputTokens: 2 },
      finishReason: 'tool-calls',
    });
  });

  it('answers no usage (never 0 tokens) and stop when the stream reported neither', async () => {
    const result = await collectAnswer(partsOf([{ type: 'text-delta', text: 'x' }]));
    expect(result).toEqual({ text: 'x', toolCalls: [], finishReason: 'stop' });
    expect('usage' in result).toBe(false);
  });

  it('rejects with the stream’s own error', async () => {
    async function* failing(): AsyncGenerator<StreamPart> {
      yield { type: 'text-delta', text: 'partial' };
      throw new Error('cut');
    }
    await expect(collectAnswer(failing())).rejects.toThrow('cut');
  });
});
