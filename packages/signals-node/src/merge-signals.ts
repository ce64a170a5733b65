import type { DeviceSignals } from '@switchyard/core';

/**
 * `overrides` laid field by field over `base`: a field set in `overrides` wins, everything else is `base`'s.
 * Neither input is modified.
 */
export function mergeSignals<T extends DeviceSignals>(base: T, overrides: DeviceSignals | undefined): T {
  if (overrides === undefined) return base;
  const merged: DeviceSignals = { ...base };
  if (overrides.thermal !== undefined) merged.thermal = overrides.thermal;
  for (const key of ['battery', 'memory', 'cpu', 'network'] as const) {
    const patch = overrides[key];
    if (patch === undefined) continue;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    merged[key] = { ...base[key], ...defined };
  }
  return merged as T;
}
