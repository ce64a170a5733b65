import type { InputProblem } from './errors/invalid-request-error.js';
import { isObject } from './is-object.js';

/**
 * The unknown keys of `settings` and of its groups, as problems: a misspelt or misplaced setting would otherwise leave
 * the default in force without a word. `places` lists the keys valid at the top (`''`) and in each group one level
 * down (`reachability: ['urls', 'intervalMs']`). An unknown key whose name is, but for case, one valid anywhere is
 * named with that place (`intervalMS` → `did you mean "reachability.intervalMs"?`); any other with the keys valid
 * where it stands. A group that is present but not an object is a problem too. For settings checked without zod
 * (signal sources, which ship in pages); zod-checked settings get the same from their strict schemas.
 *
 * @example
 * ```ts
 * unknownSettingProblems({ refreshMS: 10 }, { '': ['refreshMs', 'reachability'], reachability: ['urls'] });
 * // → [{ path: 'refreshMS', message: 'unknown setting; did you mean "refreshMs"?' }]
 * ```
 */
export function unknownSettingProblems(
  settings: Record<string, unknown>,
  places: Record<string, readonly string[]>,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const at = (group: string, key: string) => (group ? `${group}.${key}` : key);
  const everywhere = Object.entries(places).flatMap(([group, keys]) => keys.map((key) => at(group, key)));
  for (const [group, keys] of Object.entries(places)) {
    const value = group ? settings[group] : settings;
    if (!isObject(value)) {
      if (value !== undefined) problems.push({ path: group, message: `expected an object of ${keys.join(', ')}` });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (keys.includes(key)) continue;
      const meant = everywhere.find((known) => known.split('.').at(-1)?.toLowerCase() === key.toLowerCase());
      problems.push({
        path: at(group, key),
        message: meant
          ? `unknown setting; did you mean "${meant}"?`
          : `unknown setting; expected one of ${keys.join(', ')}`,
      });
    }
  }
  return problems;
}
