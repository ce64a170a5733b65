import { createNodeSignals } from '@switchyard/signals-node';
import type { DeviceReading } from './describe-reading.js';
import { describeReading } from './describe-reading.js';

/**
 * Samples this machine once with `@switchyard/signals-node` (battery, charging, thermal state from the CPU
 * temperature, network interfaces) so the panel can start from real readings instead of made-up ones.
 */
export async function readThisDevice(): Promise<DeviceReading> {
  const source = createNodeSignals({ refreshMs: 60_000 });
  try {
    const reading = await source.refresh();
    return describeReading(reading);
  } finally {
    source.dispose();
  }
}
