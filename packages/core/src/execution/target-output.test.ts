import type { GenerateRequest, GenerateResult, StreamPart, Target } from '@switchyard/contract';
import { AllTargetsFailedError, BudgetExceededError, InvalidResponseError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import { checkPart, checkWholeAnswer, isChargeableUsage } from './target-output.js';

// Targets written by hand, as a JavaScript adapter (or one wrapping another SDK) might answer: the contract's types
// do not hold them, so the router checks what they hand it.

const ask: GenerateRequest = { messages: [{ role: 'user', content: 'hello' }], maxTokens: 4 };
/** $1 per token each way: a $20/day budget affords a few answers. */
const price = { inputPer1M: 1_000_000, outputPer1M: 1_000_000 };

function handWrittenTarget(answer: () => unknown, parts: () => unknown[] = () => []): Target {
  return {
    specificationVersion: 'v1',
    id: 'hand-written',
    locality: 'remote',
    capabilities: { contextWindow: 8192, maxOutputTokens: 1024, tools: true, jsonSchema: true, images: false, price },
    status: () => ({ state: 'ready' }),
    // whole answers are asked for only when the target says it gives them (see the second describe)
    generate: async () => answer() as GenerateResult,
    async *stream() {
      yield* parts() as StreamPart[];
    },
  };
}
const wholeAnswers = (target: Target): Target => ({
  ...target,
  capabilities: { ...target.capabilities, wholeAnswers: true },
});
const budgeted = (targets: Record<string, Target>) =>
  createRouter({
    targets,
    policy: { mode: 'remote-only', execution: { retries: 0 }, budget: { maxCostUsd: { amount: 20, period: 'day' } } },
  });

async function streamed(stream: AsyncIterable<RouterStreamPart>): Promise<string[]> {
  const seen: string[] = [];
  for await (const part of stream) seen.push(part.type === 'text-delta' ? `text:${part.text}` : part.type);
  return seen;
}

describe('usage a target reports that the router cannot charge is charged as estimated, so budgets bind', () => {
  const badCounts = {
    NaN: { inputTokens: Number.NaN, outputTokens: 3 },
    negative: { inputTokens: -100, outputTokens: -100 },
    strings: { inputTokens: '5', outputTokens: '3' },
    fractional: { inputTokens: 1.5, outputTokens: 2 },
    Infinity: { inputTokens: 1, outputTokens: Number.POSITIVE_INFINITY },
    null: null,
  };
  for (const [name, usage] of Object.entries(badCounts)) {
    it(`${name} counts, in a whole answer and in a stream's usage part`, async () => {
      const whole = wholeAnswers(
        handWrittenTarget(() => ({ text: 'hi', toolCalls: [], finishReason: 'stop', usage: usage as never })),
      );
      const router = budgeted({ gpu: whole });
      // The estimate of this request is $7 (6 prompt tokens, 1 answer token): two answers fit $20, the third not.
      for (let answered = 0; answered < 2; answered++) {
        const answer = await router.generate(ask);
        expect(answer.usageEstimated).toBe(true);
        expect(Number.isFinite(answer.route.costUsd) && answer.route.costUsd > 0).toBe(true);
      }
      await expect(router.generate(ask)).rejects.toSatisfy(BudgetExceededError.isInstance);

      const streaming = handWrittenTarget(
        () => undefined,
        () => [
          { type: 'text-delta', text: 'hi' },
          { type: 'usage', usage },
          { type: 'finish', finishReason: 'stop' },
        ],
      );
      const streamRouter = budgeted({ gpu: streaming });
      for (let answered = 0; answered < 2; answered++) {
        // The uncharged usage part is not passed on (the route summary carries the estimate).
        expect(await streamed(streamRouter.stream(ask))).toEqual(['route', 'text:hi', 'finish', 'route']);
      }
      await expect(streamed(streamRouter.stream(ask))).rejects.toSatisfy(BudgetExceededError.isInstance);
    });
  }

  it('charges whole, non-negative counts as reported', () => {
    expect(isChargeableUsage({ inputTokens: 0, outputTokens: 7 })).toBe(true);
    expect(isChargeableUsage({ inputTokens: 12, outputTokens: 0 })).toBe(true);
    expect(isChargeableUsage(undefined)).toBe(false);
  });
});

describe('output that breaks the adapter contract is an InvalidResponseError naming the field, and fails over', () => {
  const wholeCases: Record<string, [unknown, RegExp]> = {
    'null answer': [null, /the answer is null, expected an object/],
    'text not a string': [
      { text: 42, toolCalls: [], finishReason: 'stop' },
      /the answer’s text is number, expected a string/,
    ],
    'toolCalls missing': [
      { text: 'hi', finishReason: 'stop' },
      /the answer’s toolCalls is undefined, expected an array \(\[\] for none\)/,
    ],
    'a tool call without arguments': [
      { text: '', toolCalls: [{ id: 'c1', name: 'lookup' }], finishReason: 'tool-calls' },
      /a tool call in the answer is object, expected \{ id, name, arguments \}/,
    ],
    'unknown finishReason': [
      { text: 'hi', toolCalls: [], finishReason: 'done' },
      /the answer’s finishReason is string, expected one of stop, length/,
    ],
  };
  for (const [name, [answer, message]] of Object.entries(wholeCases)) {
    it(`a whole answer with ${name}`, async () => {
      const broken = wholeAnswers(handWrittenTarget(() => answer));
      const fallback = wholeAnswers(
        handWrittenTarget(() => ({ text: 'from the fallback', toolCalls: [], finishReason: 'stop' })),
      );
      const router = budgeted({ broken, fallback });
      const answered = await router.generate(ask);
      expect(answered.text).toBe('from the fallback');
      expect(answered.route.attempts[0]).toMatchObject({ target: 'broken', outcome: 'error' });
      const alone = budgeted({ broken: wholeAnswers(handWrittenTarget(() => answer)) });
      const error = await alone.generate(ask).catch((caught: unknown) => caught);
      expect(AllTargetsFailedError.isInstance(error)).toBe(true);
      const cause = (error as AllTargetsFailedError).attempts[0]?.error;
      expect(InvalidResponseError.isInstance(cause)).toBe(true);
      expect((cause as Error).message).toMatch(message);
      expect((cause as Error).message).toContain('Target "broken" broke the adapter contract');
    });
  }

  const partCases: Record<string, [unknown[], RegExp]> = {
    'a null part': [[null], /a stream part is null, expected an object/],
    'a text-delta without text': [
      [{ type: 'text-delta' }, { type: 'finish', finishReason: 'stop' }],
      /a text-delta’s text is undefined, expected a string/,
    ],
    'a tool-call without a name': [
      [
        { type: 'tool-call', toolCall: { id: 'c1', arguments: '{}' } },
        { type: 'finish', finishReason: 'tool-calls' },
      ],
      /a tool-call’s toolCall is object, expected \{ id, name, arguments \}/,
    ],
    'a finish with an unknown reason': [
      [{ type: 'finish', finishReason: 'eos' }],
      /a finish’s finishReason is string, expected one of stop/,
    ],
  };
  for (const [name, [parts, message]] of Object.entries(partCases)) {
    it(`a stream with ${name}`, async () => {
      const router = budgeted({
        broken: handWrittenTarget(
          () => undefined,
          () => parts,
        ),
      });
      const error = await streamed(router.stream(ask)).catch((caught: unknown) => caught);
      expect(AllTargetsFailedError.isInstance(error)).toBe(true);
      const cause = (error as AllTargetsFailedError).attempts[0]?.error;
      expect(InvalidResponseError.isInstance(cause)).toBe(true);
      expect((cause as Error).message).toMatch(message);
    });
  }

  it('passes part types it does not know, as the contract tells consumers to ignore them', async () => {
    const parts = [
      { type: 'reasoning', text: 'thinking' },
      { type: 'text-delta', text: 'a' },
      { type: 'finish', finishReason: 'stop' },
    ];
    const router = budgeted({
      gpu: handWrittenTarget(
        () => undefined,
        () => parts,
      ),
    });
    expect(await streamed(router.stream(ask))).toEqual(['route', 'reasoning', 'text:a', 'finish', 'route']);
    expect(() => checkPart({ type: 'text-delta', text: '' }, 'gpu')).not.toThrow();
    expect(() => checkWholeAnswer({ text: '', toolCalls: [], finishReason: 'length' }, 'gpu')).not.toThrow();
  });
});
