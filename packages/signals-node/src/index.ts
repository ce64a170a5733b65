/**
 * `@switchyard/signals-node` tells the Switchyard router what state the device is in on Node: battery level and
 * charging, thermal state from the CPU temperature, free/total memory and memory pressure, CPU load, and whether the
 * network and the remote targets are reachable. `createNodeSignals()` samples these in the background through
 * systeminformation and `node:os`, caches them so `router.plan()` never waits on the system, reports what the OS
 * does not expose as unknown, and notifies subscribers when something meaningful changes.
 */

export type { NodeSignalSource, NodeSignalsSettings } from './create-node-signals.js';
export { createNodeSignals } from './create-node-signals.js';
export type { MemoryPressure, MemoryPressureThresholds } from './memory-pressure.js';
export type { NodeDeviceSignals } from './node-device-signals.js';
export type { SignalChange, SignalChangeKind } from './signal-changes.js';
export type { BatteryReading, MemoryReading, SignalReaders } from './signal-readers.js';
export type { ThermalThresholds } from './thermal-state.js';
