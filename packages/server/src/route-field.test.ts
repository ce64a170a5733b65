import { ApiCallError } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { describe, expect, it } from 'vitest';
import { toRouteField } from './route-field.js';

describe('toRouteField (routes from a real router over scripted in-process targets)', () => {
  it('sends every field in a fixed order, attempt errors and timings when known, and leaves out what is not', async () => {
    const router = createRouter({
      targets: {
        first: createScriptedTarget({
          id: 'first',
          locality: 'remote',
          script: [{ failWith: new ApiCallError({ url: 'http://127.0.0.1/v1', status: 503, target: 'first' }) }],
        }),
        second: createScriptedTarget({ id: 'second', locality: 'remote', script: [{ text: 'from the second' }] }),
      },
      policy: { mode: 'remote-only', execution: { retries: 0 } },
    });
    try {
      const { route } = await router.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4 });
      const sent = JSON.parse(JSON.stringify(toRouteField(route))) as Record<string, unknown>;
      expect(Object.keys(sent)).toEqual([
        'target',
        'locality',
        'attempts',
        'fallbacks',
        'hedged',
        'costUsd',
        ...(route.ttftMs === undefined ? [] : ['ttftMs']),
        ...(route.tokensPerSecond === undefined ? [] : ['tokensPerSecond']),
        'plan',
        'excluded',
        'explanation',
        'privacy',
      ]);
      expect(sent).toMatchObject({
        target: 'second',
        locality: 'remote',
        fallbacks: 1,
        hedged: false,
        plan: route.plan.plan.map((entry) => entry.target),
        excluded: route.plan.excluded,
        explanation: route.plan.explanation,
        privacy: route.plan.privacy,
      });
      const [failed, answered] = sent.attempts as Record<string, unknown>[];
      // The failed attempt has an error and no time to first token; the answering one the reverse.
      expect(Object.keys(failed ?? {})).toEqual(['target', 'outcome', 'durationMs', 'error']);
      expect(failed).toMatchObject({ target: 'first', error: { code: 'api-call' } });
      expect(Object.keys(answered ?? {})).toEqual(['target', 'outcome', 'durationMs', 'ttftMs']);
      expect(answered).toMatchObject({ target: 'second', outcome: 'success' });
    } finally {
      await router.dispose();
    }
  });
});
