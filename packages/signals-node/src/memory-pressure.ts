/** How short the device is of memory: `warning` and `critical` follow the free-memory fractions below. */
export type MemoryPressure = 'normal' | 'warning' | 'critical';

/** Fractions of total memory still available below which pressure is `warning` / `critical`. */
export interface MemoryPressureThresholds {
  warning: number;
  critical: number;
}

/** The documented defaults: under 15 % available is `warning`, under 5 % is `critical`. */
export const defaultMemoryPressureThresholds: Readonly<MemoryPressureThresholds> = Object.freeze({
  warning: 0.15,
  critical: 0.05,
});

/**
 * Memory pressure from free and total bytes; unknown when either is unknown.
 * @example memoryPressure(1e9, 16e9) // 'warning' (6 % available)
 */
export function memoryPressure(
  freeBytes: number | undefined,
  totalBytes: number | undefined,
  thresholds: MemoryPressureThresholds = defaultMemoryPressureThresholds,
): MemoryPressure | undefined {
  if (freeBytes === undefined || totalBytes === undefined || totalBytes <= 0) return undefined;
  const fraction = freeBytes / totalBytes;
  if (fraction < thresholds.critical) return 'critical';
  if (fraction < thresholds.warning) return 'warning';
  return 'normal';
}
