import { type DeviceSignals, mergeSignals, type SignalSource } from '@switchyard/contract';

/** A {@link SignalSource} whose readings are set by hand. */
export interface ManualSignals extends SignalSource {
  /** Merges `patch` over the current readings (one level deep) and notifies subscribers. */
  set(patch: DeviceSignals): void;
}

/**
 * A signal source set by hand: for tests, browsers, and the demo's device panel.
 *
 * @example
 * ```ts
 * const signals = createManualSignals({ battery: { level: 0.8, charging: false } });
 * const router = createRouter({ targets, signals });
 * signals.set({ battery: { level: 0.1 } }); // local targets are now excluded with reason `battery`
 * ```
 */
export function createManualSignals(initial: DeviceSignals = {}): ManualSignals {
  let current = mergeSignals({}, initial);
  const listeners = new Set<(signals: DeviceSignals) => void>();
  return {
    read: () => current,
    set(patch) {
      current = mergeSignals(current, patch);
      for (const listener of listeners) listener(current);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      listeners.clear();
    },
  };
}
