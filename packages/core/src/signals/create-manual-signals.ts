import {
  type DeviceSignals,
  deviceSignalsProblems,
  InvalidConfigError,
  mergeSignals,
  type SignalSource,
} from '@switchyard/contract';

/** A {@link SignalSource} whose readings are set by hand. */
export interface ManualSignals extends SignalSource {
  /**
   * Merges `patch` over the current readings (one level deep) and notifies subscribers. A patch that is not device
   * signals is an `InvalidConfigError` naming the reading, and changes nothing.
   */
  set(patch: DeviceSignals): void;
}

// The planner would take a battery level of 7 or 'low' as "not low" and a misspelt `baterry` as no reading at all.
function check(signals: DeviceSignals): DeviceSignals {
  const problems = deviceSignalsProblems(signals);
  if (problems.length > 0) throw new InvalidConfigError({ problems });
  return signals;
}

/**
 * A signal source set by hand: for tests, browsers, and the demo's device panel. The readings are checked, here and in
 * `set()`: an unknown group or reading (`baterry`, a flat `batteryLevel`), a level or load outside 0..1, a thermal
 * state that is not one of `thermalStates`, or a value of the wrong type is an `InvalidConfigError` naming it.
 *
 * @example
 * ```ts
 * const signals = createManualSignals({ battery: { level: 0.8, charging: false } });
 * const router = createRouter({ targets, signals });
 * signals.set({ battery: { level: 0.1 } }); // local targets are now excluded with reason `battery`
 * ```
 */
export function createManualSignals(initial: DeviceSignals = {}): ManualSignals {
  let current = mergeSignals({}, check(initial));
  const listeners = new Set<(signals: DeviceSignals) => void>();
  return {
    read: () => current,
    set(patch) {
      current = mergeSignals(current, check(patch));
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
