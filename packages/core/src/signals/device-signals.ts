/** Thermal states from coolest to hottest; the order is used to compare against `policy.device.maxThermalState`. */
export type ThermalState = 'nominal' | 'fair' | 'serious' | 'critical';

/** Thermal states in increasing order of heat. */
export const thermalStates: readonly ThermalState[] = ['nominal', 'fair', 'serious', 'critical'];

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
 * the demo's device panel use {@link createManualSignals}.
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

/** Per-call overrides of what the router observes (the CLI's `--signals` file has this shape). */
export interface SignalOverrides {
  /** Merged over the source's readings, one level deep (`battery`, `memory`, `network`, … are merged field by field). */
  device?: DeviceSignals;
  /** Forces a target's readiness, e.g. to preview what happens while a model is downloading. */
  targets?: Record<string, { status?: TargetStatusOverride }>;
  /** The time used by `hour` rules (defaults to the router's clock). */
  now?: Date;
}
