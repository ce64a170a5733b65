import type { DeviceSignals } from '@switchyard/core';
import type { BrowserDeviceSignals } from './browser-device-signals.js';

/** The readings with `overrides` merged over them one level deep; fields left unknown stay absent. */
export function mergeSignals(device: BrowserDeviceSignals, overrides: DeviceSignals | undefined): BrowserDeviceSignals {
  if (!overrides) return device;
  const merged: BrowserDeviceSignals = { ...device };
  for (const key of ['battery', 'memory', 'cpu', 'network'] as const) {
    if (overrides[key]) Object.assign(merged, { [key]: { ...device[key], ...overrides[key] } });
  }
  if (overrides.thermal) merged.thermal = overrides.thermal;
  return merged;
}
