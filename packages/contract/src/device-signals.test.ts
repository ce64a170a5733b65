import { describe, expect, it } from 'vitest';
import { type DeviceSignals, mergeSignals } from './device-signals.js';

describe('mergeSignals', () => {
  it('merges one level deep, so a patch of one battery field keeps the other', () => {
    const base: DeviceSignals = { battery: { level: 0.8, charging: false }, thermal: 'fair' };
    expect(mergeSignals(base, { battery: { charging: true } })).toEqual({
      battery: { level: 0.8, charging: true },
      thermal: 'fair',
    });
  });

  it('treats an undefined field in the patch as no news, at both levels', () => {
    const base: DeviceSignals = { battery: { level: 0.5 }, thermal: 'serious', network: { online: false } };
    const merged = mergeSignals(base, { thermal: undefined, battery: { level: undefined }, network: undefined });
    expect(merged).toEqual(base);
  });

  it('adds groups the base lacks and modifies neither input', () => {
    const base: DeviceSignals = { cpu: { load: 0.2 } };
    const patch: DeviceSignals = { memory: { freeBytes: 1024 } };
    const merged = mergeSignals(base, patch);
    expect(merged).toEqual({ cpu: { load: 0.2 }, memory: { freeBytes: 1024 } });
    expect(base).toEqual({ cpu: { load: 0.2 } });
    expect(patch).toEqual({ memory: { freeBytes: 1024 } });
  });

  it('keeps extra fields of a wider signal type (a Node source adds memory pressure)', () => {
    const base = { memory: { freeBytes: 1, totalBytes: 8, pressure: 'critical' as const } };
    expect(mergeSignals(base, { memory: { freeBytes: 4 } }).memory).toEqual({
      freeBytes: 4,
      totalBytes: 8,
      pressure: 'critical',
    });
  });

  it('returns the base itself when there is no patch', () => {
    const base: DeviceSignals = { thermal: 'nominal' };
    expect(mergeSignals(base, undefined)).toBe(base);
  });
});
