import { InvalidConfigError } from '@switchyard/contract';
import { invalidConfigProblems } from '@switchyard/contract/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NodeSignalSource, NodeSignalsSettings } from './create-node-signals.js';
import { createNodeSignals } from './create-node-signals.js';
import type { SignalChange } from './signal-changes.js';
import type { SignalReaders } from './signal-readers.js';

const sources: NodeSignalSource[] = [];
function create(settings?: NodeSignalsSettings): NodeSignalSource {
  const source = createNodeSignals(settings);
  sources.push(source);
  return source;
}

afterEach(() => {
  for (const source of sources.splice(0)) source.dispose();
  vi.useRealTimers();
});

/** Readers backed by a mutable device state, so a test can change the "hardware" between samples. */
function fakeDevice(initial: { level?: number; charging?: boolean; celsius?: number; free?: number } = {}) {
  const state = { level: 0.8, charging: false, celsius: 50, free: 8e9, load: 0.25, up: true, ...initial };
  const readers: SignalReaders = {
    battery: () => ({ level: state.level, charging: state.charging }),
    cpuTemperature: () => state.celsius,
    memory: () => ({ freeBytes: state.free, totalBytes: 16e9 }),
    cpuLoad: () => state.load,
    interfacesUp: () => state.up,
    reach: () => true,
  };
  return { state, readers };
}

describe('createNodeSignals on this machine', () => {
  it('reads real values: each is in range or absent, and no battery means battery unknown', async () => {
    const signals = create({ refreshMs: 60_000 });
    const device = await signals.refresh();

    if (device.battery?.level !== undefined) {
      expect(device.battery.level).toBeGreaterThanOrEqual(0);
      expect(device.battery.level).toBeLessThanOrEqual(1);
    }
    if (device.battery !== undefined) expect(Object.keys(device.battery).length).toBeGreaterThan(0);
    if (device.thermal !== undefined) expect(['nominal', 'fair', 'serious', 'critical']).toContain(device.thermal);
    // Every OS reports memory and CPU ticks, so these two are never unknown.
    expect(device.memory?.totalBytes).toBeGreaterThan(0);
    expect(device.memory?.freeBytes).toBeGreaterThanOrEqual(0);
    expect(device.memory?.freeBytes).toBeLessThanOrEqual(device.memory?.totalBytes ?? 0);
    expect(['normal', 'warning', 'critical']).toContain(device.memory?.pressure);
    expect(device.cpu?.load).toBeGreaterThanOrEqual(0);
    expect(device.cpu?.load).toBeLessThanOrEqual(1);
    if (device.network?.online !== undefined) expect(typeof device.network.online).toBe('boolean');
    // Nobody configured metering, and Node cannot ask the OS.
    expect(device.network?.metered).toBeUndefined();
    expect(signals.read()).toBe(device);
  });
});

