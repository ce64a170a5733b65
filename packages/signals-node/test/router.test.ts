import type { GenerateRequest, SignalSource } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { NodeSignalSource, SignalReaders } from '../src/index.js';
import { createNodeSignals } from '../src/index.js';

const ask: GenerateRequest = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 };
const sources: NodeSignalSource[] = [];

afterAll(() => {
  for (const source of sources) source.dispose();
});

function makeRouter(signals: SignalSource) {
  const device = createScriptedTarget({ id: 'device', locality: 'local' });
  const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote' });
  return createRouter({ targets: { device, gpu }, signals });
}

describe('createNodeSignals with the core router', () => {
  it('plans from the cache: router.plan() never calls a reader', async () => {
    const state = { level: 0.8 };
    const readers = {
      battery: vi.fn(() => ({ level: state.level, charging: false })),
      cpuTemperature: vi.fn(() => 50),
      memory: vi.fn(() => ({ freeBytes: 8e9, totalBytes: 16e9 })),
      cpuLoad: vi.fn(() => 0.1),
      interfacesUp: vi.fn(() => true),
    } satisfies Partial<SignalReaders>;
    const signals = createNodeSignals({ refreshMs: 3_600_000, readers });
    sources.push(signals);
    await signals.refresh();
    const router = makeRouter(signals);
    const callsBefore = Object.values(readers).map((reader) => reader.mock.calls.length);

    for (let i = 0; i < 200; i++) router.plan(ask);
    expect(Object.values(readers).map((reader) => reader.mock.calls.length)).toEqual(callsBefore);
    expect(router.plan(ask).plan[0]?.target).toBe('device');

    // A new reading reaches plan() through the cache once a sample has run.
    state.level = 0.05;
    await signals.refresh();
    const plan = router.plan(ask);
    expect(plan.plan.map((entry) => entry.target)).toEqual(['gpu']);
    expect(plan.excluded).toContainEqual(expect.objectContaining({ target: 'device', reason: 'battery' }));
  });

  it('routes normally on a machine whose battery and sensors are unknown', async () => {
    const signals = createNodeSignals({ refreshMs: 3_600_000, readers: { battery: () => undefined } });
    sources.push(signals);
    await signals.refresh();
    expect(signals.read().battery).toBeUndefined();
    expect(makeRouter(signals).plan(ask).plan[0]?.target).toBe('device');
  });
});
