import type { DeviceSignals } from '@switchyard/core';

/** What one sample of this device said, and the part of it the device panel can show. */
export interface DeviceReading {
  /** The known readings only, ready for the panel's signals (unknown ones are left as the panel had them). */
  patch: DeviceSignals;
  /** "battery 64% (charging), thermal nominal, online" or "battery unknown, …": for the page. */
  summary: string;
}

/** The known part of a reading (Node's `signals-node` or the browser's `signals-browser`) and its summary. */
export function describeReading(reading: DeviceSignals): DeviceReading {
  const patch: DeviceSignals = {};
  const parts: string[] = [];
  const battery = reading.battery;
  if (battery?.level !== undefined || battery?.charging !== undefined) {
    patch.battery = {
      ...(battery.level === undefined ? {} : { level: battery.level }),
      ...(battery.charging === undefined ? {} : { charging: battery.charging }),
    };
  }
  parts.push(
    battery?.level === undefined
      ? 'battery unknown (no battery found)'
      : `battery ${Math.round(battery.level * 100)}%${battery.charging ? ' (charging)' : ''}`,
  );
  if (reading.thermal !== undefined) patch.thermal = reading.thermal;
  parts.push(`thermal ${reading.thermal ?? 'unknown'}`);
  if (reading.network?.online !== undefined) patch.network = { online: reading.network.online };
  parts.push(reading.network?.online === undefined ? 'network unknown' : reading.network.online ? 'online' : 'offline');
  return { patch, summary: parts.join(', ') };
}
