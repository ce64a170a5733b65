import { InvalidRequestError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from './create-router.js';
import { createScriptedTarget } from './testing/create-scripted-target.js';

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user' as const, content }],
  maxTokens: 32,
  ...extra,
});

describe('createRouter', () => {
  it('runs on the local target first in the default prefer-local mode and reports the route', async () => {
    const device = createScriptedTarget({ locality: 'local', script: [{ text: 'local answer' }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'remote answer' }] });
    const router = createRouter({ targets: { gpu, device } });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('local answer');
    expect(result.route.target).toBe('device');
    expect(result.route.plan.plan.map((entry) => entry.target)).toEqual(['device', 'gpu']);
    expect(result.route.attempts).toHaveLength(1);
    expect(result.finishReason).toBe('stop');
  });

  it('hands the target the caller’s messages without copying an ordinary request, and a cleaned copy otherwise', async () => {
    // A regression guard on copies, not time: zod/mini's deep copy of every request was most of validation's cost.
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'ok' }] });
    const router = createRouter({ targets: { gpu } });
    const ordinary = ask('Hi', { routing: { tags: ['chat'] } });
    await router.generate(ordinary);
    expect(gpu.calls[0]?.messages).toBe(ordinary.messages);
    expect(gpu.calls[0]).not.toHaveProperty('routing');
    const withUnknownKey = { messages: [{ role: 'user' as const, content: 'Hi', name: 'ann' }] };
    await router.generate(withUnknownKey);
    expect(gpu.calls[1]?.messages).not.toBe(withUnknownKey.messages);
    expect(gpu.calls[1]?.messages).toStrictEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('checks what plan() is given as generate() does: a typed error naming the field, not a TypeError', () => {
    const gpu = createScriptedTarget({ locality: 'remote' });
    const router = createRouter({ targets: { gpu } });
    const problemsOf = (request: unknown) => {
      try {
        router.plan(request as never);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidRequestError);
        return (error as InvalidRequestError).problems.map((problem) => problem.path);
      }
      return [];
    };
    expect(problemsOf({})).toEqual(['messages']);
    expect(problemsOf(undefined).length).toBeGreaterThan(0);
    expect(problemsOf({ messages: [{ role: 'admin', content: 'Hi' }] })).toEqual(['messages[0].role']);
    expect(problemsOf({ messages: [{ role: 'user', content: 5 }] })).toEqual(['messages[0].content']);
    expect(router.plan(ask('Hi')).plan.map((entry) => entry.target)).toEqual(['gpu']);
  });
});
