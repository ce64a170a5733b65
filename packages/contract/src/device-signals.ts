/** Thermal states from coolest to hottest; the order is used to compare against `policy.device.maxThermalState`. */
export type ThermalState = 'nominal' | 'fair' | 'serious' | 'critical';

/** Thermal states in increasing order of heat. */
export const thermalStates = ['nominal', 'fair', 'serious', 'critical'] as const satisfies readonly ThermalState[];

/**
 * Latest readings of the device. Every field is optional: absent means "unknown", and the router treats unknown as
 * the harmless case: battery unknown → not low; thermal unknown → nominal; memory unknown → enough;
 * online unknown → online; metered unknown → not metered.
 */
export interface DeviceSignals {
  battery?: { level?: number; charging?: boolean };
  thermal?: ThermalState;
  memory?: { freeBytes?: number; totalBytes?: number };
  cpu?: { load?: number };
  network?: { online?: boolean; metered?: boolean };
}

/**
 * Where the router reads device signals from. `@switchyard/signals-node` implements it on Node; tests, browsers and
 * the demo's device panel use `createManualSignals` from `@switchyard/core`.
 */
export interface SignalSource {
  /** Cached readings: synchronous, no I/O (`plan()` calls it). */
  read(): DeviceSignals;
  /** Change notifications; returns an unsubscribe function. */
  subscribe?(listener: (signals: DeviceSignals) => void): () => void;
  dispose?(): void | Promise<void>;
}

/** Readiness states a caller may force for one target in {@link SignalOverrides}. */
export type TargetStatusOverride = 'ready' | 'loading' | 'downloading' | 'unavailable';

/** What a caller may force about one target in {@link SignalOverrides}. */
export interface TargetOverride {
  status?: TargetStatusOverride;
  circuit?: 'closed' | 'half-open' | 'open';
  /** Requests waiting in a local target's queue; the target counts as busy (every slot in use). */
  queueDepth?: number;
}

/** Per-call overrides of what the router observes (the CLI's `--signals` file has this shape). */
export interface SignalOverrides {
  /** Merged over the source's readings, one level deep (`battery`, `memory`, `network`, … are merged field by field). */
  device?: DeviceSignals;
  /**
   * Forces what the router sees of one target, to preview a decision without live traffic: its readiness (e.g. while
   * a model is downloading), its circuit breaker (`open` excludes it with reason `circuit-open`), and its local queue
   * (`queueDepth` requests waiting behind a busy target; at `maxQueue` an `auto` plan spills with reason `queue`).
   */
  targets?: Record<string, TargetOverride>;
  /** The time used by `hour` rules (defaults to the router's clock). */
  now?: Date;
}

const signalGroups = ['battery', 'memory', 'cpu', 'network'] as const;

/**
 * `patch` laid over `base` one level deep: `{ battery: { charging: true } }` keeps the known battery level. A field
 * that is absent or `undefined` in `patch` means "no news" and keeps `base`'s value. Neither input is modified.
 *
 * @example
 * ```ts
 * mergeSignals({ battery: { level: 0.8, charging: false } }, { battery: { charging: true } });
 * // → { battery: { level: 0.8, charging: true } }
 * ```
 */
export function mergeSignals<T extends DeviceSignals>(base: T, patch: DeviceSignals | undefined): T {
  if (patch === undefined) return base;
  const merged: DeviceSignals = { ...base };
  if (patch.thermal !== undefined) merged.thermal = patch.thermal;
  for (const key of signalGroups) {
    const group = patch[key];
    if (group === undefined) continue;
    const defined = Object.fromEntries(Object.entries(group).filter(([, value]) => value !== undefined));
    merged[key] = { ...base[key], ...defined };
  }
  return merged as T;
}
