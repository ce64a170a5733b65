/**
 * Budgets bind when the upstream does not report usage. The bench's loopback OpenAI-compatible upstream (a real HTTP
 * server in its own process) answers model `no-usage` without any `usage`, and `partial-usage` with `prompt_tokens`
 * only, in JSON and in SSE. Before, adapter-openai read a missing count as 0: a partial usage billed no output, so with
 * free input a budget never bound, and an estimated answer looked reported. Now the router charges its estimate (input
 * from the prompt, output from the text), the store's budget sees it, and the answer says the usage was estimated.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { BudgetExceededError, NoEligibleTargetError, type SwitchyardError } from '@switchyard/contract';
import { createMemoryStateStore, createRouter, type Router, type RouterStreamPart } from '@switchyard/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const upstreamScript = join(dirname(fileURLToPath(import.meta.url)), '../../bench/src/upstream.mjs');
// The upstream's answer, "Hello from the bench.": 21 characters, about 6 tokens at the router's 4 characters a token.
const answerText = 'Hello from the bench.';
const estimatedOutputTokens = Math.ceil(answerText.length / 4);
// Input is free and one output token costs $1, so an answer's estimate is $6 and a request's hold (maxTokens 8) $8.
const price = { inputPer1M: 0, outputPer1M: 1_000_000 };
const budgetUsd = 20;
const periodKey = () => `budget:day:${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
const ask = { messages: [{ role: 'user' as const, content: 'How are the signals?' }], maxTokens: 8 };

describe('a budget binds on an upstream that never reports usage (bench loopback upstream, adapter-openai, router)', () => {
  let upstream: ChildProcess;
  let url: string;
  let router: Router | undefined;

  beforeAll(async () => {
    upstream = fork(upstreamScript, [], { stdio: 'ignore' });
    url = await new Promise<string>((resolve) =>
      upstream.once('message', (message) => resolve((message as { url: string }).url)),
    );
  });
  afterEach(async () => {
    await router?.dispose();
    router = undefined;
  });
  afterAll(() => {
    upstream?.kill();
  });

  function build(model: string) {
    const store = createMemoryStateStore();
    const gpu = createOpenAITarget({ baseURL: `${url}/v1`, model, id: 'gpu', price });
    router = createRouter({
      targets: { gpu },
      store,
      policy: { budget: { maxCostUsd: { amount: budgetUsd, period: 'day' } }, execution: { retries: 0 } },
    });
    return { router, store };
  }

  interface Spent {
    usage: unknown;
    costUsd: number;
    estimated: boolean;
    attempt: unknown;
    text?: string;
    routeUsage?: unknown;
    usageParts?: number;
  }

  /** Sends requests one at a time until the budget refuses one; returns what each answered and the refusal. */
  async function spend(send: () => Promise<Spent>) {
    const answers: Spent[] = [];
    for (let index = 0; index < 10; index++) {
      try {
        answers.push(await send());
      } catch (error) {
        return { answers, refusal: error as SwitchyardError };
      }
    }
    return { answers, refusal: undefined };
  }

  it.each(['no-usage', 'partial-usage'])(
    'generate() on %s: charges the estimate, marks the answer estimated, and refuses once the budget is spent',
    async (model) => {
      const { router, store } = build(model);
      const { answers, refusal } = await spend(async () => {
        const answer = await router.generate(ask);
        return {
          text: answer.text,
          routeUsage: answer.route.usage,
          usage: answer.usage,
          costUsd: answer.route.costUsd,
          estimated: answer.usageEstimated === true && answer.route.usageEstimated === true,
          attempt: answer.route.attempts[0],
        };
      });
      // $6 each with $8 held per request: three fit ($6 + $8, $12 + $8, then $18 spent), the fourth's hold would not.
      expect(answers.length).toBe(3);
      for (const answer of answers) {
        expect(answer.text).toBe(answerText);
        expect(answer.estimated).toBe(true);
        expect(answer.routeUsage).toEqual(answer.usage);
        expect(answer.attempt).toMatchObject({ target: 'gpu', outcome: 'success', usageEstimated: true });
        expect(answer.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: estimatedOutputTokens });
        expect((answer.usage as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
        expect(answer.costUsd).toBe(estimatedOutputTokens);
      }
      expect(BudgetExceededError.isInstance(refusal) || NoEligibleTargetError.isInstance(refusal)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 10)); // settles are written after the answer
      const state = await store.readBudget(periodKey());
      expect(state).toMatchObject({ spentUsd: 3 * estimatedOutputTokens, reservedUsd: 0 });
    },
  );

  it.each(['no-usage', 'partial-usage'])(
    'stream() on %s: the same estimate, in the summary route, and the budget binds',
    async (model) => {
      const { router, store } = build(model);
      const { answers, refusal } = await spend(async () => {
        const parts: RouterStreamPart[] = [];
        for await (const part of router.stream(ask)) parts.push(part);
        const summary = parts.at(-1);
        if (summary?.type !== 'route' || summary.phase !== 'summary') throw new Error('no summary route part');
        return {
          usage: summary.route.usage,
          costUsd: summary.route.costUsd,
          estimated: summary.route.usageEstimated === true,
          attempt: summary.route.attempts[0],
          usageParts: parts.filter((part) => part.type === 'usage').length,
        };
      });
      expect(answers.length).toBe(3);
      for (const answer of answers) {
        expect(answer).toMatchObject({ estimated: true, costUsd: estimatedOutputTokens, usageParts: 0 });
        expect(answer.attempt).toMatchObject({ outcome: 'success', usageEstimated: true });
        expect(answer.usage).toMatchObject({ outputTokens: estimatedOutputTokens });
      }
      expect(BudgetExceededError.isInstance(refusal) || NoEligibleTargetError.isInstance(refusal)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await store.readBudget(periodKey())).toMatchObject({
        spentUsd: 3 * estimatedOutputTokens,
        reservedUsd: 0,
      });
    },
  );
});
