import type { GenerateRequest } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import type { PolicyInput } from '../policy/policy.js';
import { createMemoryStateStore } from '../state/create-memory-state-store.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';
import { RemoteShareWindow } from './remote-share-window.js';

const ask = (content: string): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 8 });
const hard = () => ask('prove the four colour theorem');
const easy = () => ask('say hi');

function makeRouter(quality: PolicyInput['quality'], extra: PolicyInput = {}) {
  const device = createScriptedTarget({ id: 'device', locality: 'local' });
  const gpu = createScriptedTarget({
    id: 'gpu',
    locality: 'remote',
    capabilities: { price: { inputPer1M: 1, outputPer1M: 1 } },
  });
  const router = createRouter({
    targets: { device, gpu },
    policy: { ...extra, quality: { threshold: 0.5, ...quality } },
    difficulty: (prompt) => (prompt.includes('prove') ? 0.9 : 0.1),
  });
  return { router, device, gpu };
}

async function answeredBy(router: ReturnType<typeof makeRouter>['router'], request: GenerateRequest) {
  return (await router.generate(request)).route.target;
}

describe('quality.maxRemoteShare', () => {
  it('keeps the remote share of hard requests at the cap: difficulty stops promoting remote once the share reaches it', async () => {
    const { router } = makeRouter({ maxRemoteShare: 0.5 });
    const targets: (string | undefined)[] = [];
    for (let index = 0; index < 20; index += 1) targets.push(await answeredBy(router, hard()));
    // Empty window → remote; 1/1 → local; 1/2 → local (at the cap); 1/3 → remote; and so on.
    expect(targets.slice(0, 6)).toEqual(['gpu', 'device', 'device', 'gpu', 'device', 'gpu']);
    expect(targets.filter((target) => target === 'gpu')).toHaveLength(10);
    const plan = router.plan(hard());
    expect(plan.plan[0]?.target).toBe('device');
    expect(plan.explanation).toContain(
      'difficulty 0.90 (threshold 0.5): remote share 50% of the last 20 requests is at or above maxRemoteShare 50%, so difficulty does not promote remote targets',
    );
  });

  it('sends every hard request remote without a cap, and none on difficulty with a cap of 0', async () => {
    const uncapped = makeRouter({});
    for (let index = 0; index < 5; index += 1) expect(await answeredBy(uncapped.router, hard())).toBe('gpu');
    const never = makeRouter({ maxRemoteShare: 0 });
    for (let index = 0; index < 5; index += 1) expect(await answeredBy(never.router, hard())).toBe('device');
  });

  it('counts only requests that run, where local and remote were both eligible; plan() previews do not count', async () => {
    const { router } = makeRouter({ maxRemoteShare: 0.5 });
    for (let index = 0; index < 50; index += 1) router.plan(hard());
    expect(router.plan(hard()).plan[0]?.target).toBe('gpu');
    // A request only the GPU may serve says nothing about the split, so the window stays empty.
    await router.generate(hard(), { targets: ['gpu'] });
    expect(router.plan(hard()).plan[0]?.target).toBe('gpu');
    await router.generate(hard());
    expect(router.plan(hard()).plan[0]?.target).toBe('device');
  });

  it('forgets old decisions: easy local requests push remote ones out of a small window', async () => {
    const { router } = makeRouter({ maxRemoteShare: 0.5, remoteShareWindow: 4 });
    for (let index = 0; index < 4; index += 1) await router.generate(hard());
    expect(router.plan(hard()).plan[0]?.target).toBe('device');
    for (let index = 0; index < 4; index += 1) expect(await answeredBy(router, easy())).toBe('device');
    expect(router.plan(hard()).plan[0]?.target).toBe('gpu');
  });

  it('in auto mode, drops the quality term from scores at the cap', async () => {
    // Cost favours the device, quality the GPU (latency is left out: live measurements would move it).
    const { router } = makeRouter(
      { maxRemoteShare: 0.5 },
      { mode: 'auto', weights: { latency: 0, cost: 1, quality: 3 } },
    );
    const before = router.plan(hard());
    await router.generate(hard());
    const after = router.plan(hard());
    expect(before.plan[0]?.target).toBe('gpu');
    expect(after.plan[0]?.target).toBe('device');
    expect(after.plan.find((entry) => entry.target === 'gpu')?.score).not.toBe(
      before.plan.find((entry) => entry.target === 'gpu')?.score,
    );
  });
});

describe('RemoteShareWindow', () => {
  it('keeps a running share over the last entries and survives a resize', () => {
    const window = new RemoteShareWindow(3);
    expect(window.share).toBe(0);
    for (const remote of [true, true, false, false]) window.record(remote);
    expect(window.size).toBe(3);
    expect(window.share).toBeCloseTo(1 / 3);
    window.resize(2);
    expect(window.share).toBe(0);
    window.record(true);
    expect(window.share).toBe(0.5);
    window.resize(5);
    window.record(true);
    expect(window.size).toBe(3);
    expect(window.share).toBeCloseTo(2 / 3);
  });

  it('shares the window between routers on one store: one router’s remote requests count for the other', async () => {
    const store = createMemoryStateStore();
    const make = () =>
      createRouter({
        targets: {
          device: createScriptedTarget({ id: 'device', locality: 'local' }),
          gpu: createScriptedTarget({
            id: 'gpu',
            locality: 'remote',
            capabilities: { price: { inputPer1M: 1, outputPer1M: 1 } },
          }),
        },
        policy: { quality: { threshold: 0.5, maxRemoteShare: 0.5 } },
        difficulty: (prompt) => (prompt.includes('prove') ? 0.9 : 0.1),
        store,
      });
    const [a, b] = [make(), make()];
    expect(await answeredBy(a, hard())).toBe('gpu'); // shared window: 1 remote of 1
    // b runs one easy request locally; its own window alone would be 0 remote of 1, the shared one is 1 of 2.
    expect(await answeredBy(b, easy())).toBe('device');
    await new Promise((resolve) => setTimeout(resolve, 1));
    // At the cap: difficulty does not promote the GPU on b either.
    expect(b.plan(hard()).plan[0]?.target).toBe('device');
    expect(await store.recordRemoteShare({ key: 'remote-share', remote: false, capacity: 200 })).toEqual({
      share: 1 / 3,
      size: 3,
    });
  });
});
