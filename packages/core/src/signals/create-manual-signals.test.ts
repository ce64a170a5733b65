import type { GenerateRequest } from '@switchyard/contract';
import { invalidConfigProblems } from '@switchyard/contract/testing';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';
import { createManualSignals } from './create-manual-signals.js';

const groups = 'battery, memory, cpu, network, thermal, e.g. { battery: { level: 0.8 } }';
const ask: GenerateRequest = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 };

function routerWith(signals: ReturnType<typeof createManualSignals>) {
  const device = createScriptedTarget({ id: 'device', locality: 'local' });
  const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote' });
  const router = createRouter({ targets: { device, gpu }, signals });
  return () => router.plan(ask).excluded.find((entry) => entry.target === 'device')?.reason;
}

describe('createManualSignals checks its readings', () => {
  it('names a flat or misspelt reading with the groups it could be', () => {
    expect(invalidConfigProblems(() => createManualSignals({ batteryLevel: 7 } as never))).toEqual([
      { path: 'batteryLevel', message: `unknown signal; expected one of ${groups}` },
    ]);
    expect(invalidConfigProblems(() => createManualSignals({ baterry: 0.5 } as never))).toEqual([
      { path: 'baterry', message: `unknown signal; expected one of ${groups}` },
    ]);
  });

  it('refuses a battery level outside 0..1 or of the wrong type, and a thermal state it does not know', () => {
    expect(invalidConfigProblems(() => createManualSignals({ battery: { level: 7 } }))).toEqual([
      { path: 'battery.level', message: 'expected a fraction from 0 to 1, e.g. 0.8, got 7' },
    ]);
    expect(invalidConfigProblems(() => createManualSignals({ thermal: 'hot' as never }))).toEqual([
      { path: 'thermal', message: 'expected one of nominal, fair, serious, critical' },
    ]);
  });

  it("refuses a set() the planner would misread ('low' counted as not low) and keeps the readings it had", () => {
    const signals = createManualSignals({ battery: { level: 0.1, charging: false } });
    const deviceExclusion = routerWith(signals);
    expect(deviceExclusion()).toBe('battery');
    let notified = 0;
    signals.subscribe?.(() => {
      notified += 1;
    });
    expect(invalidConfigProblems(() => signals.set({ battery: { level: 'low' as never } }))).toEqual([
      { path: 'battery.level', message: 'expected a fraction from 0 to 1, e.g. 0.8' },
    ]);
    expect(invalidConfigProblems(() => signals.set({ battery: { level: 7 } }))[0]?.path).toBe('battery.level');
    expect(signals.read()).toEqual({ battery: { level: 0.1, charging: false } });
    expect(notified).toBe(0);
    expect(deviceExclusion()).toBe('battery');
  });

  it('still takes good readings and patches, undefined meaning "no news"', () => {
    const signals = createManualSignals();
    const deviceExclusion = routerWith(signals);
    expect(deviceExclusion()).toBeUndefined();
    signals.set({ battery: { level: 0.1, charging: undefined }, thermal: 'fair', network: { online: true } });
    expect(deviceExclusion()).toBe('battery');
    signals.set({ battery: { charging: true } });
    expect(signals.read()).toEqual({
      battery: { level: 0.1, charging: true },
      thermal: 'fair',
      network: { online: true },
    });
    expect(deviceExclusion()).toBeUndefined();
  });
});
