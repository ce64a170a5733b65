import type { InputProblem } from '@switchyard/contract';
import {
  type DeviceSignals,
  deviceSignalsProblems,
  InvalidConfigError,
  longestTimerMessage,
  longestTimerMs,
  mergeSignals,
  type SignalSource,
  unknownSettingProblems,
} from '@switchyard/contract';
import type { MemoryPressureThresholds } from './memory-pressure.js';
import { defaultMemoryPressureThresholds, memoryPressure } from './memory-pressure.js';
import type { NodeDeviceSignals } from './node-device-signals.js';
import type { ReachabilityTarget } from './reachability-target.js';
import { parseReachabilityTarget } from './reachability-target.js';
import type { SignalChange } from './signal-changes.js';
import { signalChanges } from './signal-changes.js';
import type { BatteryReading, MemoryReading, SignalReaders } from './signal-readers.js';
import { createDefaultReaders } from './signal-readers.js';
import type { ThermalThresholds } from './thermal-state.js';
import { defaultThermalThresholds, thermalStateFromTemperature } from './thermal-state.js';

/** Settings of {@link createNodeSignals}; every field is optional. */
export interface NodeSignalsSettings {
  /** How often the device is sampled in the background, in ms. Default 5000. */
  refreshMs?: number;
  /** Values that win over every reading, e.g. `{ network: { metered: true } }`. Change them with `setOverrides`. */
  overrides?: DeviceSignals;
  /** Whether the network is metered. Node cannot ask the OS, so this is configuration. Default unknown. */
  metered?: boolean;
  /** Remote targets whose host:port is checked with a TCP connect; online needs at least one to answer. */
  reachability?: {
    /** Base URLs of the remote targets, e.g. `http://10.0.0.5:8000/v1`. */
    urls: string[];
    /** Default 15000. */
    intervalMs?: number;
    /** Default 2000. */
    timeoutMs?: number;
  };
  /** CPU °C at which thermal state becomes fair / serious / critical. Default 70 / 80 / 90. */
  thermalThresholds?: Partial<ThermalThresholds>;
  /** Battery levels (0..1) whose crossing, either way, is a change event. Default [0.2, 0.1]. */
  batteryThresholds?: number[];
  /** Available-memory fractions below which pressure is warning / critical. Default 0.15 / 0.05. */
  memoryPressureThresholds?: Partial<MemoryPressureThresholds>;
  /** A reader that has not answered after this many ms counts as unknown for that sample. Default 5000. */
  readerTimeoutMs?: number;
  /** Replacements for the system readers (tests, other platforms). */
  readers?: Partial<SignalReaders>;
}

/** A {@link SignalSource} that samples the real device. */
export interface NodeSignalSource extends SignalSource {
  /** The cached readings merged with the overrides: synchronous, never touches the system. */
  read(): NodeDeviceSignals;
  /**
   * Calls `listener` after a sample that changed something meaningful (see {@link SignalChange}); returns the
   * unsubscribe function. A listener that throws does not stop sampling or other listeners.
   */
  subscribe(listener: (signals: NodeDeviceSignals, changes: SignalChange[]) => void): () => void;
  /** Samples every reader (and checks reachability) now; resolves with the new readings. Never rejects. */
  refresh(): Promise<NodeDeviceSignals>;
  /**
   * Replaces the overrides (the demo's device panel); notifies listeners if that changes something. Overrides that are
   * not device signals are an `InvalidConfigError` naming the reading, and the old ones stay.
   */
  setOverrides(overrides: DeviceSignals | undefined): void;
  /** Stops the timers and drops the listeners. `read()` keeps answering with the last readings. */
  dispose(): void;
}

interface Readings {
  battery?: BatteryReading;
  celsius?: number;
  memory?: MemoryReading;
  cpuLoad?: number;
  interfacesUp?: boolean;
}

const defaults = {
  refreshMs: 5000,
  reachabilityIntervalMs: 15_000,
  reachabilityTimeoutMs: 2000,
  readerTimeoutMs: 5000,
};

