// Local copies of the signal contract that @switchyard/core owns (see core's DeviceSignals / SignalSource).
// They are structurally identical so a NodeSignalSource can be passed to `createRouter({ signals })`; they live here
// only until core exports them, then this file re-exports core's types instead.

/** Thermal state of the device, mildest first. */
export type ThermalState = 'nominal' | 'fair' | 'serious' | 'critical';

/**
 * Latest readings of the device. Every field is optional: absent means "unknown". Router policies treat unknown as:
 * battery unknown ⇒ not low; thermal unknown ⇒ nominal; memory unknown ⇒ enough; online unknown ⇒ online;
 * metered unknown ⇒ not metered.
 */
export interface DeviceSignals {
  battery?: { level?: number; charging?: boolean };
  thermal?: ThermalState;
  memory?: { freeBytes?: number; totalBytes?: number };
  cpu?: { load?: number };
  network?: { online?: boolean; metered?: boolean };
}

/** Where the router reads device signals from. */
export interface SignalSource {
  /** Cached readings: synchronous, no I/O (the router's `plan()` calls it). */
  read(): DeviceSignals;
  /** Change notifications; returns an unsubscribe function. */
  subscribe?(listener: (signals: DeviceSignals) => void): () => void;
  dispose?(): void | Promise<void>;
}
