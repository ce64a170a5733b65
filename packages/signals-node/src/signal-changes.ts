import type { NodeDeviceSignals } from './node-device-signals.js';

/** The kinds of change that trigger a notification; continuous values (exact level, load, bytes) do not. */
export type SignalChangeKind = 'online' | 'metered' | 'charging' | 'battery-level' | 'thermal' | 'memory-pressure';

/** One meaningful change between two readings. `from`/`to` are `undefined` when the value was or became unknown. */
export interface SignalChange {
  kind: SignalChangeKind;
  from: boolean | string | number | undefined;
  to: boolean | string | number | undefined;
}

/**
 * How many of `thresholds` the level is below: 0 above all of them. A change of band is a crossing, in either
 * direction; unknown level is its own band (`undefined`).
 */
export function batteryBand(level: number | undefined, thresholds: readonly number[]): number | undefined {
  if (level === undefined) return undefined;
  return thresholds.filter((threshold) => level < threshold).length;
}

/** The meaningful changes from `previous` to `next`, in a fixed order. */
export function signalChanges(
  previous: NodeDeviceSignals,
  next: NodeDeviceSignals,
  batteryThresholds: readonly number[],
): SignalChange[] {
  const changes: SignalChange[] = [];
  const compare = (kind: SignalChangeKind, from: SignalChange['from'], to: SignalChange['to']) => {
    if (from !== to) changes.push({ kind, from, to });
  };
  compare('online', previous.network?.online, next.network?.online);
  compare('metered', previous.network?.metered, next.network?.metered);
  compare('charging', previous.battery?.charging, next.battery?.charging);
  const previousBand = batteryBand(previous.battery?.level, batteryThresholds);
  const nextBand = batteryBand(next.battery?.level, batteryThresholds);
  if (previousBand !== nextBand)
    changes.push({ kind: 'battery-level', from: previous.battery?.level, to: next.battery?.level });
  compare('thermal', previous.thermal, next.thermal);
  compare('memory-pressure', previous.memory?.pressure, next.memory?.pressure);
  return changes;
}
