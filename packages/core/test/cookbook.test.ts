import { readFileSync } from 'node:fs';
import type { GenerateRequest } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../src/index.js';
import { createManualSignals, createRouter, parsePolicy } from '../src/index.js';
import { createScriptedTarget } from '../src/testing/index.js';

// The README's cookbook policies are plain data inside `const policy = …;` blocks; they are read from the README
// itself so the documentation cannot drift from what is tested.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
function cookbook(name: string): PolicyInput {
  const match = new RegExp(`<!-- cookbook:${name} -->\\s*\`\`\`ts\\s*const policy = ([\\s\\S]*?);\\s*\`\`\``).exec(
    readme,
  );
  if (!match?.[1]) throw new Error(`README has no cookbook block "${name}"`);
  return new Function(`return (${match[1]});`)() as PolicyInput;
}

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens: 64,
  ...extra,
});

function setup(policy: PolicyInput, price = { inputPer1M: 0.5, outputPer1M: 1.5 }) {
  const device = createScriptedTarget({ id: 'device', locality: 'local', script: [{ text: 'local' }] });
  const gpu = createScriptedTarget({
    id: 'gpu',
    locality: 'remote',
    capabilities: { price },
    script: [{ text: 'remote' }],
  });
  const signals = createManualSignals({ battery: { level: 0.9, charging: false }, network: { online: true } });
  return { device, gpu, signals, router: createRouter({ targets: { device, gpu }, signals, policy }) };
}
const order = (plan: { plan: { target: string }[] }) => plan.plan.map((entry) => entry.target);

describe('README policy cookbook', () => {
  it('every cookbook policy parses', () => {
    for (const name of ['privacy-first', 'battery-aware', 'cost-capped', 'latency-slo']) {
      expect(() => parsePolicy(cookbook(name))).not.toThrow();
    }
  });

  it('privacy-first keeps personal data and drafts on the device, even when the device fails', async () => {
    const { router, device, gpu } = setup(cookbook('privacy-first'));
    expect(order(router.plan(ask('Reply to jane@example.com')))).toEqual(['device']);
    expect(order(router.plan(ask('Hi', { routing: { tags: ['draft'] } })))).toEqual(['device']);
    expect(order(router.plan(ask('What is a switchyard?')))).toEqual(['device', 'gpu']);
    device.setScript([{ failWith: Object.assign(new Error('crash'), { code: 'ECONNRESET' }) }]);
    await expect(router.generate(ask('Reply to jane@example.com'))).rejects.toMatchObject({
      code: 'all-targets-failed',
    });
    expect(gpu.calls).toHaveLength(0);
  });

  it('battery-aware moves work to the GPU on a low battery or a hot device and back when charging', () => {
    const { router, signals } = setup(cookbook('battery-aware'));
    expect(order(router.plan(ask('Hi')))).toEqual(['device', 'gpu']);
    signals.set({ battery: { level: 0.4 } });
    expect(order(router.plan(ask('Hi')))).toEqual(['gpu', 'device']);
    signals.set({ battery: { level: 0.2 } });
    expect(router.plan(ask('Hi')).excluded).toMatchObject([{ target: 'device', reason: 'battery' }]);
    signals.set({ battery: { charging: true } });
    expect(order(router.plan(ask('Hi')))).toEqual(['device', 'gpu']);
    expect(router.plan(ask('Hi'), { signals: { device: { thermal: 'serious' } } }).excluded).toMatchObject([
      { target: 'device', reason: 'thermal' },
    ]);
  });

  it('cost-capped stops using the GPU when a request would cost too much or the day is spent', async () => {
    let now = Date.UTC(2026, 0, 1, 9);
    const device = createScriptedTarget({ id: 'device', script: [{ text: 'local' }] });
    const gpu = createScriptedTarget({
      id: 'gpu',
      locality: 'remote',
      capabilities: { price: { inputPer1M: 1_000, outputPer1M: 1_000 } },
      script: [{ text: 'remote', usage: { inputTokens: 2_000, outputTokens: 1_000 } }],
    });
    const router = createRouter({ targets: { device, gpu }, policy: cookbook('cost-capped'), clock: () => now });
    expect(router.plan(ask('Hi', { maxTokens: 50 })).excluded).toMatchObject([{ target: 'gpu', reason: 'budget' }]);
    const cheap = ask('Hi', { maxTokens: 2 });
    for (let call = 0; call < 2; call += 1) expect((await router.generate(cheap)).route.target).toBe('gpu'); // $3 each
    expect((await router.generate(cheap)).route.target).toBe('device'); // $6 of $5 spent
    now = Date.UTC(2026, 0, 2, 9);
    expect(order(router.plan(cheap))).toEqual(['gpu', 'device']);
    const long = ask('x'.repeat(10_000), { maxTokens: 1 });
    expect(router.plan(long, { signals: { device: { network: { metered: true } } } }).excluded).toMatchObject([
      { target: 'gpu', reason: expect.stringMatching(/budget|rule/) },
    ]);
  });

  it('latency-slo prefers the target expected to meet the deadline and hedges slow starts', async () => {
    const { router, device, gpu } = setup(cookbook('latency-slo'), { inputPer1M: 0.01, outputPer1M: 0.01 });
    const relaxed = router.plan(ask('Hi'));
    expect(relaxed.plan.every((entry) => typeof entry.score === 'number')).toBe(true);
    const tight = router.plan(ask('Hi', { maxTokens: 64, routing: { deadlineMs: 3_000 } }));
    expect(order(tight)).toEqual(['gpu', 'device']); // 64 tokens at the 20 tok/s local prior miss 3 s
    gpu.setScript([{ firstTokenDelayMs: 60_000 }]);
    router.setPolicy({ ...cookbook('latency-slo'), execution: { hedgeAfterMs: 5, retries: 0 } });
    const result = await router.generate(ask('Hi', { maxTokens: 64, routing: { deadlineMs: 3_000 } }));
    expect(result.route).toMatchObject({ target: 'device', hedged: true });
    expect(device.calls).toHaveLength(1);
  });
});
