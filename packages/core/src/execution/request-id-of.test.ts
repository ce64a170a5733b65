import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// A request's id is built in the router when the decision is observed (a `decision` listener, a span), else by the
// execution when first read (attempt, fallback and hedge events, budget reservations): the same id either way, for
// every event of the request, and one per request.

const down = { failWith: () => Object.assign(new Error('down'), { code: 'ECONNREFUSED' }) };
const ask = { messages: [{ role: 'user' as const, content: 'Hi' }] };

function routerWithEvents(observeDecision: boolean) {
  const router = createRouter({
    targets: {
      device: createScriptedTarget({ script: [down] }),
      gpu: createScriptedTarget({ locality: 'remote', script: [{ text: 'hello' }] }),
    },
    policy: { execution: { retries: 0 } },
    telemetry: false,
  });
  const ids: { event: string; requestId: string }[] = [];
  if (observeDecision) router.on('decision', ({ requestId }) => ids.push({ event: 'decision', requestId }));
  router.on('attempt', ({ requestId, phase }) => ids.push({ event: `attempt ${phase}`, requestId }));
  router.on('fallback', ({ requestId }) => ids.push({ event: 'fallback', requestId }));
  return { router, ids };
}

describe('request ids', () => {
  it.each([
    { observeDecision: true, events: 6 },
    { observeDecision: false, events: 5 },
  ])(
    'are the same in every event of a request and differ between requests (decision observed: $observeDecision)',
    async ({ observeDecision, events }) => {
      const { router, ids } = routerWithEvents(observeDecision);
      await router.generate(ask);
      const first = ids.splice(0);
      await router.generate(ask);
      const second = ids.splice(0);
      expect(first).toHaveLength(events);
      expect(new Set(first.map((entry) => entry.requestId)).size).toBe(1);
      expect(new Set(second.map((entry) => entry.requestId)).size).toBe(1);
      expect(first[0]?.requestId).toMatch(/^req_[0-9a-z]+_[0-9a-z]+$/);
      expect(second[0]?.requestId).not.toBe(first[0]?.requestId);
    },
  );
});
