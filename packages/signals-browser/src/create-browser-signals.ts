import {
  type DeviceSignals,
  deviceSignalsProblems,
  mergeSignals,
  type SignalSource,
  type ThermalState,
  unknownSettingProblems,
} from '@switchyard/contract';
import type { InputProblem } from '@switchyard/contract/errors';
import { InvalidConfigError } from '@switchyard/contract/errors';
import type { BatteryManagerLike, BrowserApis, PressureRecordLike } from './browser-apis.js';
import { browserApis } from './browser-apis.js';
import type { BrowserDeviceSignals } from './browser-device-signals.js';
import { meteredFromConnection } from './metered-from-connection.js';

/** Settings of {@link createBrowserSignals}; every field is optional. */
export interface BrowserSignalsSettings {
  /** Values that win over every reading, e.g. `{ network: { metered: true } }`. Change them with `setOverrides`. */
  overrides?: DeviceSignals;
  /**
   * Remote targets probed with a `no-cors` HEAD request; while the browser says it is online, online needs at least
   * one of them to answer (any HTTP answer counts, even an error status: the host was reached).
   */
  reachability?: {
    /** Base URLs of the remote targets, e.g. `https://gpu.example.com/v1`. */
    urls: string[];
    /** Default 15000. */
    intervalMs?: number;
    /** Default 3000. */
    timeoutMs?: number;
  };
  /** How often the Compute Pressure API may report, in ms. Default 1000. */
  pressureSampleIntervalMs?: number;
  /** The browser APIs to read; default the real ones of the page or worker. Tests and other hosts replace them. */
  apis?: Partial<BrowserApis>;
}

/** A {@link SignalSource} that reads the browser the page or worker runs in. */
export interface BrowserSignalSource extends SignalSource {
  /** The latest readings merged with the overrides: synchronous, no I/O. */
  read(): BrowserDeviceSignals;
  /** Calls `listener` whenever a reading changes (an event, a probe, an override); returns the unsubscribe function. */
  subscribe(listener: (signals: BrowserDeviceSignals) => void): () => void;
  /** Reads the battery and probes the remote targets now; resolves with the readings. Never rejects. */
  refresh(): Promise<BrowserDeviceSignals>;
  /**
   * Replaces the overrides; notifies listeners if that changes something. Overrides that are not device signals are an
   * `InvalidConfigError` naming the reading, and the old ones stay.
   */
  setOverrides(overrides: DeviceSignals | undefined): void;
  /** Removes every event listener, observer and timer. `read()` keeps answering with the last readings. */
  dispose(): void;
}

interface Readings {
  battery?: { level?: number; charging?: boolean };
  thermal?: ThermalState;
  reachable: Map<string, boolean>;
}

const thermalStates: ReadonlySet<string> = new Set(['nominal', 'fair', 'serious', 'critical']);

/**
 * Creates a signal source for the router from the browser's own APIs: the Battery Status API (level, charging), the
 * online/offline state and its events plus a reachability probe of the remote targets, the Network Information API
 * (`saveData`, `type`, `effectiveType` → metered), `navigator.deviceMemory` (→ `memory.totalBytes`), and the Compute
 * Pressure API (`PressureObserver` on `cpu`: nominal / fair / serious / critical → thermal). An API the browser does
 * not have, or refuses, leaves that reading unknown; nothing here throws at run time. Every event reaches
 * subscribers (and so the router) as it happens. Works in windows and workers (workers have no battery).
 *
 * The settings are checked at once; bad ones throw `InvalidConfigError` naming each field: an unknown setting (with
 * the one its name fits, e.g. `intervalMs` → `reachability.intervalMs`), a timer that is not a positive number of ms
 * or is longer than a timer can wait, URLs that are not `http(s)`, overrides that are not device signals.
 *
 * @example
 * ```ts
 * const signals = createBrowserSignals({ reachability: { urls: ['https://gpu.example.com/v1'] } });
 * const router = createRouter({ targets, policy, signals });
 * signals.subscribe((device) => console.log(device.network?.online, device.thermal));
 * ```
 */
