import type os from 'node:os';
import type { Systeminformation } from 'systeminformation';
import { describe, expect, it } from 'vitest';
import {
  batteryFromSystemInformation,
  createCpuLoadReader,
  interfacesUpFromOs,
  memoryFromSystemInformation,
  temperatureFromSystemInformation,
} from './signal-readers.js';

const noBattery = {
  hasBattery: false,
  cycleCount: 0,
  isCharging: false,
  designedCapacity: 0,
  maxCapacity: 0,
  currentCapacity: 0,
  voltage: 0,
  capacityUnit: '',
  percent: 0,
  timeRemaining: 0,
  acConnected: true,
  type: '',
  model: '',
  manufacturer: '',
  serial: '',
} satisfies Systeminformation.BatteryData;

const temperature = (main: number | null, max: number | null = null) =>
  ({ main, max, cores: [], socket: [], chipset: null }) as unknown as Systeminformation.CpuTemperatureData;

describe('batteryFromSystemInformation', () => {
  it('reports a machine without a battery as unknown rather than empty', () => {
    expect(batteryFromSystemInformation(noBattery)).toBeUndefined();
  });

  it('turns percent into a 0..1 level and counts AC power as charging even when the battery is full', () => {
    expect(batteryFromSystemInformation({ ...noBattery, hasBattery: true, percent: 100, isCharging: false })).toEqual({
      level: 1,
      charging: true,
    });
    expect(batteryFromSystemInformation({ ...noBattery, hasBattery: true, percent: 35, acConnected: false })).toEqual({
      level: 0.35,
      charging: false,
    });
  });
});

describe('temperatureFromSystemInformation', () => {
  it('treats the null and -1 that sensorless machines report as unknown', () => {
    expect(temperatureFromSystemInformation(temperature(null))).toBeUndefined();
    expect(temperatureFromSystemInformation(temperature(-1, -1))).toBeUndefined();
  });

  it('falls back to the hottest core when the package sensor is missing', () => {
    expect(temperatureFromSystemInformation(temperature(62))).toBe(62);
    expect(temperatureFromSystemInformation(temperature(null, 71))).toBe(71);
  });
});

describe('memoryFromSystemInformation', () => {
  it('counts reclaimable cache as free by using the available figure', () => {
    const data = { total: 16e9, free: 1e9, available: 9e9 } as Systeminformation.MemData;
    expect(memoryFromSystemInformation(data)).toEqual({ freeBytes: 9e9, totalBytes: 16e9 });
  });
});

describe('interfacesUpFromOs', () => {
  it('ignores loopback and needs one external interface', () => {
    const loopback = { address: '127.0.0.1', internal: true } as os.NetworkInterfaceInfo;
    const wifi = { address: '192.168.1.20', internal: false } as os.NetworkInterfaceInfo;
    expect(interfacesUpFromOs({ lo: [loopback] })).toBe(false);
    expect(interfacesUpFromOs({ lo: [loopback], wlan0: [wifi] })).toBe(true);
  });
});

describe('createCpuLoadReader', () => {
  it('measures a busy fraction between 0 and 1 on this machine', async () => {
    const read = createCpuLoadReader(50);
    const load = await read();
    expect(typeof load).toBe('number');
    expect(load).toBeGreaterThanOrEqual(0);
    expect(load).toBeLessThanOrEqual(1);
  });
});
