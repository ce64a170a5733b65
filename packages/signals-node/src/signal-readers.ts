import os from 'node:os';
import type { Systeminformation } from 'systeminformation';
import { battery, cpuTemperature, mem } from 'systeminformation';
import { canConnect } from './can-connect.js';

/** Battery reading: `level` 0..1, `charging` true when charging or on AC power. */
export interface BatteryReading {
  level?: number;
  charging?: boolean;
}

/** Memory reading in bytes; `freeBytes` is what the OS can hand out without swapping (Linux `MemAvailable`). */
export interface MemoryReading {
  freeBytes?: number;
  totalBytes?: number;
}

/**
 * The system calls behind the signals, one per reading. Each may return `undefined` (unknown), throw, reject or hang:
 * the signal source turns all of those into an absent field. Replace any of them with the `readers` setting.
 */
export interface SignalReaders {
  /** Battery level and charging; `undefined` when the device has no battery. */
  battery(): Promise<BatteryReading | undefined> | BatteryReading | undefined;
  /** CPU package temperature in °C; `undefined` when there is no sensor. */
  cpuTemperature(): Promise<number | undefined> | number | undefined;
  memory(): Promise<MemoryReading | undefined> | MemoryReading | undefined;
  /** CPU busy fraction 0..1 over the last sampling window. */
  cpuLoad(): Promise<number | undefined> | number | undefined;
  /** Whether any non-loopback network interface is up. */
  interfacesUp(): Promise<boolean | undefined> | boolean | undefined;
  /** Whether a TCP connection to `host:port` opens within `timeoutMs`. */
  reach(target: { host: string; port: number }, timeoutMs: number): Promise<boolean> | boolean;
}

/** systeminformation reports "no battery" as `hasBattery: false` with zeroed fields; that is unknown, not empty. */
export function batteryFromSystemInformation(data: Systeminformation.BatteryData): BatteryReading | undefined {
  if (!data.hasBattery) return undefined;
  const reading: BatteryReading = {};
  if (Number.isFinite(data.percent) && data.percent >= 0 && data.percent <= 100) reading.level = data.percent / 100;
  // On AC with a full battery `isCharging` is false, yet the battery is not draining: count AC as charging.
  if (typeof data.isCharging === 'boolean' || typeof data.acConnected === 'boolean') {
    reading.charging = data.isCharging === true || data.acConnected === true;
  }
  return reading;
}

/** Sensors absent (common on VMs) show up as `null`, `-1` or `0`; anything outside a plausible range is unknown. */
export function temperatureFromSystemInformation(data: Systeminformation.CpuTemperatureData): number | undefined {
  for (const value of [data.main, data.max]) {
    if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 150) return value;
  }
  return undefined;
}

export function memoryFromSystemInformation(data: Systeminformation.MemData): MemoryReading | undefined {
  const reading: MemoryReading = {};
  if (Number.isFinite(data.total) && data.total > 0) reading.totalBytes = data.total;
  // `available` counts reclaimable cache; `free` alone would report a busy Linux box as nearly full.
  const free = Number.isFinite(data.available) && data.available > 0 ? data.available : data.free;
  if (Number.isFinite(free) && free >= 0) reading.freeBytes = free;
  return reading.totalBytes === undefined && reading.freeBytes === undefined ? undefined : reading;
}

/**
 * libuv lists only interfaces that are up and running (Linux/macOS `IFF_UP|IFF_RUNNING`, Windows `IfOperStatusUp`),
 * so any non-internal address means a link is up; no process is spawned to find out.
 */
export function interfacesUpFromOs(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): boolean {
  return Object.values(interfaces).some((addresses) => addresses?.some((address) => !address.internal) ?? false);
}

interface CpuTimes {
  busy: number;
  total: number;
  at: number;
}

function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total, at: Date.now() };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * CPU load from `os.cpus()` tick deltas between calls: works on every OS (unlike `os.loadavg()`, which is always 0
 * on Windows) and spawns nothing. Ticks are coarse (10 ms on Linux), so a window shorter than `minWindowMs` (the
 * first call, or a forced refresh right after a sample) is stretched by waiting.
 */
export function createCpuLoadReader(minWindowMs = 100): () => Promise<number | undefined> {
  let previous: CpuTimes | undefined;
  return async () => {
    const start = previous ?? cpuTimes();
    const waited = Date.now() - start.at;
    if (previous === undefined || waited < minWindowMs) await delay(minWindowMs - Math.max(0, waited));
    const current = cpuTimes();
    previous = current;
    const total = current.total - start.total;
    if (!(total > 0)) return undefined;
    return Math.min(1, Math.max(0, (current.busy - start.busy) / total));
  };
}

/** The readers used unless the `readers` setting replaces them: systeminformation and `node:os`. */
export function createDefaultReaders(): SignalReaders {
  return {
    battery: async () => batteryFromSystemInformation(await battery()),
    cpuTemperature: async () => temperatureFromSystemInformation(await cpuTemperature()),
    memory: async () => memoryFromSystemInformation(await mem()),
    cpuLoad: createCpuLoadReader(),
    interfacesUp: () => interfacesUpFromOs(os.networkInterfaces()),
    reach: canConnect,
  };
}