/**
 * Creates a signal source for the router that reads this machine: battery and charging, thermal state from the CPU
 * temperature, free/total memory and memory pressure, CPU load, and whether the network (and the remote targets)
 * can be reached. Readings are taken in the background every `refreshMs` and cached, so `read()` does no I/O.
 * Anything the OS does not expose (no battery, no sensor) is absent, which policies treat as harmless.
 * The interval timers are `unref()`ed, so the source never keeps a process alive (a sample already running is
 * allowed to finish, bounded by `readerTimeoutMs`); still, call `dispose()` when done.
 *
 * The settings are checked at once, and bad ones throw `InvalidConfigError` naming each field: an unknown setting
 * (with the one its name fits, e.g. `intervalMS` → `reachability.intervalMs`), a timer that is not a positive number
 * of ms or is longer than a timer can wait, thresholds out of order or range, URLs that are not `http(s)`, overrides
 * that are not device signals, readers that are not functions. Only numbers are shown back.
 *
 * @example
 * ```ts
 * const signals = createNodeSignals({ reachability: { urls: ['http://10.0.0.5:8000/v1'] }, metered: false });
 * await signals.refresh(); // optional: wait for the first sample
 * const router = createRouter({ targets, policy, signals });
 * signals.subscribe((device, changes) => console.log(changes));
 * ```
 */
export function createNodeSignals(settings: NodeSignalsSettings = {}): NodeSignalSource {
  const config = validate(settings);
  const readers: SignalReaders = { ...createDefaultReaders(), ...settings.readers };
  const listeners = new Set<(signals: NodeDeviceSignals, changes: SignalChange[]) => void>();
  let overrides = settings.overrides;
  let readings: Readings = {};
  let reachable = new Map<string, boolean>();
  let snapshot = compose();
  let disposed = false;
  let sampling: Promise<NodeDeviceSignals> | undefined;
  let checking: Promise<void> | undefined;

  function compose(): NodeDeviceSignals {
    const device: NodeDeviceSignals = {};
    if (readings.battery !== undefined) device.battery = { ...readings.battery };
    const thermal = thermalStateFromTemperature(readings.celsius, config.thermalThresholds);
    if (thermal !== undefined) device.thermal = thermal;
    if (readings.memory !== undefined) device.memory = { ...readings.memory };
    if (readings.cpuLoad !== undefined) device.cpu = { load: readings.cpuLoad };
    const online = isOnline();
    const network: NonNullable<DeviceSignals['network']> = {};
    if (online !== undefined) network.online = online;
    if (settings.metered !== undefined) network.metered = settings.metered;
    if (Object.keys(network).length > 0) device.network = network;
    const merged = mergeSignals(device, overrides);
    const pressure = memoryPressure(
      merged.memory?.freeBytes,
      merged.memory?.totalBytes,
      config.memoryPressureThresholds,
    );
    if (pressure !== undefined) merged.memory = { ...merged.memory, pressure };
    return merged;
  }

  function isOnline(): boolean | undefined {
    if (readings.interfacesUp === false) return false;
    if (config.targets.length === 0) return readings.interfacesUp;
    const results = config.targets.map((target) => reachable.get(target.url));
    if (results.includes(true)) return true;
    if (results.every((result) => result === false)) return false;
    return undefined;
  }

  function update(): NodeDeviceSignals {
    const previous = snapshot;
    snapshot = compose();
    const changes = signalChanges(previous, snapshot, config.batteryThresholds);
    if (changes.length > 0 && !disposed) {
      for (const listener of [...listeners]) {
        try {
          listener(snapshot, changes);
        } catch {
          // A broken listener must not stop sampling or starve the others.
        }
      }
    }
    return snapshot;
  }

  async function sampleDevice(): Promise<void> {
    const [battery, celsius, memory, cpuLoad, interfacesUp] = await Promise.all([
      settle(() => readers.battery(), config.readerTimeoutMs),
      settle(() => readers.cpuTemperature(), config.readerTimeoutMs),
      settle(() => readers.memory(), config.readerTimeoutMs),
      settle(() => readers.cpuLoad(), config.readerTimeoutMs),
      settle(() => readers.interfacesUp(), config.readerTimeoutMs),
    ]);
    // Readers can be user code: anything out of range is unknown rather than passed on to the policy.
    readings = {
      battery: compact({
        level: inRange(battery?.level, 0, 1),
        charging: typeof battery?.charging === 'boolean' ? battery.charging : undefined,
      }),
      celsius: inRange(celsius, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY),
      memory: compact({
        freeBytes: inRange(memory?.freeBytes, 0, Number.POSITIVE_INFINITY),
        totalBytes: inRange(memory?.totalBytes, 0, Number.POSITIVE_INFINITY),
      }),
      cpuLoad: inRange(cpuLoad, 0, 1),
      interfacesUp: typeof interfacesUp === 'boolean' ? interfacesUp : undefined,
    };
  }

  async function checkReachability(): Promise<void> {
    const results = await Promise.all(
      config.targets.map(async (target) => {
        const ok = await settle(
          () => readers.reach({ host: target.host, port: target.port }, config.reachabilityTimeoutMs),
          config.reachabilityTimeoutMs + 1000,
        );
        return [target.url, ok === true] as const;
      }),
    );
    reachable = new Map(results);
  }

  // One sample at a time: a tick that finds one running skips; refresh() waits for it and then samples afresh.
  function sample(withReachability: boolean): Promise<NodeDeviceSignals> {
    const run = async () => {
      await Promise.all([sampleDevice(), withReachability ? reach() : undefined]);
      return update();
    };
    const next = (sampling ?? Promise.resolve()).then(run, run);
    sampling = next;
    void next.finally(() => {
      if (sampling === next) sampling = undefined;
    });
    return next;
  }

  function reach(): Promise<void> {
    if (config.targets.length === 0) return Promise.resolve();
    const run = () => checkReachability();
    const next = (checking ?? Promise.resolve()).then(run, run);
    checking = next;
    void next.finally(() => {
      if (checking === next) checking = undefined;
    });
    return next;
  }

  const deviceTimer = setInterval(() => {
    if (sampling === undefined) void sample(false);
  }, config.refreshMs);
  deviceTimer.unref();
  const reachabilityTimer =
    config.targets.length > 0
      ? setInterval(() => {
          if (checking === undefined) void reach().then(update);
        }, config.reachabilityIntervalMs)
      : undefined;
  reachabilityTimer?.unref();
  // The first sample starts at once so the cache fills without waiting a whole interval.
  void sample(true);

  return {
    read: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    refresh: () => (disposed ? Promise.resolve(snapshot) : sample(true)),
    setOverrides(next) {
      const problems = overridesProblems(next);
      if (problems.length > 0) throw new InvalidConfigError({ problems });
      overrides = next;
      update();
    },
    dispose() {
      disposed = true;
      clearInterval(deviceTimer);
      if (reachabilityTimer !== undefined) clearInterval(reachabilityTimer);
      listeners.clear();
    },
  };
}