export function createBrowserSignals(settings: BrowserSignalsSettings = {}): BrowserSignalSource {
  const config = validate(settings);
  const apis: BrowserApis = { ...browserApis(), ...settings.apis };
  const listeners = new Set<(signals: BrowserDeviceSignals) => void>();
  const cleanups: (() => void)[] = [];
  const disposal = new AbortController();
  const readings: Readings = { reachable: new Map() };
  let overrides = settings.overrides;
  let snapshot = compose();
  let snapshotKey = JSON.stringify(snapshot);
  let battery: BatteryManagerLike | undefined;

  function compose(): BrowserDeviceSignals {
    const device: BrowserDeviceSignals = {};
    if (readings.battery) device.battery = { ...readings.battery };
    if (readings.thermal) device.thermal = readings.thermal;
    const gigabytes = apis.navigator?.deviceMemory;
    if (typeof gigabytes === 'number' && gigabytes > 0) device.memory = { totalBytes: gigabytes * 2 ** 30 };
    const network: NonNullable<BrowserDeviceSignals['network']> = {};
    const online = isOnline();
    if (online !== undefined) network.online = online;
    const connection = apis.navigator?.connection;
    if (connection) {
      const metered = meteredFromConnection(connection);
      if (metered !== undefined) network.metered = metered;
      if (typeof connection.saveData === 'boolean') network.saveData = connection.saveData;
      if (typeof connection.type === 'string') network.type = connection.type;
      if (typeof connection.effectiveType === 'string') network.effectiveType = connection.effectiveType;
    }
    if (Object.keys(network).length > 0) device.network = network;
    return mergeSignals(device, overrides);
  }

  function isOnline(): boolean | undefined {
    const browserOnline = apis.navigator?.onLine;
    if (browserOnline === false) return false;
    const results = config.urls.map((url) => readings.reachable.get(url));
    if (results.includes(true)) return true;
    if (results.length > 0 && results.every((result) => result === false)) return false;
    return typeof browserOnline === 'boolean' ? browserOnline : undefined;
  }

  function update(): BrowserDeviceSignals {
    const next = compose();
    const key = JSON.stringify(next);
    if (key !== snapshotKey) {
      snapshot = next;
      snapshotKey = key;
      for (const listener of [...listeners]) {
        try {
          listener(snapshot);
        } catch {
          // A broken listener must not starve the others.
        }
      }
    }
    return snapshot;
  }

  function listen(target: EventTarget | undefined, type: string, handler: () => void) {
    if (!target || typeof target.addEventListener !== 'function') return;
    target.addEventListener(type, handler);
    cleanups.push(() => target.removeEventListener(type, handler));
  }

  function readBattery() {
    if (battery) readings.battery = batteryReading(battery);
  }

  async function probe(url: string): Promise<boolean> {
    if (!apis.fetch) return false;
    try {
      await apis.fetch(url, {
        method: 'HEAD',
        mode: 'no-cors',
        cache: 'no-store',
        signal: AbortSignal.any([disposal.signal, AbortSignal.timeout(config.timeoutMs)]),
      });
      return true;
    } catch {
      return false;
    }
  }

  let probing: Promise<void> | undefined;
  function reach(): Promise<void> {
    if (config.urls.length === 0 || disposal.signal.aborted) return Promise.resolve();
    probing ??= Promise.all(config.urls.map(async (url) => [url, await probe(url)] as const))
      .then((results) => {
        if (!disposal.signal.aborted) readings.reachable = new Map(results);
      })
      .finally(() => {
        probing = undefined;
      });
    return probing;
  }

  // Online/offline: the events say when; the probe says whether the remote targets are actually there.
  const onNetworkEvent = () => {
    if (apis.navigator?.onLine === false) readings.reachable = new Map();
    update();
    void reach().then(update);
  };
  listen(apis.events, 'online', onNetworkEvent);
  listen(apis.events, 'offline', onNetworkEvent);
  listen(apis.navigator?.connection, 'change', update);

  async function watchBattery() {
    try {
      battery = await apis.navigator?.getBattery?.();
    } catch {
      battery = undefined; // Refused by a permissions policy, or not a window: unknown.
    }
    if (!battery || disposal.signal.aborted) return;
    const onChange = () => {
      readBattery();
      update();
    };
    listen(battery, 'levelchange', onChange);
    listen(battery, 'chargingchange', onChange);
    onChange();
  }

  async function watchPressure() {
    const Observer = apis.PressureObserver;
    if (!Observer || disposal.signal.aborted) return;
    try {
      const observer = new Observer((records: PressureRecordLike[]) => {
        const state = records.at(-1)?.state;
        if (typeof state === 'string' && thermalStates.has(state)) {
          readings.thermal = state as ThermalState;
          update();
        }
      });
      cleanups.push(() => observer.disconnect());
      await observer.observe('cpu', { sampleInterval: config.pressureSampleIntervalMs });
    } catch {
      // No cpu source, not allowed by a permissions policy, or an insecure context: thermal stays unknown.
    }
  }

  const timer = config.urls.length > 0 ? setInterval(() => void reach().then(update), config.intervalMs) : undefined;
  cleanups.push(() => clearInterval(timer));
  const started = Promise.all([watchBattery(), watchPressure(), reach()]).then(update);

  return {
    read: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async refresh() {
      await started;
      readBattery();
      await reach();
      return update();
    },
    setOverrides(next) {
      const problems = checkOverrides(next);
      if (problems.length > 0) throw new InvalidConfigError({ problems });
      overrides = next;
      update();
    },
    dispose() {
      disposal.abort();
      for (const cleanup of cleanups.splice(0)) cleanup();
      listeners.clear();
    },
  };
}