describe('createNodeSignals', () => {
  it('lets overrides and the metered setting win over readings, field by field', async () => {
    const { readers } = fakeDevice({ level: 0.5, charging: false });
    const signals = create({
      readers,
      metered: false,
      overrides: { battery: { level: 0.05 }, network: { metered: true }, thermal: 'critical' },
    });
    const device = await signals.refresh();
    expect(device.battery).toEqual({ level: 0.05, charging: false });
    expect(device.network).toEqual({ online: true, metered: true });
    expect(device.thermal).toBe('critical');
    expect(device.cpu).toEqual({ load: 0.25 });
  });

  it('serves read() from the cache: readers run on the refresh schedule, not per read', async () => {
    vi.useFakeTimers();
    const { readers } = fakeDevice();
    const counted = { ...readers, battery: vi.fn(readers.battery), memory: vi.fn(readers.memory) };
    const signals = create({ readers: counted, refreshMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(counted.battery).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 1000; i++) signals.read();
    expect(counted.battery).toHaveBeenCalledTimes(1);
    expect(signals.read().battery).toEqual({ level: 0.8, charging: false });

    await vi.advanceTimersByTimeAsync(3000);
    for (let i = 0; i < 1000; i++) signals.read();
    expect(counted.battery).toHaveBeenCalledTimes(4);
    expect(counted.memory).toHaveBeenCalledTimes(4);
  });

  it('degrades a throwing, rejecting or hanging reader to unknown without throwing', async () => {
    const { readers } = fakeDevice();
    const signals = create({
      readerTimeoutMs: 50,
      readers: {
        ...readers,
        battery: () => {
          throw new Error('no /sys/class/power_supply');
        },
        cpuTemperature: () => Promise.reject(new Error('sensors not installed')),
        memory: () => new Promise(() => {}),
      },
    });
    const device = await signals.refresh();
    expect(device.battery).toBeUndefined();
    expect(device.thermal).toBeUndefined();
    expect(device.memory).toBeUndefined();
    expect(device.cpu).toEqual({ load: 0.25 });
    expect(device.network?.online).toBe(true);
  });

  it('ignores readings that are out of range', async () => {
    const { readers } = fakeDevice();
    const signals = create({
      readers: {
        ...readers,
        cpuLoad: () => 7,
        cpuTemperature: () => Number.NaN,
        battery: () => ({ level: 42, charging: true }),
        memory: () => ({ freeBytes: -1, totalBytes: 16e9 }),
      },
    });
    const device = await signals.refresh();
    expect(device.cpu).toBeUndefined();
    expect(device.thermal).toBeUndefined();
    expect(device.battery).toEqual({ charging: true });
    expect(device.memory).toEqual({ totalBytes: 16e9 });
  });

  it('notifies on threshold crossings and state flips, and stays quiet on small drifts', async () => {
    const { state, readers } = fakeDevice({ level: 0.5, celsius: 50, free: 8e9 });
    const signals = create({ readers });
    await signals.refresh();
    const events: SignalChange[][] = [];
    signals.subscribe((_device, changes) => events.push(changes));

    state.level = 0.45;
    state.celsius = 60;
    state.free = 7e9;
    await signals.refresh();
    expect(events).toEqual([]);

    state.level = 0.19;
    await signals.refresh();
    expect(events.pop()).toEqual([{ kind: 'battery-level', from: 0.45, to: 0.19 }]);

    state.level = 0.09;
    state.charging = true;
    state.celsius = 85;
    state.free = 0.5e9;
    state.up = false;
    await signals.refresh();
    expect(events.pop()).toEqual([
      { kind: 'online', from: true, to: false },
      { kind: 'charging', from: false, to: true },
      { kind: 'battery-level', from: 0.19, to: 0.09 },
      { kind: 'thermal', from: 'nominal', to: 'serious' },
      { kind: 'memory-pressure', from: 'normal', to: 'critical' },
    ]);
  });

  it('tells a listener subscribed at creation the initial state of every signal that became known', async () => {
    const { readers } = fakeDevice();
    const signals = create({ readers, metered: true });
    // Configuration is known at once; only what must be sampled arrives as change events.
    expect(signals.read()).toEqual({ network: { metered: true } });
    const kinds: string[] = [];
    signals.subscribe((_device, changes) => kinds.push(...changes.map((change) => change.kind)));
    await signals.refresh();
    expect(kinds).toEqual(['online', 'charging', 'battery-level', 'thermal', 'memory-pressure']);
  });

  it('passes the new readings to listeners, isolates a throwing listener, and stops after unsubscribe', async () => {
    const { state, readers } = fakeDevice();
    const signals = create({ readers });
    await signals.refresh();
    const seen: Array<boolean | undefined> = [];
    signals.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = signals.subscribe((device) => seen.push(device.network?.online));

    state.up = false;
    await expect(signals.refresh()).resolves.toMatchObject({ network: { online: false } });
    unsubscribe();
    state.up = true;
    await signals.refresh();
    expect(seen).toEqual([false]);
  });

  it('notifies when setOverrides changes what the router sees', async () => {
    const { readers } = fakeDevice({ charging: false });
    const signals = create({ readers });
    await signals.refresh();
    const kinds: string[] = [];
    signals.subscribe((_device, changes) => kinds.push(...changes.map((change) => change.kind)));
    signals.setOverrides({ battery: { charging: true }, network: { metered: true } });
    expect(kinds).toEqual(['metered', 'charging']);
    expect(signals.read().battery?.charging).toBe(true);
  });

  it('clears its timers on dispose and stops sampling', async () => {
    vi.useFakeTimers();
    const { readers } = fakeDevice();
    const battery = vi.fn(readers.battery);
    const signals = create({ readers: { ...readers, battery }, refreshMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    signals.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    await signals.refresh();
    expect(battery).toHaveBeenCalledTimes(1);
  });

  it('rejects invalid settings with an error naming each field', () => {
    let error: unknown;
    try {
      createNodeSignals({
        refreshMs: 0,
        batteryThresholds: [0.2, 1.5],
        thermalThresholds: { fair: 85 },
        reachability: { urls: ['not a url', 'ftp://gpu.internal/models'] },
      });
    } catch (caught) {
      error = caught;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const paths = (error as InvalidConfigError).problems.map((problem) => problem.path);
    expect(paths).toEqual([
      'thermalThresholds',
      'batteryThresholds[1]',
      'reachability.urls[0]',
      'reachability.urls[1]',
      'refreshMs',
    ]);
  });

  it('refuses timers longer than a Node timer can wait (a longer refresh would run about every millisecond)', () => {
    const tooLong = 2 ** 31;
    let error: unknown;
    try {
      createNodeSignals({
        refreshMs: tooLong,
        readerTimeoutMs: tooLong,
        reachability: { urls: ['http://127.0.0.1:9/v1'], intervalMs: tooLong, timeoutMs: tooLong },
      });
    } catch (caught) {
      error = caught;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const message = 'expected at most 2147483647 ms (24.8 days): a longer timer fires at once';
    expect((error as InvalidConfigError).problems).toEqual(
      ['refreshMs', 'readerTimeoutMs', 'reachability.intervalMs', 'reachability.timeoutMs'].map((path) => ({
        path,
        message,
      })),
    );
  });

  it('names the field of settings with the wrong type instead of crashing (plain JavaScript callers)', () => {
    let error: unknown;
    try {
      createNodeSignals({
        batteryThresholds: 0.2,
        thermalThresholds: { fair: '70', critical: Number.NaN },
        reachability: { urls: 'http://10.0.0.5:8000/v1' },
      } as unknown as NodeSignalsSettings);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const problems = (error as InvalidConfigError).problems;
    expect(problems.map((problem) => problem.path)).toEqual([
      'thermalThresholds.fair',
      'thermalThresholds.critical',
      'batteryThresholds',
      'reachability.urls',
    ]);
    expect(problems[2]?.message).toContain('array');
  });
});

describe('createNodeSignals names what it would otherwise ignore', () => {
  it('names a misspelt or misplaced setting with the one it fits (intervalMS, a top-level intervalMs)', () => {
    expect(invalidConfigProblems(() => createNodeSignals({ intervalMS: 5 } as never))).toEqual([
      { path: 'intervalMS', message: 'unknown setting; did you mean "reachability.intervalMs"?' },
    ]);
    expect(invalidConfigProblems(() => createNodeSignals({ intervalMs: -5, refreshMS: 10 } as never))).toEqual([
      { path: 'intervalMs', message: 'unknown setting; did you mean "reachability.intervalMs"?' },
      { path: 'refreshMS', message: 'unknown setting; did you mean "refreshMs"?' },
    ]);
    expect(
      invalidConfigProblems(() =>
        createNodeSignals({ reachability: { urls: [], interval: 5 }, thermalThresholds: { hot: 95 } } as never),
      ),
    ).toEqual([
      { path: 'reachability.interval', message: 'unknown setting; expected one of urls, intervalMs, timeoutMs' },
      { path: 'thermalThresholds.hot', message: 'unknown setting; expected one of fair, serious, critical' },
    ]);
  });

  it('refuses out-of-range and wrongly typed settings, showing numbers only', () => {
    const problems = invalidConfigProblems(() =>
      createNodeSignals({
        refreshMs: -5,
        readerTimeoutMs: 'sk-secret',
        metered: 'yes',
        readers: { cpuLoad: 0.5 },
        reachability: 'http://10.0.0.5:8000/v1',
      } as never),
    );
    expect(problems).toEqual([
      { path: 'reachability', message: 'expected an object of urls, intervalMs, timeoutMs' },
      { path: 'metered', message: 'expected true or false' },
      { path: 'readers.cpuLoad', message: 'expected a function (one returning undefined reads as unknown)' },
      { path: 'refreshMs', message: 'expected a positive number of milliseconds, e.g. 5000, got -5' },
      { path: 'readerTimeoutMs', message: 'expected a positive number of milliseconds, e.g. 5000' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk-secret');
    expect(invalidConfigProblems(() => createNodeSignals(null as never))[0]?.path).toBe('settings');
  });

  it('checks overrides, in the settings and in setOverrides(), which keeps the ones it had when refused', async () => {
    expect(invalidConfigProblems(() => createNodeSignals({ overrides: { battery: { level: 7 } } }))).toEqual([
      { path: 'overrides.battery.level', message: 'expected a fraction from 0 to 1, e.g. 0.8, got 7' },
    ]);
    const { readers } = fakeDevice({ level: 0.5 });
    const signals = create({ readers, overrides: { network: { metered: true } } });
    await signals.refresh();
    expect(invalidConfigProblems(() => signals.setOverrides({ batteryLevel: 0.1 } as never))[0]?.path).toBe(
      'overrides.batteryLevel',
    );
    expect(signals.read().network?.metered).toBe(true);
    signals.setOverrides({ battery: { level: 0.1 } });
    expect(signals.read().battery?.level).toBe(0.1);
    signals.setOverrides(undefined);
    expect(signals.read().battery?.level).toBe(0.5);
  });
});
