import { ensureTinyModel } from '@switchyard/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRouterFromConfig, parseConfig } from '../src/index.js';

// The gateway's router is built by createRouterFromConfig; `policy.quality` in a config must reach a difficulty scorer
// (@switchyard/quality, on the device) there, as it does in `switchyard plan`. No target is called: plan() only (the
// device's model file must exist to be eligible; it is never loaded).
let modelPath: string;
beforeAll(async () => {
  modelPath = await ensureTinyModel();
});

function config(policy: Record<string, unknown>) {
  return parseConfig({
    targets: {
      device: { adapter: 'llamacpp', modelPath, capabilities: { contextWindow: 2048 } },
      gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm', capabilities: { contextWindow: 8192 } },
    },
    policy: { mode: 'prefer-local', ...policy },
  });
}

const request = { messages: [{ role: 'user' as const, content: 'Prove that there are infinitely many primes.' }] };

describe('the gateway router and policy.quality', () => {
  it('scores difficulty and demotes the device at threshold 0 when the policy has a quality section', async () => {
    const built = await createRouterFromConfig(config({ quality: { threshold: 0 } }));
    try {
      const plan = built.router.plan(request);
      expect(plan.difficulty).toBeGreaterThanOrEqual(0);
      expect(plan.difficulty).toBeLessThanOrEqual(1);
      expect(plan.plan.map((entry) => entry.target)).toEqual(['gpu', 'device']);
    } finally {
      await built.dispose();
    }
  });

  it('plans without a difficulty when the policy has no quality section', async () => {
    const built = await createRouterFromConfig(config({}));
    try {
      const plan = built.router.plan(request);
      expect(plan.difficulty).toBeUndefined();
      expect(plan.plan.map((entry) => entry.target)).toEqual(['device', 'gpu']);
    } finally {
      await built.dispose();
    }
  });
});
