/** The part of `BatteryManager` (Battery Status API) the signals read. */
export interface BatteryManagerLike extends EventTarget {
  level?: number;
  charging?: boolean;
}

/** The part of `NetworkInformation` (Network Information API) the signals read. */
export interface NetworkInformationLike extends EventTarget {
  saveData?: boolean;
  /** `cellular`, `wifi`, `ethernet`, … (Chromium has it on Android and ChromeOS only). */
  type?: string;
  /** `slow-2g`, `2g`, `3g`, `4g`. */
  effectiveType?: string;
}

/** One record of the Compute Pressure API. */
export interface PressureRecordLike {
  state?: string;
}

/** The part of `PressureObserver` (Compute Pressure API) the signals use. */
export interface PressureObserverLike {
  observe(source: 'cpu', options?: { sampleInterval?: number }): Promise<void>;
  disconnect(): void;
}

/** The browser APIs device signals are read from; any may be missing (older browsers, workers, other hosts). */
export interface BrowserApis {
  navigator?: {
    onLine?: boolean;
    deviceMemory?: number;
    connection?: NetworkInformationLike;
    getBattery?: () => Promise<BatteryManagerLike>;
  };
  /** Where `online` / `offline` events fire: the window or the worker's global scope. */
  events?: EventTarget;
  PressureObserver?: new (callback: (records: PressureRecordLike[]) => void) => PressureObserverLike;
  fetch?: typeof fetch;
}

/** The real APIs of the current global (window or worker); whatever is missing stays undefined. */
export function browserApis(): BrowserApis {
  const scope = globalThis as typeof globalThis & {
    PressureObserver?: BrowserApis['PressureObserver'];
    navigator?: BrowserApis['navigator'];
  };
  return {
    navigator: scope.navigator,
    events: typeof scope.addEventListener === 'function' ? scope : undefined,
    PressureObserver: scope.PressureObserver,
    fetch: typeof scope.fetch === 'function' ? scope.fetch.bind(scope) : undefined,
  };
}