function batteryReading(battery: BatteryManagerLike): Readings['battery'] {
  const reading: NonNullable<Readings['battery']> = {};
  if (typeof battery.level === 'number' && battery.level >= 0 && battery.level <= 1) reading.level = battery.level;
  if (typeof battery.charging === 'boolean') reading.charging = battery.charging;
  return reading;
}

interface Config {
  urls: string[];
  intervalMs: number;
  timeoutMs: number;
  pressureSampleIntervalMs: number;
}

/** Where each setting may stand (an unknown one is named with the place its name fits, or the ones that exist). */
const knownSettings: Record<string, readonly string[]> = {
  '': ['overrides', 'reachability', 'pressureSampleIntervalMs', 'apis'],
  reachability: ['urls', 'intervalMs', 'timeoutMs'],
  apis: ['navigator', 'events', 'PressureObserver', 'fetch'],
};

/** Overrides as device signals (the router would read a battery level of 7 as "not low"); `undefined` is none. */
function checkOverrides(overrides: unknown, problems: InputProblem[] = []): InputProblem[] {
  if (overrides !== undefined) problems.push(...deviceSignalsProblems(overrides, 'overrides'));
  return problems;
}

function validate(settings: BrowserSignalsSettings): Config {
  if (typeof settings !== 'object' || !settings) {
    throw new InvalidConfigError({ problems: [{ path: 'settings', message: 'expected an object' }] });
  }
  const problems = checkOverrides(
    settings.overrides,
    unknownSettingProblems(settings as Record<string, unknown>, knownSettings),
  );
  const positive = (value: unknown, path: string, fallback: number): number => {
    if (value === undefined) return fallback;
    // Below 2^31 (contract's longestTimerMs, not imported: it would pull zod in here through the chunk it shares): a
    // longer timer fires at once, so a probe or pressure sample would run about every millisecond.
    if (typeof value === 'number' && value > 0 && value < 2 ** 31) return value;
    const got = typeof value === 'number' ? `, got ${value}` : '';
    problems.push({ path, message: `expected a positive number of ms below 2^31 (24.8 days), e.g. 15000${got}` });
    return fallback;
  };
  const urls: string[] = [];
  const given: unknown = settings.reachability?.urls ?? [];
  if (Array.isArray(given)) {
    given.forEach((url: unknown, index) => {
      if (typeof url === 'string' && URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)) urls.push(url);
      else
        problems.push({
          path: `reachability.urls[${index}]`,
          message: `expected an http(s) URL of a remote target, e.g. 'https://gpu.example.com/v1', got ${typeof url === 'string' ? 'another string' : typeof url}`,
        });
    });
  } else {
    problems.push({ path: 'reachability.urls', message: "expected an array of the remote targets' base URLs" });
  }
  const config: Config = {
    urls,
    intervalMs: positive(settings.reachability?.intervalMs, 'reachability.intervalMs', 15_000),
    timeoutMs: positive(settings.reachability?.timeoutMs, 'reachability.timeoutMs', 3000),
    pressureSampleIntervalMs: positive(settings.pressureSampleIntervalMs, 'pressureSampleIntervalMs', 1000),
  };
  if (problems.length > 0) throw new InvalidConfigError({ problems });
  return config;
}
