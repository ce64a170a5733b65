import { thermalStates } from './device-signals.js';
import type { InputProblem } from './errors/invalid-request-error.js';
import { isObject } from './is-object.js';

// Each reading's kind: 0 a fraction, 1 a byte count, 2 a boolean. Kept terse and zod-free: pages ship it.
const groups: Record<string, Record<string, 0 | 1 | 2>> = {
  battery: { level: 0, charging: 2 },
  memory: { freeBytes: 1, totalBytes: 1 },
  cpu: { load: 0 },
  network: { online: 2, metered: 2 },
};
const expected = ['a fraction from 0 to 1, e.g. 0.8', 'a number of bytes, 0 or more, e.g. 4294967296', 'true or false'];
const example = 'e.g. { battery: { level: 0.8 } }';

/**
 * What is wrong with `signals` as `DeviceSignals`, each problem under `path` (`battery.level: expected a fraction
 * from 0 to 1, e.g. 0.8, got 7`): unknown groups and readings (a typo such as `baterry` or a flat `batteryLevel`),
 * readings of the wrong type or out of range, a thermal state that is not one of {@link thermalStates}. `undefined`
 * readings pass ("no news", as in {@link mergeSignals}). Only numbers are shown back; a string could be a secret.
 * Signal sources check what they are given with it, since the router would otherwise take a battery level of 7 or
 * `'low'` as "not low".
 *
 * @example
 * ```ts
 * deviceSignalsProblems({ batteryLevel: 0.1 }, 'overrides');
 * // → [{ path: 'overrides.batteryLevel', message: 'unknown signal; expected one of battery, memory, cpu, network, thermal, e.g. { battery: { level: 0.8 } }' }]
 * ```
 */
export function deviceSignalsProblems(signals: unknown, path = ''): InputProblem[] {
  const problems: InputProblem[] = [];
  const add = (key: string, message: string) => problems.push({ path: path ? `${path}.${key}` : key, message });
  if (!isObject(signals)) return [{ path: path || 'signals', message: `expected device signals, ${example}` }];
  for (const [name, group] of Object.entries(signals)) {
    const fields = groups[name];
    if (group === undefined || (name === 'thermal' && thermalStates.includes(group as never))) continue;
    if (name === 'thermal') add(name, `expected one of ${thermalStates.join(', ')}`);
    else if (!fields)
      add(name, `unknown signal; expected one of ${Object.keys(groups).join(', ')}, thermal, ${example}`);
    else if (!isObject(group)) add(name, `expected an object of ${Object.keys(fields).join(', ')}`);
    else {
      for (const [field, reading] of Object.entries(group)) {
        const kind = fields[field];
        const fits =
          kind === 2
            ? typeof reading === 'boolean'
            : typeof reading === 'number' && reading >= 0 && (kind ? Number.isFinite(reading) : reading <= 1);
        const got = typeof reading === 'number' ? `, got ${reading}` : '';
        if (kind === undefined)
          add(`${name}.${field}`, `unknown signal; expected one of ${Object.keys(fields).join(', ')}`);
        else if (reading !== undefined && !fits) add(`${name}.${field}`, `expected ${expected[kind]}${got}`);
      }
    }
  }
  return problems;
}