/** `overrides` (a setting, or `setOverrides`'s argument) as device signals; `undefined` is none. */
function overridesProblems(overrides: unknown): InputProblem[] {
  return overrides === undefined ? [] : deviceSignalsProblems(overrides, 'overrides');
}

function inRange(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

/** `value` without its undefined fields, or `undefined` when none is left. */
function compact<T extends object>(value: T): T | undefined {
  const defined = Object.entries(value).filter(([, field]) => field !== undefined);
  return defined.length === 0 ? undefined : (Object.fromEntries(defined) as T);
}

/** Runs `reader`; a throw, a rejection or no answer within `timeoutMs` all become `undefined`. */
async function settle<T>(reader: () => Promise<T> | T, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    // Not unref()ed: a sample someone awaits must finish even when nothing else keeps the process alive. It is
    // bounded by `timeoutMs`; only the interval timers that start samples are unref()ed.
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    const result = Promise.resolve().then(reader);
    return await Promise.race([result.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Config {
  refreshMs: number;
  readerTimeoutMs: number;
  reachabilityIntervalMs: number;
  reachabilityTimeoutMs: number;
  targets: ReachabilityTarget[];
  thermalThresholds: ThermalThresholds;
  memoryPressureThresholds: MemoryPressureThresholds;
  batteryThresholds: number[];
}

/** Where each setting may stand; an unknown one is named with the place its name fits, or the ones that exist. */
const knownSettings: Record<string, readonly string[]> = {
  '': [
    'refreshMs',
    'overrides',
    'metered',
    'reachability',
    'thermalThresholds',
    'batteryThresholds',
    'memoryPressureThresholds',
    'readerTimeoutMs',
    'readers',
  ],
  reachability: ['urls', 'intervalMs', 'timeoutMs'],
  thermalThresholds: ['fair', 'serious', 'critical'],
  memoryPressureThresholds: ['warning', 'critical'],
  readers: ['battery', 'cpuTemperature', 'memory', 'cpuLoad', 'interfacesUp', 'reach'],
};

/** Numbers are shown back; anything else could be a secret put in the wrong place. */
const got = (value: unknown) => (typeof value === 'number' ? `, got ${value}` : '');

function validate(settings: NodeSignalsSettings): Config {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new InvalidConfigError({
      problems: [{ path: 'settings', message: 'expected an object or nothing, e.g. { refreshMs: 5000 }' }],
    });
  }
  const problems = unknownSettingProblems(settings as Record<string, unknown>, knownSettings);
  const positive = (value: number | undefined, path: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      problems.push({ path, message: `expected a positive number of milliseconds, e.g. 5000${got(value)}` });
      return fallback;
    }
    // Every one of these is a timer: a longer one fires at once, so a refresh would run about every millisecond.
    if (value > longestTimerMs) {
      problems.push({ path, message: longestTimerMessage });
      return fallback;
    }
    return value;
  };
  const fraction = (value: unknown, path: string) => {
    if (typeof value !== 'number' || !(value > 0 && value < 1)) {
      problems.push({ path, message: `expected a fraction between 0 and 1 (exclusive), e.g. 0.2${got(value)}` });
    }
  };

  const thermalThresholds = { ...defaultThermalThresholds, ...settings.thermalThresholds };
  const badThermal = (['fair', 'serious', 'critical'] as const).filter((key) => {
    const value: unknown = thermalThresholds[key];
    return typeof value !== 'number' || !Number.isFinite(value);
  });
  for (const key of badThermal) {
    problems.push({
      path: `thermalThresholds.${key}`,
      message: `expected a temperature in °C (a number), e.g. ${defaultThermalThresholds[key]}${got(thermalThresholds[key])}`,
    });
  }
  if (
    badThermal.length === 0 &&
    !(thermalThresholds.fair < thermalThresholds.serious && thermalThresholds.serious < thermalThresholds.critical)
  ) {
    problems.push({
      path: 'thermalThresholds',
      message: `expected fair < serious < critical (°C), got ${thermalThresholds.fair} / ${thermalThresholds.serious} / ${thermalThresholds.critical}`,
    });
  }
  const memoryPressureThresholds = { ...defaultMemoryPressureThresholds, ...settings.memoryPressureThresholds };
  fraction(memoryPressureThresholds.warning, 'memoryPressureThresholds.warning');
  fraction(memoryPressureThresholds.critical, 'memoryPressureThresholds.critical');
  if (!(memoryPressureThresholds.critical < memoryPressureThresholds.warning)) {
    problems.push({ path: 'memoryPressureThresholds', message: 'expected critical to be below warning' });
  }
  const batteryThresholds: unknown = settings.batteryThresholds ?? [0.2, 0.1];
  if (Array.isArray(batteryThresholds)) {
    batteryThresholds.forEach((threshold, index) => {
      fraction(threshold, `batteryThresholds[${index}]`);
    });
  } else {
    problems.push({ path: 'batteryThresholds', message: 'expected an array of battery levels, e.g. [0.2, 0.1]' });
  }

  const targets: ReachabilityTarget[] = [];
  const urls: unknown = settings.reachability?.urls ?? [];
  if (!Array.isArray(urls)) {
    problems.push({ path: 'reachability.urls', message: "expected an array of the remote targets' base URLs" });
  }
  (Array.isArray(urls) ? urls : []).forEach((url: unknown, index) => {
    if (typeof url !== 'string') {
      problems.push({ path: `reachability.urls[${index}]`, message: 'expected a URL string' });
      return;
    }
    const parsed = parseReachabilityTarget(url, `reachability.urls[${index}]`);
    if ('path' in parsed) problems.push(parsed);
    else targets.push(parsed);
  });

  problems.push(...overridesProblems(settings.overrides));
  if (settings.metered !== undefined && typeof settings.metered !== 'boolean') {
    problems.push({ path: 'metered', message: 'expected true or false' });
  }
  const readers: unknown = settings.readers;
  for (const [name, reader] of Object.entries(typeof readers === 'object' && readers ? readers : {})) {
    if (reader !== undefined && typeof reader !== 'function') {
      problems.push({
        path: `readers.${name}`,
        message: 'expected a function (one returning undefined reads as unknown)',
      });
    }
  }

  const config: Config = {
    refreshMs: positive(settings.refreshMs, 'refreshMs', defaults.refreshMs),
    readerTimeoutMs: positive(settings.readerTimeoutMs, 'readerTimeoutMs', defaults.readerTimeoutMs),
    reachabilityIntervalMs: positive(
      settings.reachability?.intervalMs,
      'reachability.intervalMs',
      defaults.reachabilityIntervalMs,
    ),
    reachabilityTimeoutMs: positive(
      settings.reachability?.timeoutMs,
      'reachability.timeoutMs',
      defaults.reachabilityTimeoutMs,
    ),
    targets,
    thermalThresholds,
    memoryPressureThresholds,
    batteryThresholds: Array.isArray(batteryThresholds) ? batteryThresholds : [],
  };
  if (problems.length > 0) throw new InvalidConfigError({ problems });
  return config;
}
