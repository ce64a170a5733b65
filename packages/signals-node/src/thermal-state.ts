import type { ThermalState } from '@switchyard/contract';

/**
 * CPU temperatures (°C) at which the thermal state steps up: below `fair` is nominal, below `serious` is fair,
 * below `critical` is serious, anything hotter is critical.
 */
export interface ThermalThresholds {
  fair: number;
  serious: number;
  critical: number;
}

/** The documented defaults: < 70 °C nominal, < 80 °C fair, < 90 °C serious, else critical. */
export const defaultThermalThresholds: Readonly<ThermalThresholds> = Object.freeze({
  fair: 70,
  serious: 80,
  critical: 90,
});

/**
 * Maps a CPU temperature to a thermal state; `undefined` in, `undefined` out (no sensor means unknown).
 * @example thermalStateFromTemperature(83) // 'serious'
 */
export function thermalStateFromTemperature(
  celsius: number | undefined,
  thresholds: ThermalThresholds = defaultThermalThresholds,
): ThermalState | undefined {
  if (celsius === undefined) return undefined;
  if (celsius < thresholds.fair) return 'nominal';
  if (celsius < thresholds.serious) return 'fair';
  if (celsius < thresholds.critical) return 'serious';
  return 'critical';
}
