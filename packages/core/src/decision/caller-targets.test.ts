import type { GenerateRequest } from '@switchyard/contract';
import { ApiCallError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens: 16,
  ...extra,
});

function makeRouter() {
  const device = createScriptedTarget({ id: 'device', locality: 'local', script: [{ text: 'from the device' }] });
  const laptop = createScriptedTarget({ id: 'laptop', locality: 'local', script: [{ text: 'from the laptop' }] });
  const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote', script: [{ text: 'from the gpu' }] });
  const router = createRouter({ targets: { device, laptop, gpu }, policy: { execution: { retries: 0 } } });
  return { device, laptop, gpu, router };
}

describe("the caller's target list (options.targets)", () => {
  it('plans only the listed targets and excludes the others with reason rule, without touching the policy', () => {
    const { router } = makeRouter();
    const policy = router.policy;
    const plan = router.plan(ask('Hi'), { targets: ['gpu', 'laptop'] });
    expect(plan.plan.map((entry) => entry.target)).toEqual(['laptop', 'gpu']);
    expect(plan.excluded).toEqual([{ target: 'device', reason: 'rule', detail: "not in the caller's target list" }]);
    expect(plan.explanation).toContain("caller's target list: gpu, laptop");
    expect(router.policy).toBe(policy);
    expect(router.plan(ask('Hi')).plan).toHaveLength(3);
  });

  it('still applies every eligibility check to the listed targets: a private request never reaches a listed remote', async () => {
    const { router, gpu } = makeRouter();
    const plan = router.plan(ask('My card is 4111 1111 1111 1111'), { targets: ['gpu'] });
    expect(plan.plan).toEqual([]);
    expect(plan.excluded).toContainEqual(expect.objectContaining({ target: 'gpu', reason: 'privacy' }));
    await expect(
      router.generate(ask('Hi', { routing: { privacy: 'private' } }), { targets: ['gpu'] }),
    ).rejects.toMatchObject({ code: 'no-eligible-target' });
    expect(gpu.calls).toHaveLength(0);
  });

  it('runs generate() and stream() on the listed target and never falls back to one outside the list', async () => {
    const { router, device, gpu } = makeRouter();
    const result = await router.generate(ask('Hi'), { targets: ['gpu'] });
    expect(result.text).toBe('from the gpu');
    expect(result.route.target).toBe('gpu');

    let streamed = '';
    for await (const part of router.stream(ask('Hi'), { targets: ['gpu'] })) {
      if (part.type === 'text-delta') streamed += part.text;
    }
    expect(streamed).toBe('from the gpu');

    gpu.setScript([{ failWith: new ApiCallError({ url: 'http://127.0.0.1/v1', status: 400 }) }]);
    await expect(router.generate(ask('Hi'), { targets: ['gpu'] })).rejects.toMatchObject({
      code: 'all-targets-failed',
    });
    expect(device.calls).toHaveLength(0);
  });

  it('rejects unknown names and an empty list with InvalidRequestError naming the option', () => {
    const { router } = makeRouter();
    expect(() => router.plan(ask('Hi'), { targets: ['gpu', 'tpu'] })).toThrow(
      /options\.targets\[1\]: unknown target "tpu"; expected one of "device", "laptop", "gpu"/,
    );
    expect(() => router.plan(ask('Hi'), { targets: [] })).toThrow(/options\.targets: expected at least one target/);
  });
});
