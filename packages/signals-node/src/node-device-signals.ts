import type { DeviceSignals } from '@switchyard/contract';
import type { MemoryPressure } from './memory-pressure.js';

/**
 * What a Node signal source reports: the core `DeviceSignals` plus `memory.pressure`, derived from free/total memory
 * so that listeners and the demo can show it. It is still a `DeviceSignals`, so the router accepts it unchanged.
 */
export interface NodeDeviceSignals extends DeviceSignals {
  memory?: { freeBytes?: number; totalBytes?: number; pressure?: MemoryPressure };
}
