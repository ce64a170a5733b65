import { describe, expect, it } from 'vitest';
import { deviceSignalsProblems } from './device-signals-problems.js';

describe('deviceSignalsProblems', () => {
  it('passes every reading the router understands, and undefined ones ("no news")', () => {
    expect(
      deviceSignalsProblems({
        battery: { level: 0, charging: true },
        thermal: 'critical',
        memory: { freeBytes: 0, totalBytes: 8 * 2 ** 30 },
        cpu: { load: 1 },
        network: { online: false, metered: undefined },
      }),
    ).toEqual([]);
    expect(deviceSignalsProblems({ battery: undefined, thermal: undefined })).toEqual([]);
    expect(deviceSignalsProblems({})).toEqual([]);
  });

  it('names a flat or misspelt group with the groups it could be', () => {
    expect(deviceSignalsProblems({ batteryLevel: 7, baterry: { level: 0.5 } }, 'overrides')).toEqual([
      {
        path: 'overrides.batteryLevel',
        message:
          'unknown signal; expected one of battery, memory, cpu, network, thermal, e.g. { battery: { level: 0.8 } }',
      },
      {
        path: 'overrides.baterry',
        message:
          'unknown signal; expected one of battery, memory, cpu, network, thermal, e.g. { battery: { level: 0.8 } }',
      },
    ]);
    expect(deviceSignalsProblems({ battery: { levle: 0.5 } })).toEqual([
      { path: 'battery.levle', message: 'unknown signal; expected one of level, charging' },
    ]);
  });

  it('refuses readings out of range or of the wrong type, showing numbers only', () => {
    expect(
      deviceSignalsProblems({
        battery: { level: 7, charging: 'yes' },
        thermal: 'hot',
        memory: { freeBytes: -1, totalBytes: 'sk-secret' },
        cpu: { load: Number.NaN },
        network: true,
      }),
    ).toEqual([
      { path: 'battery.level', message: 'expected a fraction from 0 to 1, e.g. 0.8, got 7' },
      { path: 'battery.charging', message: 'expected true or false' },
      { path: 'thermal', message: 'expected one of nominal, fair, serious, critical' },
      { path: 'memory.freeBytes', message: 'expected a number of bytes, 0 or more, e.g. 4294967296, got -1' },
      { path: 'memory.totalBytes', message: 'expected a number of bytes, 0 or more, e.g. 4294967296' },
      { path: 'cpu.load', message: 'expected a fraction from 0 to 1, e.g. 0.8, got NaN' },
      { path: 'network', message: 'expected an object of online, metered' },
    ]);
    expect(deviceSignalsProblems({ battery: { level: 'low' } })[0]?.message).toBe(
      'expected a fraction from 0 to 1, e.g. 0.8',
    );
    expect(JSON.stringify(deviceSignalsProblems({ thermal: 'sk-secret' }))).not.toContain('sk-secret');
  });

  it('refuses what is not an object at all', () => {
    expect(deviceSignalsProblems('low', 'overrides')).toEqual([
      { path: 'overrides', message: 'expected device signals, e.g. { battery: { level: 0.8 } }' },
    ]);
    expect(deviceSignalsProblems(null)[0]?.path).toBe('signals');
  });
});
