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
});
