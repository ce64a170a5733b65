import { InvalidRequestError } from '@switchyard/contract';
import type { DeviceSignals, ThermalState } from '@switchyard/core';
import { thermalStates } from '@switchyard/core';

type Problems = { path: string; message: string }[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function booleanAt(source: Record<string, unknown>, key: string, path: string, problems: Problems) {
  const value = source[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') problems.push({ path: `${path}.${key}`, message: 'expected true or false' });
  return value as boolean;
}

/**
 * Validates the device panel's `POST /api/signals` body: `{ battery: { level, charging }, thermal, network:
 * { online, metered } }`, every field optional. Throws `InvalidRequestError` naming each bad field.
 */
export function parseSignalsPatch(body: unknown): DeviceSignals {
  const problems: Problems = [];
  if (!isObject(body)) {
    throw new InvalidRequestError({
      problems: [{ path: '', message: 'expected an object like { "battery": { "level": 0.5 } }' }],
    });
  }
  const patch: DeviceSignals = {};
  if (body.battery !== undefined) {
    if (!isObject(body.battery)) problems.push({ path: 'battery', message: 'expected { level, charging }' });
    else {
      const level = body.battery.level;
      if (level !== undefined && (typeof level !== 'number' || !(level >= 0 && level <= 1))) {
        problems.push({ path: 'battery.level', message: 'expected a number from 0 to 1' });
      }
      const charging = booleanAt(body.battery, 'charging', 'battery', problems);
      patch.battery = {
        ...(typeof level === 'number' ? { level } : {}),
        ...(charging === undefined ? {} : { charging }),
      };
    }
  }
  if (body.thermal !== undefined) {
    if (!thermalStates.includes(body.thermal as ThermalState)) {
      problems.push({ path: 'thermal', message: `expected one of ${thermalStates.join(', ')}` });
    } else patch.thermal = body.thermal as ThermalState;
  }
  if (body.network !== undefined) {
    if (!isObject(body.network)) problems.push({ path: 'network', message: 'expected { online, metered }' });
    else {
      const online = booleanAt(body.network, 'online', 'network', problems);
      const metered = booleanAt(body.network, 'metered', 'network', problems);
      patch.network = {
        ...(online === undefined ? {} : { online }),
        ...(metered === undefined ? {} : { metered }),
      };
    }
  }
  for (const key of Object.keys(body)) {
    if (!['battery', 'thermal', 'network'].includes(key)) {
      problems.push({ path: key, message: 'unknown signal: expected battery, thermal or network' });
    }
  }
  if (problems.length > 0) throw new InvalidRequestError({ problems });
  return patch;
}
